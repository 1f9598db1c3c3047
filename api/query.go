package api

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/datashare/datashare/models"
)

// queryErrors collects what is wrong with a list's query parameters, so one 400 names every
// bad parameter at once.
type queryErrors map[string]string

// limit reads the page size, 1..MaxPageSize; 0 when absent (the store's default).
func (q queryErrors) limit(c *gin.Context) int {
	s := c.Query("limit")
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > models.MaxPageSize {
		q["limit"] = "must be a number from 1 to " + strconv.Itoa(models.MaxPageSize)
		return 0
	}
	return n
}

// resourceID reads a catalog resource id filter; 0 when absent.
func (q queryErrors) resourceID(c *gin.Context) int64 {
	s := c.Query("resource_id")
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		q["resource_id"] = "must be a catalog resource id"
		return 0
	}
	return n
}

// boolean reads a true/false filter; nil when absent.
func (q queryErrors) boolean(c *gin.Context, name string) *bool {
	s := c.Query(name)
	if s == "" {
		return nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		q[name] = "must be true or false"
		return nil
	}
	return &b
}

// instant reads a time filter: an RFC 3339 time, or a YYYY-MM-DD date for the start of that
// day in China; the zero time when absent.
func (q queryErrors) instant(c *gin.Context, name string) time.Time {
	s := c.Query(name)
	if s == "" {
		return time.Time{}
	}
	t, err := parseInstant(s)
	if err != nil {
		q[name] = instantRule
		return time.Time{}
	}
	return t
}

// abortIfAny answers 400 naming every bad parameter; it reports whether it did.
func (q queryErrors) abortIfAny(c *gin.Context) bool {
	if len(q) == 0 {
		return false
	}
	abort(c, invalid(fieldsMessage(q), q))
	return true
}
