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

// TestReplayCatalogUpdateHistories replays every recorded CatalogUpdateWorkflow history in
// testdata against the current code: a change to the workflow's commands that would break
// running updates fails here and needs workflow.GetVersion. The histories
// are recorded by record_catalog_update_test.go.
func TestReplayCatalogUpdateHistories(t *testing.T) {
	files, err := historyFiles("catalog_update_*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no recorded catalog-update histories in testdata")
	}
	replayer := worker.NewWorkflowReplayer()
	replayer.RegisterWorkflowWithOptions(workflows.CatalogUpdateWorkflow, workflow.RegisterOptions{Name: contract.CatalogUpdateWorkflowType})
	logger := log.NewStructuredLogger(slog.New(slog.DiscardHandler))
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if err := replayer.ReplayWorkflowHistoryFromJSONFile(logger, f); err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
}
