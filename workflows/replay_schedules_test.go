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

// TestReplayScheduledHistories replays the recorded runs of the scheduled workflows — the
// yearly annual-report round and the nightly audit purge — against the current code.
// Histories are recorded by record_annual_report_test.go.
func TestReplayScheduledHistories(t *testing.T) {
	files, err := historyFiles("schedule_*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Fatalf("recorded scheduled histories = %v, want the round and the purge", files)
	}
	replayer := worker.NewWorkflowReplayer()
	replayer.RegisterWorkflowWithOptions(workflows.AnnualReportRoundWorkflow, workflow.RegisterOptions{Name: contract.AnnualReportRoundWorkflowType})
	replayer.RegisterWorkflowWithOptions(workflows.AuditPurgeWorkflow, workflow.RegisterOptions{Name: contract.AuditPurgeWorkflowType})
	logger := log.NewStructuredLogger(slog.New(slog.DiscardHandler))
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if err := replayer.ReplayWorkflowHistoryFromJSONFile(logger, f); err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
}
