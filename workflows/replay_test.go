package workflows_test

import (
	"log/slog"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/datashare/datashare/workflows"
)

// TestReplayShareRequestHistories replays every recorded ShareRequestWorkflow history in
// testdata against the current code: a change to the workflow's commands that would break
// running workflows fails here and needs workflow.GetVersion. Histories are
// recorded from a real server by record_test.go (go test -tags record -run TestRecord -update).
func TestReplayShareRequestHistories(t *testing.T) {
	files, err := historyFiles("share_request_*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no recorded histories in testdata")
	}
	replayer := worker.NewWorkflowReplayer()
	replayer.RegisterWorkflow(workflows.ShareRequestWorkflow)
	logger := log.NewStructuredLogger(slog.New(slog.DiscardHandler))
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if err := replayer.ReplayWorkflowHistoryFromJSONFile(logger, f); err != nil {
				t.Fatalf("replay %s: %v", f, err)
			}
		})
	}
}

// historyFiles lists the recorded histories matching pattern: those of the current code in
// testdata and those recorded before a change in its subfolders (before_batched_writes: one
// activity per write), which running workflows may still have and must keep replaying.
func historyFiles(pattern string) ([]string, error) {
	now, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil {
		return nil, err
	}
	before, err := filepath.Glob(filepath.Join("testdata", "*", pattern))
	return append(now, before...), err
}
