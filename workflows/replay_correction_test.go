package workflows_test

import (
	"encoding/json"
	"log/slog"
	"path/filepath"
	"reflect"
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

// A correction started before the form was a type of its own carries a relayed objection under
// "citizen": its input decodes it into the form's citizen_objection, so the workflow projects
// it as before; an input written now round-trips as it is.
func TestCorrectionInputDecodesTheObjectionAsRecorded(t *testing.T) {
	recorded := `{"correction_id":"DC-1","resource":{"id":7,"code":"NX-1","name":"企业年报信息","share_type":"conditional",` +
		`"provider_dept_id":"dept-provider"},"reporter":{"department_id":"dept-applicant","subject":"bob"},` +
		`"fields":["注册资本"],"description":"注册资本与营业执照不一致","evidence":{"attachments":["att-1"],"text":"营业执照副本"},` +
		`"citizen":{"source":"窗口受理 2026-0042"},"received_at":"2026-02-12T02:00:00Z","authority_dept_id":"dept-authority"}`
	var in contract.CorrectionInput
	if err := json.Unmarshal([]byte(recorded), &in); err != nil {
		t.Fatal(err)
	}
	want := contract.CorrectionForm{Fields: []string{"注册资本"}, Description: "注册资本与营业执照不一致",
		Evidence:         contract.CorrectionEvidence{Attachments: []string{"att-1"}, Text: "营业执照副本"},
		CitizenObjection: &contract.CitizenObjection{Source: "窗口受理 2026-0042"}}
	if !reflect.DeepEqual(in.CorrectionForm, want) || in.CorrectionID != "DC-1" || in.Reporter.Subject != "bob" ||
		in.AuthorityDeptID != "dept-authority" || in.ReceivedAt.IsZero() {
		t.Fatalf("the recorded input decodes as %+v, want its form %+v", in, want)
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var again contract.CorrectionInput
	if err := json.Unmarshal(b, &again); err != nil || !reflect.DeepEqual(again, in) {
		t.Errorf("the input written now %s decodes as %+v (%v), want %+v", b, again, err, in)
	}
}
