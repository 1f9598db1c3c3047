package api

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/datashare/datashare/models"
)

// Headers of idempotent creates (DESIGN.md section 6).
const (
	// HeaderIdempotencyKey is chosen by the client, one per logical create; a retry sends the
	// same key and gets the first answer instead of a second resource.
	HeaderIdempotencyKey = "Idempotency-Key"
	// HeaderIdempotentReplayed is "true" on an answer replayed from an earlier request.
	HeaderIdempotentReplayed = "Idempotent-Replayed"
)

// idempotencySaveTimeout bounds storing an answer once the caller may be gone.
const idempotencySaveTimeout = 5 * time.Second

// IdempotencyStore keeps the answers to creates sent with an Idempotency-Key, per caller.
type IdempotencyStore interface {
	// GetIdempotencyRecord returns the stored answer, or an error wrapping models.ErrNotFound.
	GetIdempotencyRecord(ctx context.Context, subject, key string) (*models.IdempotencyRecord, error)
	// SaveIdempotencyRecord stores an answer; a key already stored is models.ErrConflict.
	SaveIdempotencyRecord(ctx context.Context, rec *models.IdempotencyRecord) error
}

// idempotency makes a create route answer a repeated request (same caller, key, route and
// body) with the stored first answer instead of running the handler again. Only 2xx answers
// are stored: after a 4xx or 5xx the client may fix the request and retry with the same key.
// It runs after authentication, because keys belong to the caller.
func idempotency(store IdempotencyStore, log *slog.Logger, method, route string) gin.HandlerFunc {
	return func(c *gin.Context) {
		values := c.Request.Header.Values(HeaderIdempotencyKey)
		if len(values) == 0 {
			c.Next()
			return
		}
		key := values[0]
		if len(values) > 1 || !validIdempotencyKey(key) {
			abort(c, invalidField(HeaderIdempotencyKey, fmt.Sprintf("must be sent once, as 1-%d printable ASCII characters", models.MaxIdempotencyKeyLength)))
			return
		}
		body, err := readAndRestoreBody(c.Request)
		if err != nil {
			abort(c, err)
			return
		}
		sum := sha256.Sum256(body)
		fresh := models.IdempotencyRecord{
			Subject: mustPrincipal(c).Subject, Key: key,
			Method: method, Route: route, RequestHash: hex.EncodeToString(sum[:]),
		}

		stored, err := store.GetIdempotencyRecord(c.Request.Context(), fresh.Subject, key)
		switch {
		case err == nil:
			replay(c, stored, &fresh)
			return
		case !errors.Is(err, models.ErrNotFound):
			abort(c, fmt.Errorf("look up %s: %w", HeaderIdempotencyKey, err))
			return
		}

		orig := c.Writer
		w := &capturingWriter{ResponseWriter: orig, status: http.StatusOK}
		c.Writer = w
		defer func() { c.Writer = orig }() // also when the handler panics
		c.Next()
		c.Writer = orig

		if w.status >= 200 && w.status < 300 {
			fresh.Status, fresh.Body = w.status, w.body.String()
			// The create has committed; record it even if the caller hung up, as that caller
			// is the one most likely to retry.
			ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), idempotencySaveTimeout)
			err := store.SaveIdempotencyRecord(ctx, &fresh)
			cancel()
			// Either way this request's own answer is sent: it reports what it created.
			if errors.Is(err, models.ErrConflict) {
				log.WarnContext(c.Request.Context(), "a concurrent request with the same Idempotency-Key stored its answer first; this answer is not stored",
					slog.String("request_id", requestID(c)), slog.String("subject", fresh.Subject), slog.String("route", method+" "+route))
			} else if err != nil {
				log.ErrorContext(c.Request.Context(), "store answer for Idempotency-Key; a retry will not be recognised",
					slog.String("request_id", requestID(c)), slog.String("subject", fresh.Subject), slog.String("route", method+" "+route), slog.Any("error", err))
			}
		}
		w.sendTo(orig)
	}
}

// replay answers with the stored answer when the request is the one it was stored for, and
// refuses a key reused for another request.
func replay(c *gin.Context, stored, req *models.IdempotencyRecord) {
	if stored.Method != req.Method || stored.Route != req.Route {
		abort(c, keyReused(fmt.Sprintf("%s was already used for %s %s", HeaderIdempotencyKey, stored.Method, stored.Route)))
		return
	}
	if stored.RequestHash != req.RequestHash {
		abort(c, keyReused(HeaderIdempotencyKey+" was already used with a different request body"))
		return
	}
	c.Header(HeaderIdempotentReplayed, "true")
	c.Data(stored.Status, "application/json; charset=utf-8", []byte(stored.Body))
	c.Abort()
}

func keyReused(message string) *Error {
	return &Error{
		Status: http.StatusUnprocessableEntity, Code: CodeIdempotencyKeyReused,
		Message: message + "; send a new key for a new request",
		Fields:  map[string]string{HeaderIdempotencyKey: "already used for another request"},
	}
}

func validIdempotencyKey(key string) bool {
	if key == "" || len(key) > models.MaxIdempotencyKeyLength {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return false
		}
	}
	return true
}

// readAndRestoreBody reads the (already size-limited) body and puts an unread copy back for
// the handler.
func readAndRestoreBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return body, nil
}

// capturingWriter holds the handler's response back until the middleware has stored it, so
// that nothing reaches the client before the answer is decided. Headers go straight to the
// underlying writer's header map, as they would without it.
type capturingWriter struct {
	gin.ResponseWriter
	status  int
	written bool
	body    bytes.Buffer
}

func (w *capturingWriter) WriteHeader(code int) {
	if code > 0 && !w.written {
		w.status = code
	}
}

func (w *capturingWriter) WriteHeaderNow() { w.written = true }

func (w *capturingWriter) Write(b []byte) (int, error) {
	w.written = true
	return w.body.Write(b)
}

func (w *capturingWriter) WriteString(s string) (int, error) {
	w.written = true
	return w.body.WriteString(s)
}

func (w *capturingWriter) Status() int { return w.status }

func (w *capturingWriter) Size() int {
	if !w.written {
		return -1
	}
	return w.body.Len()
}

func (w *capturingWriter) Written() bool { return w.written }

// Flush does nothing: the response is sent whole when the handler is done.
func (w *capturingWriter) Flush() {}

func (w *capturingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return nil, nil, errors.New("an idempotent route cannot hijack its connection")
}

// sendTo writes the held status and body to dst.
func (w *capturingWriter) sendTo(dst gin.ResponseWriter) {
	dst.WriteHeader(w.status)
	if w.body.Len() > 0 {
		_, _ = dst.Write(w.body.Bytes())
	} else {
		dst.WriteHeaderNow()
	}
}
