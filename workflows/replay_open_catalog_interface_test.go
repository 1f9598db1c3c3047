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

// TestReplayOpenCatalogInterfaceHistories replays the recorded histories of
// OpenCatalogCorrectionWorkflow and InterfaceRequirementWorkflow against the current code, so
// that a change of their commands without workflow.GetVersion fails here. The histories are
// recorded by record_open_catalog_interface_test.go.
func TestReplayOpenCatalogInterfaceHistories(t *testing.T) {
	for _, c := range []struct {
		glob, name string
		fn         any
	}{
		{"open_catalog_correction_*.json", contract.OpenCatalogCorrectionWorkflowType, workflows.OpenCatalogCorrectionWorkflow},
		{"interface_requirement_*.json", contract.InterfaceRequirementWorkflowType, workflows.InterfaceRequirementWorkflow},
	} {
		files, err := historyFiles(c.glob)
		if err != nil {
			t.Fatal(err)
		}
		if len(files) == 0 {
			t.Fatalf("no recorded %s histories in testdata", c.name)
		}
		replayer := worker.NewWorkflowReplayer()
		replayer.RegisterWorkflowWithOptions(c.fn, workflow.RegisterOptions{Name: c.name})
		logger := log.NewStructuredLogger(slog.New(slog.DiscardHandler))
		for _, f := range files {
			t.Run(filepath.Base(f), func(t *testing.T) {
				if err := replayer.ReplayWorkflowHistoryFromJSONFile(logger, f); err != nil {
					t.Fatalf("replay %s: %v", f, err)
				}
			})
		}
	}
}
