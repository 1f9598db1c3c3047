package api

import (
	"context"
	"time"
)

// awaitState answers a create with the state its workflow gave the opened update (run.opened),
// which comes once the first step is open and in the read model. Without that answer (an
// execution replayed for a keyed create, a slow start) it queries the workflow until done
// accepts its state — typically, the first step
// is open with its deadline — for at most firstStepWait, and returns the last state it got:
// start until the workflow first answers. A create answers with it, so the caller sees the
// deadline at once in the common case and a pending state, never an error, in the slow one.
//
// When open says the accepted state has a task open, it also waits, within the same bound,
// until the read model lists that task (its projection is an activity of its own, after the
// step opens), so that the caller's next read — its inbox, the request's open tasks — shows
// what the answer says.
func awaitState[T any](ctx context.Context, starter WorkflowStarter, tasks OpenTasks, wid string, run started, query string, start T, done, open func(T) bool) T {
	if st, ok := openedState[T](run); ok && done(st) {
		return st
	}
	runID := run.runID
	ctx, cancel := context.WithTimeout(ctx, firstStepWait)
	defer cancel()
	last := start
	for delay := 50 * time.Millisecond; ; delay = min(2*delay, time.Second) {
		if v, err := starter.QueryWorkflow(ctx, wid, runID, query); err == nil {
			var got T
			if v.Get(&got) == nil {
				last = got
				if done(got) {
					if tasks != nil && open(got) {
						awaitOpenTask(ctx, tasks, wid)
					}
					return got
				}
			}
		}
		select {
		case <-ctx.Done():
			return last
		case <-time.After(delay):
		}
	}
}

// OpenTasks tells whether the read model lists an open task of a workflow.
type OpenTasks interface {
	HasOpenTask(ctx context.Context, workflowID string) (bool, error)
}

// awaitOpenTask polls the read model until it lists an open task of the workflow or ctx ends.
func awaitOpenTask(ctx context.Context, tasks OpenTasks, wid string) {
	for delay := 5 * time.Millisecond; ; delay = min(2*delay, 200*time.Millisecond) {
		if ok, err := tasks.HasOpenTask(ctx, wid); err == nil && ok {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
	}
}
