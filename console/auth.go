package console

import (
	"time"

	"github.com/gin-gonic/gin"
)

// Authenticator signs a browser in against an identity provider.
type Authenticator interface {
	// Begin starts a sign-in and redirects the browser; returnTo is the console path to come back to.
	Begin(c *gin.Context, returnTo string)
	// Finish completes it on the callback route and returns the bearer token the API accepts,
	// its expiry and the path to return to.
	Finish(c *gin.Context) (token string, expiry time.Time, returnTo string, err error)
}
