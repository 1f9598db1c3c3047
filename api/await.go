package api

import (
	"context"
	"time"
)

// awaitState queries a new workflow until done accepts its state — typically, the first step
// is open with its deadline — for at most firstStepWait, and returns the last state it got:
// start until the workflow first answers. A create answers with it, so the caller sees the
// deadline at once in the common case and a pending state, never an error, in the slow one.
func awaitState[T any](ctx context.Context, starter WorkflowStarter, wid, runID, query string, start T, done func(T) bool) T {
	ctx, cancel := context.WithTimeout(ctx, firstStepWait)
	defer cancel()
	last := start
	for delay := 50 * time.Millisecond; ; delay = min(2*delay, time.Second) {
		if v, err := starter.QueryWorkflow(ctx, wid, runID, query); err == nil {
			var got T
			if v.Get(&got) == nil {
				last = got
				if done(got) {
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
