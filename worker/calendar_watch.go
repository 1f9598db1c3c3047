package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/datashare/datashare/workflows/contract"
)

// CalendarRevisions reports the calendar's revision and version (the models store and the
// calendar source provide them).
type CalendarRevisions interface {
	CalendarRevision(ctx context.Context) (int64, error)
}

// CalendarWatch tells running procedures when an admin changed the working-day calendar, so
// every open task recomputes its deadline (docs/api.md, "Working days and deadlines"): it polls the revision and, when
// it moves, signals recompute_deadline to each running workflow of the task queue.
type CalendarWatch struct {
	Client    client.Client
	Namespace string
	TaskQueue string
	Store     CalendarRevisions
	// Version names the calendar for the timeline; may be nil.
	Version func(ctx context.Context) string
	Every   time.Duration
	// Settle is how long a process may keep a calendar cached after an edit (the calendar
	// source's refresh interval, the same in every process of a deployment). The watch waits
	// this long after it sees an edit before signalling, so that whichever worker runs the
	// recomputation reads the edited calendar; Refresh, when set, drops this process's own
	// cached calendar first.
	Settle  time.Duration
	Refresh func()
	// Behind counts the open tasks whose deadline was computed on another calendar version
	// than the given one; may be nil. An edit made while no worker watched (the year's notice
	// loaded during a deployment) or a release with new embedded notices changes no revision
	// this process sees move: at start, when Behind finds such tasks, the watch signals as
	// after an edit.
	Behind func(ctx context.Context, version string) (int64, error)
	Logger *slog.Logger
}

// Run polls until ctx ends. Several worker replicas each signal: a second recomputation of the
// same calendar is harmless, because the workflow recomputes from the current calendar.
func (w CalendarWatch) Run(ctx context.Context) {
	last, err := w.Store.CalendarRevision(ctx)
	if err != nil {
		w.Logger.Warn("calendar watch: initial revision", slog.Any("error", err))
	}
	behind := w.behind(ctx)
	t := time.NewTicker(w.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rev, err := w.Store.CalendarRevision(ctx)
		if err != nil || (rev == last && !behind) {
			continue
		}
		if w.Settle > 0 {
			select {
			case <-ctx.Done():
				return
			case <-time.After(w.Settle):
			}
		}
		if w.Refresh != nil {
			w.Refresh()
		}
		n, err := w.SignalOpen(ctx)
		if err != nil {
			w.Logger.Warn("calendar watch: signal running procedures", slog.Any("error", err))
			continue // try again at the next tick
		}
		w.Logger.Info("calendar changed: running procedures recompute their deadlines", slog.Int64("revision", rev), slog.Int("workflows", n))
		last, behind = rev, false
	}
}

// behind reports whether open tasks carry deadlines of another calendar version than this
// process's; false when it cannot tell.
func (w CalendarWatch) behind(ctx context.Context) bool {
	if w.Behind == nil || w.Version == nil {
		return false
	}
	version := w.Version(ctx)
	if version == "" {
		return false
	}
	n, err := w.Behind(ctx, version)
	if err != nil {
		w.Logger.Warn("calendar watch: deadlines on another calendar", slog.Any("error", err))
		return false
	}
	if n > 0 {
		w.Logger.Info("calendar watch: open tasks have deadlines of another calendar version", slog.String("calendar_version", version), slog.Int64("tasks", n))
	}
	return n > 0
}

// SignalOpen signals recompute_deadline to every running workflow of the task queue and returns
// how many it reached.
func (w CalendarWatch) SignalOpen(ctx context.Context) (int, error) {
	sig := contract.RecomputeDeadlineSignal{}
	if w.Version != nil {
		sig.CalendarVersion = w.Version(ctx)
	}
	query := fmt.Sprintf("ExecutionStatus = 'Running' AND TaskQueue = '%s'", w.TaskQueue)
	var token []byte
	n := 0
	for {
		resp, err := w.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: w.Namespace, Query: query, NextPageToken: token, PageSize: 500,
		})
		if err != nil {
			return n, fmt.Errorf("list running workflows: %w", err)
		}
		for _, ex := range resp.GetExecutions() {
			err := w.Client.SignalWorkflow(ctx, ex.GetExecution().GetWorkflowId(), ex.GetExecution().GetRunId(), contract.SignalRecomputeDeadline, sig)
			var nf *serviceerror.NotFound
			switch {
			case err == nil:
				n++
			case errors.As(err, &nf): // finished meanwhile
			default:
				return n, fmt.Errorf("signal %s: %w", ex.GetExecution().GetWorkflowId(), err)
			}
		}
		token = resp.GetNextPageToken()
		if len(token) == 0 {
			return n, nil
		}
	}
}
