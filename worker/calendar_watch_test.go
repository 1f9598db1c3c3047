package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
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

	// A worker that starts after an edit it never saw (the 2027 notice loaded while no worker
	// ran, or a release embedding it): the revision does not move, but open tasks carry
	// deadlines of another calendar version, so the watch signals at start.
	late, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "open-3", TaskQueue: queue}, waitForRecompute)
	if err != nil {
		t.Fatal(err)
	}
	waitListed(ctx, t, c, queue, "open-3")
	var asked atomic.Value
	restarted := watch
	restarted.Version = func(context.Context) string { return "cn-2027.1+r1" }
	restarted.Refresh = nil
	restarted.Behind = func(_ context.Context, version string) (int64, error) {
		asked.Store(version)
		return 1, nil
	}
	go restarted.Run(ctx)
	var version string
	if err := late.Get(ctx, &version); err != nil || version != "cn-2027.1+r1" || asked.Load() != "cn-2027.1+r1" {
		t.Fatalf("open-3 after a restart: version %q, err %v, Behind asked about %v", version, err, asked.Load())
	}
}

// waitListed waits until visibility lists the running workflow id.
func waitListed(ctx context.Context, t *testing.T, c client.Client, queue, id string) {
	t.Helper()
	query := fmt.Sprintf("ExecutionStatus = 'Running' AND TaskQueue = '%s' AND WorkflowId = '%s'", queue, id)
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: "default", Query: query})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.GetExecutions()) > 0 {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s never listed: %v", id, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// TestCalendarWatchBehind: the watch signals at start only when the store finds open tasks
// on another calendar version than this process's, and not when it cannot tell.
func TestCalendarWatchBehind(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	version := func(v string) func(context.Context) string { return func(context.Context) string { return v } }
	count := func(n int64, err error) func(context.Context, string) (int64, error) {
		return func(context.Context, string) (int64, error) { return n, err }
	}
	tests := []struct {
		name  string
		watch CalendarWatch
		want  bool
	}{
		{"tasks behind", CalendarWatch{Version: version("cn-2027.1+r0"), Behind: count(3, nil)}, true},
		{"all on this version", CalendarWatch{Version: version("cn-2027.1+r0"), Behind: count(0, nil)}, false},
		{"store failing", CalendarWatch{Version: version("cn-2027.1+r0"), Behind: count(0, errors.New("db down"))}, false},
		{"calendar unavailable", CalendarWatch{Version: version(""), Behind: count(3, nil)}, false},
		{"no check configured", CalendarWatch{Version: version("cn-2027.1+r0")}, false},
	}
	for _, tc := range tests {
		tc.watch.Logger = quiet
		if got := tc.watch.behind(context.Background()); got != tc.want {
			t.Errorf("%s: behind = %v, want %v", tc.name, got, tc.want)
		}
	}
}
