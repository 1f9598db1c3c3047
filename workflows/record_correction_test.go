//go:build record

package workflows_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/devserver"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/internal/testutil"
	"github.com/datashare/datashare/workflows"
	"github.com/datashare/datashare/workflows/contract"
)

// This file records the histories TestReplayCorrectionHistories replays, as record_test.go
// does for share requests:
//
//	CGO_ENABLED=0 go test -tags record ./workflows -run TestRecordCorrection -update

func (discard) SaveCorrection(context.Context, activities.ProjectCorrectionInput) error { return nil }

// DepartmentKind takes every dispatch target as a producing department.
func (discard) DepartmentKind(context.Context, string) (string, bool, error) {
	return "department", true, nil
}

var recTech = contract.Actor{Subject: "tina", DepartmentID: "dept-tech", Roles: []string{policy.RoleTechService}}

// recordCorrection starts a server and worker, starts a correction under the profile, lets
// drive act on it, waits for the result and saves the history as
// testdata/correction_<name>.json.
func recordCorrection(t *testing.T, name, profile string, drive func(r *recording)) contract.CorrectionState {
	if !*update {
		t.Skip("run with -update to record histories")
	}
	quiet := slog.New(slog.DiscardHandler)
	srv, err := devserver.Start(context.Background(), devserver.Options{DataDir: t.TempDir(),
		FrontendPort: testutil.FreePort(t), UIPort: -1, Logger: quiet, SearchAttributes: contract.SearchAttributes()})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	c, err := client.Dial(client.Options{HostPort: srv.FrontendHostPort(), Namespace: devserver.DefaultNamespace,
		Logger: log.NewStructuredLogger(quiet)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cal, err := calendar.New(calendar.Options{})
	if err != nil {
		t.Fatal(err)
	}
	prof, err := policy.Select(profile, "", policy.LocalDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	w := sdkworker.New(c, "record-correction", sdkworker.Options{})
	w.RegisterWorkflowWithOptions(workflows.CorrectionWorkflow, workflow.RegisterOptions{Name: contract.CorrectionWorkflowType})
	w.RegisterActivity(&activities.Activities{Calendars: fixedCalendar{cal}, Policy: prof, Store: discard{}})
	w.RegisterActivity(&activities.CorrectionActivities{Store: discard{}, Departments: discard{}})
	w.RegisterActivity(writesOver(&activities.Activities{Calendars: fixedCalendar{cal}, Policy: prof, Store: discard{}}, &activities.CorrectionActivities{Store: discard{}, Departments: discard{}}))
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	correctionID := "DC-REC-" + name
	id := contract.CorrectionWorkflowID(correctionID)
	tech := ""
	if profile == "neixiang" {
		tech = "dept-tech"
	}
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "record-correction"},
		contract.CorrectionWorkflowType, contract.CorrectionInput{
			CorrectionID: correctionID,
			Resource: contract.ShareResource{ID: 7, Code: "NX-1", Name: "企业年报信息",
				ShareType: contract.ShareConditional, ProviderDeptID: "dept-provider"},
			Reporter: contract.ShareApplicant{DepartmentID: "dept-applicant", Subject: "bob"},
			CorrectionForm: contract.CorrectionForm{Fields: []string{"注册资本"}, Description: "注册资本与营业执照不一致",
				Evidence: contract.CorrectionEvidence{Attachments: []string{"att-1"}, Text: "营业执照副本"}},
			ReceivedAt: time.Now(), AuthorityDeptID: "dept-authority", TechServiceDeptID: tech,
		})
	if err != nil {
		t.Fatal(err)
	}
	drive(&recording{t: t, ctx: ctx, c: c, id: id, runID: run.GetRunID()})
	var st contract.CorrectionState
	if err := run.Get(ctx, &st); err != nil {
		t.Fatal(err)
	}
	writeHistory(t, ctx, c, id, run.GetRunID(), "correction_"+name+".json")
	return st
}

// 辽宁: confirmed, corrected, accepted; the search attributes name the procedure.
func TestRecordCorrectionConfirmedAccepted(t *testing.T) {
	st := recordCorrection(t, "liaoning_confirmed_corrected_accepted", "liaoning", func(r *recording) {
		sa := r.searchAttributes(contract.CorrectionStatusVerifying)
		if sa[contract.ProcedureKey.GetName()] != `"correction"` {
			t.Errorf("procedure search attribute = %v", sa)
		}
		r.complete(contract.StepVerify, contract.DecisionConfirmed, recApprover, map[string]any{"finding": "录入错误"})
		r.complete(contract.StepCorrect, contract.DecisionCorrected, recApprover, map[string]any{"corrected": "已更正"})
		r.complete(contract.StepAccept, contract.DecisionAccept, recApplicant, nil)
	})
	if st.Status != contract.CorrectionStatusAccepted {
		t.Fatalf("final state = %+v", st)
	}
}

// 内乡: dispatched, rejected, disputed, coordination orders the correction.
func TestRecordCorrectionDisputeOrdersCorrection(t *testing.T) {
	st := recordCorrection(t, "neixiang_dispatch_reject_dispute_order", "neixiang", func(r *recording) {
		r.complete(contract.StepDispatch, contract.DecisionDispatch, recTech, map[string]any{"department_id": "dept-provider"})
		r.complete(contract.StepVerify, contract.DecisionRejected, recApprover, map[string]any{"reason": "数据无误"})
		r.complete(contract.StepAccept, contract.DecisionDispute, recApplicant, map[string]any{"reason": "证照不符"})
		r.complete(contract.StepCoordinate, contract.DecisionOrderCorrect, recAuthority, map[string]any{"instruction": "按证照更正"})
		r.complete(contract.StepCorrect, contract.DecisionCorrected, recApprover, map[string]any{"corrected": "已更正"})
	})
	if st.Status != contract.CorrectionStatusResolved {
		t.Fatalf("final state = %+v", st)
	}
}
