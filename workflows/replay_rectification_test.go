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

// TestReplayRectificationHistories replays the recorded RectificationWorkflow and consequence
// histories against the current code (record_rectification_test.go records them).
func TestReplayRectificationHistories(t *testing.T) {
	files, err := historyFiles("rectification_*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("recorded histories in testdata: %v, want the rectification and its consequence", files)
	}
	replayer := worker.NewWorkflowReplayer()
	replayer.RegisterWorkflowWithOptions(workflows.RectificationWorkflow, workflow.RegisterOptions{Name: contract.RectificationWorkflowType})
	replayer.RegisterWorkflowWithOptions(workflows.RectificationConsequenceWorkflow, workflow.RegisterOptions{Name: contract.RectificationConsequenceWorkflowType})
	logger := log.NewStructuredLogger(slog.New(slog.DiscardHandler))
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if err := replayer.ReplayWorkflowHistoryFromJSONFile(logger, f); err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
}
