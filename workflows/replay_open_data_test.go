package workflows_test

import (
	"log/slog"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/workflows"
	"github.com/datashare/datashare/workflows/contract"
)

// TestReplayOpenDataHistories replays every recorded OpenDataRequestWorkflow history in
// testdata against the current code, as TestReplayShareRequestHistories does for share
// requests. Histories are recorded by record_open_data_test.go.
func TestReplayOpenDataHistories(t *testing.T) {
	files, err := historyFiles("open_data_*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no recorded open-data histories in testdata")
	}
	replayer := worker.NewWorkflowReplayer()
	replayer.RegisterWorkflowWithOptions(workflows.OpenDataRequestWorkflow, workflow.RegisterOptions{Name: contract.OpenDataRequestWorkflowType})
	logger := log.NewStructuredLogger(slog.New(slog.DiscardHandler))
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if err := replayer.ReplayWorkflowHistoryFromJSONFile(logger, f); err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
}
