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

// TestReplayCorrectionHistories replays every recorded CorrectionWorkflow history in testdata
// against the current code, as TestReplayShareRequestHistories does for share requests.
// Histories are recorded by record_correction_test.go.
func TestReplayCorrectionHistories(t *testing.T) {
	files, err := historyFiles("correction_*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no recorded correction histories in testdata")
	}
	replayer := worker.NewWorkflowReplayer()
	replayer.RegisterWorkflowWithOptions(workflows.CorrectionWorkflow, workflow.RegisterOptions{Name: contract.CorrectionWorkflowType})
	logger := log.NewStructuredLogger(slog.New(slog.DiscardHandler))
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if err := replayer.ReplayWorkflowHistoryFromJSONFile(logger, f); err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
}
