package worker

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/internal/devserver"
	"github.com/datashare/datashare/internal/testutil"
	"github.com/datashare/datashare/workflows/contract"
)

type fakeRevisions struct{ rev atomic.Int64 }

func (f *fakeRevisions) CalendarRevision(context.Context) (int64, error) { return f.rev.Load(), nil }

// waitForRecompute stands in for a procedure with an open task: it ends with the calendar
// version of the first recompute signal it receives.
func waitForRecompute(ctx workflow.Context) (string, error) {
	var sig contract.RecomputeDeadlineSignal
	workflow.GetSignalChannel(ctx, contract.SignalRecomputeDeadline).Receive(ctx, &sig)
	return sig.CalendarVersion, nil
}

// TestCalendarWatchSignalsRunningWorkflows runs a real server: after the revision moves, every
// running workflow of the task queue receives recompute_deadline.
func TestCalendarWatchSignalsRunningWorkflows(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	srv, err := devserver.Start(context.Background(), devserver.Options{DataDir: t.TempDir(), FrontendPort: testutil.FreePort(t), UIPort: -1, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	c, err := client.Dial(client.Options{HostPort: srv.FrontendHostPort(), Logger: sdklog.NewStructuredLogger(quiet)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const queue = "calendar-watch-test"
	w := sdkworker.New(c, queue, sdkworker.Options{})
	w.RegisterWorkflow(waitForRecompute)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var runs []client.WorkflowRun
	for _, id := range []string{"open-1", "open-2"} {
		r, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue}, waitForRecompute)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	revs := &fakeRevisions{}
	// The process's cached calendar is dropped before the signal names its version: without
	// the refresh the signal would carry the calendar from before the edit.
	var refreshed atomic.Bool
	watch := CalendarWatch{
		Client: c, Namespace: "default", TaskQueue: queue, Store: revs,
		Version: func(context.Context) string {
			if refreshed.Load() {
				return "cn-2026.1+r1"
			}
			return "cn-2026.1+r0"
		},
		Every: 50 * time.Millisecond, Settle: 100 * time.Millisecond, Refresh: func() { refreshed.Store(true) },
		Logger: quiet,
	}
	go watch.Run(ctx)
	// Visibility lists a started workflow shortly after its start; the edit comes after that.
	time.Sleep(500 * time.Millisecond)
	revs.rev.Store(1)
	for _, r := range runs {
		var version string
		if err := r.Get(ctx, &version); err != nil || version != "cn-2026.1+r1" {
			t.Fatalf("%s: version %q, err %v", r.GetID(), version, err)
		}
	}
}
