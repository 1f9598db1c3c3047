package api

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-playground/validator/v10"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/datashare/datashare/internal/auth"
)

// HeaderRequestID carries the request ID in both directions.
const HeaderRequestID = "X-Request-ID"

const (
	ctxRequestID = "datashare.request_id"
	ctxPrincipal = "datashare.principal"
)

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// withRequestID keeps a caller's well-formed request ID (a gateway's, say) or makes one.
func withRequestID() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader(HeaderRequestID)
		if !requestIDPattern.MatchString(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Set(ctxRequestID, id)
		c.Header(HeaderRequestID, id)
		c.Next()
	}
}

func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }

// accessLog writes one structured line per request, scoped with its request ID.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		attrs := []any{
			slog.String("request_id", requestID(c)),
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.String("route", c.FullPath()),
			slog.Int("status", status),
			slog.Duration("duration", time.Since(start)),
			slog.Int("bytes", c.Writer.Size()),
		}
		if p, ok := principalOf(c); ok {
			attrs = append(attrs, slog.String("subject", p.Subject))
		}
		if len(c.Errors) > 0 {
			attrs = append(attrs, slog.String("error", c.Errors.String()))
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		log.Log(c.Request.Context(), level, "http request", attrs...)
	}
}

// recoverer turns a panic into the 500 envelope and a log line; never a stack trace to the caller.
func recoverer(log *slog.Logger) gin.HandlerFunc {
	return gin.CustomRecoveryWithWriter(nil, func(c *gin.Context, rec any) {
		log.Error("panic in handler", slog.String("request_id", requestID(c)), slog.Any("panic", rec), slog.String("route", c.FullPath()))
		abort(c, &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "internal error"})
	})
}

// limitBody caps every request body; reading past the limit fails with 413 through toAPIError.
func limitBody(limit int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > limit {
			abort(c, &http.MaxBytesError{Limit: limit})
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
		c.Next()
	}
}

// requireJSONBody answers 415 unsupported_media_type to a request that carries a body in any
// other media type than JSON (docs/api.md): a form or a text would otherwise reach the JSON
// decoder, or pass unread through a route that takes no body. Parameters are allowed, but a
// charset other than UTF-8 is not, since the body is decoded as UTF-8. A request without a
// body (a claim, say) needs no Content-Type.
func requireJSONBody() gin.HandlerFunc {
	return func(c *gin.Context) {
		// 0: no body; -1: a body of unknown length (chunked).
		if c.Request.ContentLength == 0 {
			c.Next()
			return
		}
		ct := c.GetHeader("Content-Type")
		mt, params, err := mime.ParseMediaType(ct)
		if err == nil && mt == mediaJSON && (params["charset"] == "" || strings.EqualFold(params["charset"], "utf-8")) {
			c.Next()
			return
		}
		msg := "a request body must be sent as Content-Type: " + mediaJSON + " (UTF-8)"
		switch {
		case ct == "":
			msg += "; the request has no Content-Type"
		case err == nil && len(mt) <= 100:
			msg += fmt.Sprintf("; got %q", mt)
			if cs := params["charset"]; mt == mediaJSON && len(cs) <= 40 {
				msg += fmt.Sprintf(" with charset %q", cs)
			}
		default:
			msg += "; the Content-Type cannot be read"
		}
		abort(c, &Error{Status: http.StatusUnsupportedMediaType, Code: CodeUnsupportedMediaType, Message: msg})
	}
}

// mediaJSON is the one media type of request bodies.
const mediaJSON = "application/json"

// httpMetrics counts requests and their latency by route template (never by raw path, which
// would make one series per resource ID).
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "datashare_http_requests_total", Help: "HTTP requests by method, route and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "datashare_http_request_duration_seconds", Help: "HTTP request latency by method and route.",
			Buckets: prometheus.DefBuckets,
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

func (m *httpMetrics) handler() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		m.requests.WithLabelValues(c.Request.Method, route, strconv.Itoa(c.Writer.Status())).Inc()
		m.duration.WithLabelValues(c.Request.Method, route).Observe(time.Since(start).Seconds())
	}
}

// authenticate requires a valid bearer token and stores the principal.
func authenticate(v auth.Verifier, log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.GetHeader("Authorization")
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			c.Header("WWW-Authenticate", `Bearer realm="datashare"`)
			abort(c, &Error{Status: http.StatusUnauthorized, Code: CodeUnauthenticated, Message: "Authorization header with a bearer token is required"})
			return
		}
		p, err := v.Verify(c.Request.Context(), strings.TrimSpace(token))
		if err != nil {
			log.Info("token rejected", slog.String("request_id", requestID(c)), slog.Any("error", err))
			c.Header("WWW-Authenticate", `Bearer realm="datashare", error="invalid_token"`)
			if !isAuthError(err) {
				// The identity provider or the users table did not answer: not the caller's fault.
				abort(c, &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: "token verification is unavailable"})
				return
			}
			abort(c, &Error{Status: http.StatusUnauthorized, Code: CodeUnauthenticated, Message: "bearer token is invalid or expired"})
			return
		}
		c.Set(ctxPrincipal, p)
		c.Next()
	}
}

// requireRole lets through principals holding any of the roles. Department scoping is the
// handler's job, because it depends on the resource.
func requireRole(roles ...auth.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, _ := principalOf(c)
		if !p.Has(roles...) {
			names := make([]string, len(roles))
			for i, r := range roles {
				names[i] = string(r)
			}
			abort(c, forbidden("this action needs the role "+strings.Join(names, " or ")))
			return
		}
		c.Next()
	}
}

// requireRoleOrSelf is requireRole that also lets through the principal whose subject is the
// :id of the path, for routes about the caller's own record.
func requireRoleOrSelf(roles ...auth.Role) gin.HandlerFunc {
	byRole := requireRole(roles...)
	return func(c *gin.Context) {
		if p, _ := principalOf(c); p.Subject != "" && p.Subject == c.Param("id") {
			c.Next()
			return
		}
		byRole(c)
	}
}

// selfParam finds the :id a self route compares with the caller's subject.
var selfParam = regexp.MustCompile(`/:id(/|$)`)

func principalOf(c *gin.Context) (auth.Principal, bool) {
	v, ok := c.Get(ctxPrincipal)
	if !ok {
		return auth.Principal{}, false
	}
	p, ok := v.(auth.Principal)
	return p, ok
}

func mustPrincipal(c *gin.Context) auth.Principal {
	p, _ := principalOf(c)
	return p
}

// embeddedField names an embedded struct (a procedure's form) in the validator's namespaces;
// jsonFieldPath leaves it out.
const embeddedField = "~"

// validate is the one validator of request DTOs; it reports JSON field names.
var validate = newValidator()

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.SetTagName("binding")
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		if f.Anonymous && f.Tag.Get("json") == "" {
			return embeddedField // its fields are the body's own, as encoding/json reads them
		}
		return jsonName(f)
	})
	codePattern := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$`)
	_ = v.RegisterValidation("code", func(fl validator.FieldLevel) bool {
		return codePattern.MatchString(fl.Field().String())
	})
	return v
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
