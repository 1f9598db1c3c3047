package api

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
)

// Keys of the gin context between the idempotency middleware and the creates that start a
// workflow.
const (
	// ctxIdempotencySeed holds the idempotencySeed of a create sent with an Idempotency-Key.
	ctxIdempotencySeed = "datashare.idempotency_seed"
	// ctxStartAttempted is set once a create has asked Temporal to start its workflow: from
	// then on a failure may have left a workflow running, so the claim must stay.
	ctxStartAttempted = "datashare.start_attempted"
)

// idempotencySeed makes the id of a keyed create deterministic: the same caller, key and
// claim always name the same request, so a retry of a create whose answer was lost (the
// process died, Temporal timed out) addresses the workflow the first attempt started instead
// of starting a second one.
type idempotencySeed struct {
	claimedAt time.Time // the claim's time as stored; the id's time part
	hash      string    // 10 hex digits of SHA-256(subject NUL key); the id's random part
}

// newIdempotencySeed is the seed of subject's key claimed at claimedAt.
func newIdempotencySeed(subject, key string, claimedAt time.Time) idempotencySeed {
	sum := sha256.Sum256([]byte(subject + "\x00" + key))
	return idempotencySeed{claimedAt: claimedAt, hash: hex.EncodeToString(sum[:5])}
}

func seedOf(c *gin.Context) (idempotencySeed, bool) {
	v, ok := c.Get(ctxIdempotencySeed)
	s, _ := v.(idempotencySeed)
	return s, ok
}

// newRequestID is the id of a new case: prefix, the time (China, to the second) and 10 hex
// digits, so that ids sort by time of submission, which the lists use as their order. For a
// create sent with an Idempotency-Key the time is the key's claim and the digits come from the
// caller and the key, so that every attempt of one create gets the same id; otherwise the time
// is now and the digits are random.
func newRequestID(c *gin.Context, prefix string, now time.Time) (string, error) {
	var digits string
	if s, ok := seedOf(c); ok {
		now, digits = s.claimedAt, s.hash
	} else {
		var b [5]byte
		if _, err := rand.Read(b[:]); err != nil {
			return "", fmt.Errorf("make %s id: %w", prefix, err)
		}
		digits = hex.EncodeToString(b[:])
	}
	return prefix + "-" + now.In(chinaTime).Format("20060102150405") + "-" + digits, nil
}

// startProcedure starts a create's workflow (its options reject a duplicate id) and returns
// the run to follow. For a keyed create, a workflow already started under the id is this
// create's own, started by an earlier attempt whose answer was lost or by a concurrent
// duplicate: the create succeeds with it (run id "" follows the latest run) and the answer is
// marked as replayed. Any other error may come after Temporal started the workflow (a timeout
// while it restarts), so the middleware keeps the key's claim for the retry to drive again.
func startProcedure(c *gin.Context, starter WorkflowStarter, opts client.StartWorkflowOptions, workflow any, input any) (runID string, err error) {
	c.Set(ctxStartAttempted, true)
	run, err := starter.ExecuteWorkflow(c.Request.Context(), opts, workflow, input)
	if err == nil {
		return run.GetRunID(), nil
	}
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if _, keyed := seedOf(c); keyed && errors.As(err, &started) {
		c.Header(HeaderIdempotentReplayed, "true")
		return "", nil
	}
	return "", err
}

// startAttempted reports whether the create asked Temporal to start a workflow.
func startAttempted(c *gin.Context) bool { return c.GetBool(ctxStartAttempted) }
