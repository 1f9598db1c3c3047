package console

import (
	"net/http"
	"slices"
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

// CallbackPath is where an Authenticator's identity provider sends the browser back
// (the redirect URI to register: DATASHARE_PUBLIC_URL + CallbackPath).
const CallbackPath = "/console/auth/callback"

// loginData is the sign-in page.
type loginData struct {
	Return string
	Users  []DevUser
	// Unavailable says why nobody can sign in here (no sign-in method configured).
	Unavailable string
	Error       string
	// SignedOut: the page after signing out of an identity provider's session, with a link
	// to sign in again.
	SignedOut bool
}

// loginPage offers the sign-in: the identity provider's when an Authenticator is set,
// otherwise (dev token mode) the list of users to sign in as.
func (c *Console) loginPage(g *gin.Context) {
	returnTo := safeReturn(g.Query("return"))
	if _, err := c.readSession(g.Request); err == nil {
		g.Redirect(http.StatusSeeOther, returnTo)
		return
	}
	if c.d.Authenticator != nil {
		c.d.Authenticator.Begin(g, returnTo)
		return
	}
	if c.d.DevSign == nil || c.d.DevUsers == nil {
		c.write(g, http.StatusServiceUnavailable, "login", view{Title: "登录",
			Data: loginData{Return: returnTo, Unavailable: "此部署尚未配置浏览器登录方式（统一身份认证登录尚未接入控制台）。"}})
		return
	}
	c.devLoginPage(g, http.StatusOK, returnTo, "")
}

// devLoginPage lists the users of the dev token mode, with a form token tied to a short-lived
// sign-in cookie.
func (c *Console) devLoginPage(g *gin.Context, status int, returnTo, problem string) {
	users, err := c.d.DevUsers(g.Request.Context())
	if err != nil {
		c.plainError(g, http.StatusServiceUnavailable, "无法读取用户列表，请稍后重试。")
		return
	}
	st := loginState{Expiry: c.now().Add(loginStateTTL).Unix(), Secret: newSecret()}
	v, err := c.sealer.seal(loginCookie, st)
	if err != nil {
		c.plainError(g, http.StatusInternalServerError, "控制台内部错误。")
		return
	}
	http.SetCookie(g.Writer, c.cookie(loginCookie, v, time.Unix(st.Expiry, 0)))
	c.write(g, status, "login", view{Title: "登录", CSRF: csrfToken(st.Secret), DevMode: true,
		Data: loginData{Return: returnTo, Users: users, Error: problem}})
}

// devLogin signs in as the chosen user with a freshly signed token (dev token mode only).
func (c *Console) devLogin(g *gin.Context) {
	if c.d.DevSign == nil || c.d.DevUsers == nil || c.d.Authenticator != nil {
		c.plainError(g, http.StatusNotFound, "没有这个页面。")
		return
	}
	g.Request.Body = http.MaxBytesReader(g.Writer, g.Request.Body, maxFormBytes)
	if err := g.Request.ParseForm(); err != nil {
		c.plainError(g, http.StatusBadRequest, "表单无法读取。")
		return
	}
	var st loginState
	ck, err := g.Request.Cookie(loginCookie)
	if err == nil {
		err = c.sealer.open(loginCookie, ck.Value, &st)
	}
	if err != nil || !c.now().Before(time.Unix(st.Expiry, 0)) || !validCSRF(st.Secret, g.Request.PostForm.Get("csrf")) {
		c.plainError(g, http.StatusForbidden, "登录表单已失效或来源不明（CSRF 校验未通过）。请重新打开登录页。")
		return
	}
	returnTo := safeReturn(g.Request.PostForm.Get("return"))
	id := g.Request.PostForm.Get("user")
	users, err := c.d.DevUsers(g.Request.Context())
	if err != nil {
		c.plainError(g, http.StatusServiceUnavailable, "无法读取用户列表，请稍后重试。")
		return
	}
	if !slices.ContainsFunc(users, func(u DevUser) bool { return u.ID == id }) {
		c.devLoginPage(g, http.StatusBadRequest, returnTo, "请选择列表中的用户。")
		return
	}
	token, err := c.d.DevSign(g.Request.Context(), id, devSessionTTL)
	if err != nil {
		c.devLoginPage(g, http.StatusServiceUnavailable, returnTo, "无法为该用户签发令牌："+err.Error())
		return
	}
	if err := c.startSession(g.Writer, token, c.now().Add(devSessionTTL)); err != nil {
		c.plainError(g, http.StatusInternalServerError, "控制台内部错误。")
		return
	}
	http.SetCookie(g.Writer, c.cookie(loginCookie, "", time.Time{}))
	g.Redirect(http.StatusSeeOther, returnTo)
}

// authCallback completes an Authenticator's sign-in.
func (c *Console) authCallback(g *gin.Context) {
	if c.d.Authenticator == nil {
		c.plainError(g, http.StatusNotFound, "没有这个页面。")
		return
	}
	token, expiry, returnTo, err := c.d.Authenticator.Finish(g)
	if err != nil {
		c.plainError(g, http.StatusUnauthorized, "登录未完成："+err.Error())
		return
	}
	if err := c.startSession(g.Writer, token, expiry); err != nil {
		c.plainError(g, http.StatusInternalServerError, "控制台内部错误。")
		return
	}
	g.Redirect(http.StatusSeeOther, safeReturn(returnTo))
}

// logout clears the session cookie; the token itself stays valid until it expires, as a
// bearer token does. With an identity provider it answers a signed-out page linking to the
// sign-in rather than redirecting there: /console/login would redirect on to the provider,
// which the form-action 'self' of the policy forbids at the end of a form's redirects (the
// browser would stay on the page, signed out but showing it), and a provider still holding
// its own session would sign the person straight back in.
func (c *Console) logout(r *req) {
	c.endSession(r.Writer)
	if c.d.Authenticator != nil {
		r.Header("Cache-Control", "no-store")
		c.write(r.Context, http.StatusOK, "login", view{Title: "已退出", Data: loginData{Return: oidcConsoleHome, SignedOut: true}})
		return
	}
	r.Redirect(http.StatusSeeOther, "/console/login")
}
