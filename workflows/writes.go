package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/workflows/contract"
)

// changeBatchedWrites is the workflow.GetVersion change id of the writer: executions started
// with it compute the procedure's description and every deadline as local activities, and
// send their read-model writes (projections, timeline) through one writer, which applies all
// the writes of a transition in one ApplyWrites local activity. Executions started before keep one
// activity per write and per computation, as their histories have them.
const changeBatchedWrites = "batched-writes"

// writes is a workflow's read-model writer. Every coroutine of the workflow enqueues its
// writes, in the order it makes them, and goes on; the writer's own coroutine sends what is
// queued whenever the workflow has nothing else to compute (no local activity running), so
// the writes of one transition leave in one activity, and applies batches one after another,
// in order.
//
// Whoever needs the writes applied waits for them: the main coroutine before it waits for
// people or time (sync), before an activity that reads the read model (execute) and before it
// returns (finish); an update handler before it answers (handled), so that its caller reads
// what it did — and what the workflow did next because of it.
type writes struct {
	queue    []activities.Write
	enqueued int // writes enqueued so far
	applied  int // writes applied (or failed) so far
	inFlight bool
	// busy counts the computations in flight (local and regular activities run through
	// local and execute): while one runs, the writer holds its queue for what follows it.
	busy int
	// err is the first write that failed; every later wait returns it.
	err error
	// synced: the main coroutine has reached its first wait (or its end).
	synced bool
}

type writesKey struct{}

// beginWrites starts the writer for executions with changeBatchedWrites and returns the
// context that carries it (nil for executions from before: each write is then its own
// activity). It must run before the workflow's first command.
func beginWrites(ctx workflow.Context) (workflow.Context, *writes) {
	if workflow.GetVersion(ctx, changeBatchedWrites, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return ctx, nil
	}
	w := &writes{}
	// The writer outlives a cancelled request: the closing writes must still land.
	wctx, _ := workflow.NewDisconnectedContext(ctx)
	workflow.Go(wctx, w.run)
	return workflow.WithValue(ctx, writesKey{}, w), w
}

// writesOf is the writer ctx carries, nil for executions from before changeBatchedWrites.
func writesOf(ctx workflow.Context) *writes {
	w, _ := ctx.Value(writesKey{}).(*writes)
	return w
}

func (w *writes) run(ctx workflow.Context) {
	// The batch is a local activity: it runs in the worker within the workflow task that made
	// the writes, so an update or a create is answered in one workflow task, without a round
	// trip through the server's task queue. Its writes are idempotent (revision, event id), so
	// a workflow task retried after a worker died runs it again harmlessly; a database outage
	// is retried with backoff, beyond the task's timeout by the SDK's local-activity timer.
	actx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumInterval: time.Minute},
	})
	for {
		if err := workflow.Await(ctx, func() bool { return len(w.queue) > 0 && w.busy == 0 }); err != nil {
			return
		}
		batch := w.queue
		w.queue, w.inFlight = nil, true
		err := workflow.ExecuteLocalActivity(actx, "ApplyWrites", activities.ApplyWritesInput{Writes: batch}).Get(ctx, nil)
		if err != nil && w.err == nil {
			w.err = fmt.Errorf("write the read model: %w", err)
		}
		w.applied += len(batch)
		w.inFlight = false
	}
}

// write sends one read-model write. With the writer it joins the queue and write returns at
// once (with the error of an earlier write, if one failed); before changeBatchedWrites it is
// the activity given, run to completion.
func (w *writes) write(ctx workflow.Context, item activities.Write, activity, in any) error {
	if w == nil {
		return workflow.ExecuteActivity(activityOptions(ctx), activity, in).Get(ctx, nil)
	}
	w.queue = append(w.queue, item)
	w.enqueued++
	return w.err
}

// sync waits until every write enqueued so far is applied: the main coroutine's step before
// it waits for people or time, so a failed write fails the workflow where it would have
// failed before.
func (w *writes) sync(ctx workflow.Context) error {
	if w == nil {
		return nil
	}
	n := w.enqueued
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	if err := workflow.Await(dctx, func() bool { return w.applied >= n }); err != nil {
		return err
	}
	w.synced = true
	return w.err
}

// idle reports that nothing is queued, being applied or being computed.
func (w *writes) idle() bool { return len(w.queue) == 0 && !w.inFlight && w.busy == 0 }

// settle waits until the workflow is idle: the writes of the caller, and those the workflow
// made because of them before it went back to waiting, are applied. An update handler ends
// with it, so that what its caller reads next shows the outcome (a decision's grant, a
// withdrawal's closed tasks).
func (w *writes) settle(ctx workflow.Context) error {
	if w == nil {
		return nil
	}
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	if err := workflow.Await(dctx, w.idle); err != nil {
		return err
	}
	return w.err
}

// finish is the main coroutine's last step: the writes applied and every update handler done
// (a create's opened update answers then, for a request decided at once).
func (w *writes) finish(ctx workflow.Context, err error) error {
	if w == nil || err != nil {
		return err
	}
	if err := w.sync(ctx); err != nil {
		return err
	}
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	return workflow.Await(dctx, func() bool { return workflow.AllHandlersFinished(dctx) })
}

// hold keeps the writer from sending what is queued until release is called: the workflow
// is in the middle of a transition (it registers handlers, which yields) and more writes of
// the same transition follow.
func (w *writes) hold() (release func()) {
	if w == nil {
		return func() {}
	}
	w.busy++
	return func() { w.busy-- }
}

// local runs a pure computation of the worker's (the procedure's description, a deadline on
// the calendar): a local activity with the writer, a regular one before it. The local
// activity is called by its registered name.
func (w *writes) local(ctx workflow.Context, activity any, name string, in, out any) error {
	if w == nil {
		return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: 10 * time.Second,
		}), activity, in).Get(ctx, out)
	}
	w.busy++
	defer func() { w.busy-- }()
	return workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
	}), name, in).Get(ctx, out)
}

// execute runs an activity that acts on the read model beyond the workflow's own rows (it
// publishes a catalog entry, checks a department): the writes before it are applied first.
// The workflow counts as busy meanwhile, so an update handler waiting to settle waits for
// the writes that follow it.
func (w *writes) execute(ctx workflow.Context, activity, in, out any) error {
	if w == nil {
		return workflow.ExecuteActivity(ctx, activity, in).Get(ctx, out)
	}
	if err := w.sync(ctx); err != nil {
		return err
	}
	w.busy++
	defer func() { w.busy-- }()
	return workflow.ExecuteActivity(ctx, activity, in).Get(ctx, out)
}

// handled wraps an update handler so that it answers once the workflow has settled (see
// settle); before changeBatchedWrites, handlers wrote synchronously and it changes nothing.
func handled[In, Out any](w *writes, h func(workflow.Context, In) (Out, error)) func(workflow.Context, In) (Out, error) {
	if w == nil {
		return h
	}
	return func(ctx workflow.Context, in In) (Out, error) {
		out, err := h(ctx, in)
		if err != nil {
			return out, err
		}
		return out, w.settle(ctx)
	}
}

// registerOpened registers the create's update (contract.UpdateOpened), which the API sends
// with the workflow's start: it answers with the state once the workflow has settled after
// its first transition — the first task open with its deadline and in the read model, or
// the request decided at once — so the create needs no second round trip.
func registerOpened[T any](ctx workflow.Context, w *writes, state func() T) error {
	if err := workflow.SetUpdateHandler(ctx, contract.UpdateOpened, func(ctx workflow.Context) (T, error) {
		if w != nil {
			dctx, _ := workflow.NewDisconnectedContext(ctx)
			if err := workflow.Await(dctx, func() bool { return w.synced && w.idle() }); err != nil {
				var zero T
				return zero, err
			}
			if w.err != nil {
				var zero T
				return zero, w.err
			}
		}
		return state(), nil
	}); err != nil {
		return fmt.Errorf("register update %s: %w", contract.UpdateOpened, err)
	}
	return nil
}

// setMemoTitle sets the memo title Temporal UI shows. The API puts it in the start options;
// executions with the writer upsert it only when the start had none (one command less per
// create), those from before always, as their histories have it.
func setMemoTitle(ctx workflow.Context, w *writes, title string) error {
	if w != nil {
		if memo := workflow.GetInfo(ctx).Memo; memo != nil && memo.GetFields()[contract.MemoTitle] != nil {
			return nil
		}
	}
	return workflow.UpsertMemo(ctx, map[string]any{contract.MemoTitle: title})
}
