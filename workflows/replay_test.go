package workflows_test

import (
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
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

// TestCreateIsOneWorkflowTask reads the share-request histories recorded from a real server,
// started as the API starts them (memo and search attributes in the start, the opened update
// with it), which TestReplayShareRequestHistories replays against the code: from the start to
// the opened update's answer there is one workflow task, no activity through the task queue,
// no memo written again, and besides the SDK's version markers' at most two search-attribute
// upserts: the due time and, for a resource not for sharing, the status negotiating.
func TestCreateIsOneWorkflowTask(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "share_request_*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("recorded histories: %v, %v", files, err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var h struct {
			Events []struct {
				EventType string `json:"eventType"`
				Upsert    *struct {
					SearchAttributes struct {
						IndexedFields map[string]json.RawMessage `json:"indexedFields"`
					} `json:"searchAttributes"`
				} `json:"upsertWorkflowSearchAttributesEventAttributes"`
			} `json:"events"`
		}
		if err := json.Unmarshal(raw, &h); err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		answered := false
		ownUpserts := 1 // the due time
		if strings.Contains(f, "_none_") {
			ownUpserts = 2 // and the status: a dispute from the start
		}
		for _, e := range h.Events {
			if e.EventType == "EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED" {
				answered = true
				break
			}
			count[e.EventType]++
			if e.Upsert != nil && e.Upsert.SearchAttributes.IndexedFields["TemporalChangeVersion"] == nil {
				count["own upserts"]++
			}
		}
		if !answered || count["EVENT_TYPE_WORKFLOW_TASK_COMPLETED"] != 1 || count["EVENT_TYPE_ACTIVITY_TASK_SCHEDULED"] != 0 ||
			count["EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED"] != 0 || count["own upserts"] > ownUpserts {
			t.Errorf("%s: before the opened answer (answered %v): %v", filepath.Base(f), answered, count)
		}
	}
}
