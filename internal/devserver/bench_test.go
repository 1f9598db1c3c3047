package devserver

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

func benchActivity(_ context.Context, n int) (int, error) { return n + 1, nil }

func benchWorkflow(ctx workflow.Context, n int) (int, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	var out int
	err := workflow.ExecuteActivity(ctx, benchActivity, n).Get(ctx, &out)
	return out, err
}

// BenchmarkWorkflowWithActivity measures the embedded server's throughput on its SQLite file:
// b.N workflows of one activity each, started at once and awaited. Run it as
// `go test -run x -bench WorkflowWithActivity -benchtime 1000x ./internal/devserver/`.
func BenchmarkWorkflowWithActivity(b *testing.B) {
	port := func() int {
		p, err := freePort(loopback)
		if err != nil {
			b.Fatal(err)
		}
		return p
	}
	srv, err := Start(context.Background(), Options{
		DataDir: b.TempDir(), FrontendPort: port(), UIPort: -1,
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Stop()
	c, err := client.Dial(client.Options{HostPort: srv.FrontendHostPort(), Logger: sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	w := worker.New(c, "bench", worker.Options{})
	w.RegisterWorkflow(benchWorkflow)
	w.RegisterActivity(benchActivity)
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	defer w.Stop()

	ctx := context.Background()
	b.ResetTimer()
	runs := make([]client.WorkflowRun, b.N)
	for i := range runs {
		runs[i], err = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("bench-%d-%d", b.N, i), TaskQueue: "bench"}, benchWorkflow, i)
		if err != nil {
			b.Fatal(err)
		}
	}
	for i, r := range runs {
		var out int
		if err := r.Get(ctx, &out); err != nil || out != i+1 {
			b.Fatalf("workflow %d: %v (%d)", i, err, out)
		}
	}
}
