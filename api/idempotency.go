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

// Headers of idempotent creates (docs/api.md).
const (
	// HeaderIdempotencyKey is chosen by the client, one per logical create; a retry sends the
	// same key and gets the first answer instead of a second resource.
	HeaderIdempotencyKey = "Idempotency-Key"
	// HeaderIdempotentReplayed is "true" on an answer replayed from an earlier request.
	HeaderIdempotentReplayed = "Idempotent-Replayed"
)

// idempotencySaveTimeout bounds storing an answer once the caller may be gone.
const idempotencySaveTimeout = 5 * time.Second

// idempotencyAbandonedAfter is how long a claimed key without an answer holds back a retry
// on a route that cannot drive a create again: longer than any create takes (they wait for
// their workflow a few seconds at most), so an older claim belongs to a process that died
// mid-request and is taken over.
const idempotencyAbandonedAfter = 2 * time.Minute

// IdempotencyStore keeps the answers to creates sent with an Idempotency-Key, per caller.
type IdempotencyStore interface {
	// GetIdempotencyRecord returns the stored answer or pending claim, or an error wrapping
	// models.ErrNotFound.
	GetIdempotencyRecord(ctx context.Context, subject, key string) (*models.IdempotencyRecord, error)
	// ClaimIdempotencyKey records a request as started; a key already claimed or answered is
	// models.ErrConflict.
	ClaimIdempotencyKey(ctx context.Context, rec *models.IdempotencyRecord) error
	// CompleteIdempotencyKey stores the answer of the claiming request.
	CompleteIdempotencyKey(ctx context.Context, rec *models.IdempotencyRecord) error
	// ReleaseIdempotencyKey removes a pending claim made before olderThan (any, when zero).
	ReleaseIdempotencyKey(ctx context.Context, subject, key string, olderThan time.Time) error
}

// idempotency makes a create route answer a repeated request (same caller, key, route and
// body) with the stored first answer instead of running the handler again. Only 2xx answers
// are stored: after a 4xx or 5xx the client may fix the request and retry with the same key.
// It runs after authentication, because keys belong to the caller.
//
// On a redrive route (a create that starts a workflow under an id newRequestID derives from
// the seed put in the context) a repeat that finds the key claimed but unanswered runs the
// handler again with the claim's seed instead of waiting: it addresses the same workflow id,
// so it either starts the workflow the first attempt never got to start, or finds it started
// and answers with it. That covers a process killed between the start and the answer, and
// concurrent duplicates, without a second request and without a wait. For the same reason a
// failure after the handler tried to start its workflow keeps the claim (the workflow may
// exist), and only the claimant ever releases it.
func idempotency(store IdempotencyStore, log *slog.Logger, method, route string, redrive bool) gin.HandlerFunc {
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

		// The claim comes first and is the lock: of concurrent requests with one key, one
		// runs and the others are answered from what it stores (or, on a redrive route, drive
		// the same create with the claim's seed).
		ctx := c.Request.Context()
		claimed := true
	claim:
		for attempt := 0; ; attempt++ {
			err := store.ClaimIdempotencyKey(ctx, &fresh)
			if err == nil {
				break
			}
			if !errors.Is(err, models.ErrConflict) {
				abort(c, fmt.Errorf("claim %s: %w", HeaderIdempotencyKey, err))
				return
			}
			stored, err := store.GetIdempotencyRecord(ctx, fresh.Subject, key)
			switch {
			case errors.Is(err, models.ErrNotFound) && attempt == 0:
				continue // released in between: claim again
			case err != nil:
				abort(c, fmt.Errorf("look up %s: %w", HeaderIdempotencyKey, err))
				return
			case !stored.Pending():
				replay(c, stored, &fresh)
				return
			case redrive && sameRequest(stored, &fresh):
				// The claimant died, failed after its start, or still runs: drive the create
				// again under the claim's id.
				fresh.CreatedAt, claimed = stored.CreatedAt, false
				log.InfoContext(ctx, "driving a create again under its pending Idempotency-Key",
					slog.String("request_id", requestID(c)), slog.String("subject", fresh.Subject), slog.Time("claimed_at", stored.CreatedAt))
				break claim
			case !redrive && attempt == 0 && time.Since(stored.CreatedAt) > idempotencyAbandonedAfter:
				// The claiming process died mid-request: take the key over.
				if err := store.ReleaseIdempotencyKey(ctx, fresh.Subject, key, time.Now().Add(-idempotencyAbandonedAfter)); err != nil {
					abort(c, fmt.Errorf("take over %s: %w", HeaderIdempotencyKey, err))
					return
				}
				log.WarnContext(ctx, "took over an Idempotency-Key whose request never answered",
					slog.String("request_id", requestID(c)), slog.String("subject", fresh.Subject), slog.Time("claimed_at", stored.CreatedAt))
				continue
			}
			inProgress(c, stored, &fresh)
			return
		}

		if redrive {
			c.Set(ctxIdempotencySeed, newIdempotencySeed(fresh.Subject, key, fresh.CreatedAt))
		}

		orig := c.Writer
		w := &capturingWriter{ResponseWriter: orig, status: http.StatusOK}
		c.Writer = w
		answered := false
		defer func() {
			c.Writer = orig // also when the handler panics
			// A workflow may exist once its start was tried: a new claim would derive another
			// id, so the claim stays for a retry to drive the same create again.
			if !answered && claimed && !(redrive && startAttempted(c)) {
				release(c, log, store, &fresh)
			}
		}()
		c.Next()
		c.Writer = orig

		if w.status >= 200 && w.status < 300 {
			answered = true
			fresh.Status, fresh.Body = w.status, w.body.String()
			// The create has committed; record it even if the caller hung up, as that caller
			// is the one most likely to retry.
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), idempotencySaveTimeout)
			err := store.CompleteIdempotencyKey(ctx, &fresh)
			cancel()
			// Either way this request's own answer is sent: it reports what it created. On a
			// redrive route a concurrent attempt of the same create may have stored its answer
			// first, about the same id.
			if err != nil && !(redrive && errors.Is(err, models.ErrNotFound)) {
				log.ErrorContext(c.Request.Context(), "store answer for Idempotency-Key; a retry will not be recognised",
					slog.String("request_id", requestID(c)), slog.String("subject", fresh.Subject), slog.String("route", method+" "+route), slog.Any("error", err))
			}
		}
		w.sendTo(orig)
	}
}

// release frees the key of a request that created nothing (an error answer, or a panic), so
// that the client can correct the request and send it again with the same key.
func release(c *gin.Context, log *slog.Logger, store IdempotencyStore, rec *models.IdempotencyRecord) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), idempotencySaveTimeout)
	defer cancel()
	if err := store.ReleaseIdempotencyKey(ctx, rec.Subject, rec.Key, time.Time{}); err != nil {
		log.ErrorContext(ctx, "release Idempotency-Key after a failed request; a retry waits until the claim is abandoned",
			slog.String("request_id", requestID(c)), slog.String("subject", rec.Subject), slog.Any("error", err))
	}
}

// sameRequest reports whether req repeats the request stored was claimed or answered for.
func sameRequest(stored, req *models.IdempotencyRecord) bool {
	return stored.Method == req.Method && stored.Route == req.Route && stored.RequestHash == req.RequestHash
}

// inProgress answers a request whose key is claimed by a request still running: 409 with
// Retry-After, unless the key was claimed for another request (then as replay would).
func inProgress(c *gin.Context, stored, req *models.IdempotencyRecord) {
	if !sameRequest(stored, req) {
		replay(c, stored, req) // refuses the reuse
		return
	}
	c.Header("Retry-After", "1")
	abort(c, &Error{Status: http.StatusConflict, Code: CodeIdempotencyKeyInProgress,
		Message: "a request with this " + HeaderIdempotencyKey + " is still being processed; retry shortly to get its answer",
		Fields:  map[string]string{HeaderIdempotencyKey: "in progress"}})
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
