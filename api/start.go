package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/datashare/datashare/workflows/contract"
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

// UpdateWithStarter starts a workflow together with an update (Update-with-Start); the
// Temporal client is one. A create sends the procedure's contract.UpdateOpened with its start
// and gets the opened first step back in the same round trip.
type UpdateWithStarter interface {
	NewWithStartWorkflowOperation(options client.StartWorkflowOptions, workflow any, args ...any) client.WithStartWorkflowOperation
	UpdateWithStartWorkflow(ctx context.Context, options client.UpdateWithStartWorkflowOptions) (client.WorkflowUpdateHandle, error)
}

// started is the outcome of startProcedure: the run to follow and, when the workflow answered
// the create's opened update, its state.
type started struct {
	runID string
	// opened decodes the procedure's state after its first step; nil when the workflow did not
	// answer (a replayed keyed create, a starter without Update-with-Start, a slow start).
	opened func(valuePtr any) error
}

// startProcedure starts a create's workflow (its options reject a duplicate id) and returns
// the run to follow. Where the starter can, the start carries the opened update, which
// answers once the first step is open with its deadline and in the read model, so the create
// answers from it without polling. For a keyed create, a workflow already started under the
// id is this create's own, started by an earlier attempt whose answer was lost or by a
// concurrent duplicate: the create succeeds with it (run id "" follows the latest run) and the
// answer is marked as replayed. Any other error may come after Temporal started the workflow
// (a timeout while it restarts), so the middleware keeps the key's claim for the retry to
// drive again.
func startProcedure(c *gin.Context, starter WorkflowStarter, opts client.StartWorkflowOptions, workflow any, input any) (started, error) {
	c.Set(ctxStartAttempted, true)
	if opts.StaticSummary == "" {
		opts.StaticSummary = staticSummary(opts)
	}
	var run started
	var err error
	if us, ok := starter.(UpdateWithStarter); ok {
		run, err = startWithUpdate(c.Request.Context(), us, opts, workflow, input)
	} else {
		var r client.WorkflowRun
		if r, err = starter.ExecuteWorkflow(c.Request.Context(), opts, workflow, input); err == nil {
			run.runID = r.GetRunID()
		}
	}
	if err == nil {
		return run, nil
	}
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if _, keyed := seedOf(c); keyed && errors.As(err, &already) {
		c.Header(HeaderIdempotentReplayed, "true")
		return started{}, nil
	}
	return started{}, err
}

// startWithUpdate starts the workflow with its opened update and waits, at most firstStepWait,
// for the answer. The workflow is started once the call returns without a start error; an
// update that fails or does not answer in time leaves the create to read the state by query.
func startWithUpdate(ctx context.Context, us UpdateWithStarter, opts client.StartWorkflowOptions, workflow, input any) (started, error) {
	opts.WorkflowIDConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL
	op := us.NewWithStartWorkflowOperation(opts, workflow, input)
	uctx, cancel := context.WithTimeout(ctx, firstStepWait)
	defer cancel()
	handle, updErr := us.UpdateWithStartWorkflow(uctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: op,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateName: contract.UpdateOpened, WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	// A start refused (the id is taken) fails the whole call, and the operation never learns
	// a run; any other failure came after a start the operation has seen, or before any.
	var already *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(updErr, &already) {
		return started{}, updErr
	}
	sctx, scancel := context.WithTimeout(ctx, time.Second)
	defer scancel()
	run, err := op.Get(sctx)
	if err != nil && updErr != nil {
		err = updErr
	}
	if err != nil {
		return started{}, err
	}
	out := started{runID: run.GetRunID()}
	if updErr == nil {
		out.opened = func(valuePtr any) error { return handle.Get(uctx, valuePtr) }
	}
	return out, nil
}

// staticSummary is the one line Temporal UI lists the workflow with: the case's id (the last
// three parts of the workflow id, PREFIX-time-digits) and what its memo title names, the
// resource and who asked, instead of the bare workflow id.
func staticSummary(opts client.StartWorkflowOptions) string {
	parts := strings.Split(opts.ID, "-")
	id := opts.ID
	if len(parts) > 3 {
		id = strings.Join(parts[len(parts)-3:], "-")
	}
	if title, _ := opts.Memo[contract.MemoTitle].(string); title != "" {
		return id + " · " + title
	}
	return id
}

// opened decodes the state the workflow answered the create with; ok is false when it did not
// answer or the answer does not decode.
func openedState[T any](s started) (T, bool) {
	var st T
	if s.opened == nil || s.opened(&st) != nil {
		return st, false
	}
	return st, true
}

// startAttempted reports whether the create asked Temporal to start a workflow.
func startAttempted(c *gin.Context) bool { return c.GetBool(ctxStartAttempted) }
