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

// This file records the histories TestReplayOpenDataHistories replays, as record_test.go does
// for share requests:
//
//	CGO_ENABLED=0 go test -tags record ./workflows -run TestRecordOpenData -update

func (discard) SaveOpenDataRequest(context.Context, activities.ProjectOpenDataRequestInput) error {
	return nil
}

// recordOpenData starts a server and worker under the neixiang profile, starts an open-data
// request for a resource of the open type, lets drive act on it, waits for the result and
// saves the history as testdata/open_data_<name>.json.
func recordOpenData(t *testing.T, name, openType string, drive func(r *recording)) contract.OpenDataRequestState {
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
	prof, err := policy.Select("neixiang", "", policy.LocalDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	w := sdkworker.New(c, "record-open-data", sdkworker.Options{})
	w.RegisterWorkflowWithOptions(workflows.OpenDataRequestWorkflow, workflow.RegisterOptions{Name: contract.OpenDataRequestWorkflowType})
	w.RegisterActivity(&activities.Activities{Calendars: fixedCalendar{cal}, Policy: prof, Store: discard{}})
	w.RegisterActivity(&activities.OpenDataActivities{Store: discard{}})
	w.RegisterActivity(writesOver(&activities.Activities{Calendars: fixedCalendar{cal}, Policy: prof, Store: discard{}}, &activities.OpenDataActivities{Store: discard{}}))
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	requestID := "OD-REC-" + name
	id := contract.OpenDataRequestWorkflowID(requestID)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "record-open-data"},
		contract.OpenDataRequestWorkflowType, contract.OpenDataRequestInput{
			RequestID: requestID,
			Resource: contract.OpenDataResource{ID: 4, Code: "NEIXIANG-SCJG-0004", Name: "企业年度报告公示信息",
				OpenType: openType, ProviderDeptID: "dept-provider"},
			Applicant:    contract.OpenDataApplicant{Subject: "citizen-zhang"},
			OpenDataForm: contract.OpenDataForm{Purpose: "学术研究", Scope: "2025年度"},
			ReceivedAt:   time.Now(), AuthorityDeptID: "dept-authority",
		})
	if err != nil {
		t.Fatal(err)
	}
	drive(&recording{t: t, ctx: ctx, c: c, id: id, runID: run.GetRunID()})
	var st contract.OpenDataRequestState
	if err := run.Get(ctx, &st); err != nil {
		t.Fatal(err)
	}
	writeHistory(t, ctx, c, id, run.GetRunID(), "open_data_"+name+".json")
	return st
}

// A conditional request: an extension asked and approved by the head, then approved with
// conditions of use.
func TestRecordOpenDataExtensionApproved(t *testing.T) {
	st := recordOpenData(t, "extension_approved", contract.OpenConditional, func(r *recording) {
		sa := r.searchAttributes(contract.OpenDataStatusPending)
		if sa[contract.ProcedureKey.GetName()] != `"open_data"` {
			t.Errorf("procedure search attribute = %v", sa)
		}
		task := contract.HumanTaskID(r.id, contract.StepReply, 1)
		r.send(contract.UpdateRequestExtension, contract.RequestExtensionUpdate{TaskID: task, Actor: recApprover, Workdays: 5, Reason: "需调取历史档案"})
		r.send(contract.UpdateDecideExtension, contract.DecideExtensionUpdate{TaskID: task, Actor: recDeptHead, Approve: true})
		r.complete(contract.StepReply, contract.DecisionApprove, recApprover, map[string]any{"conditions": "仅限学术研究"})
	})
	if st.Status != contract.OpenDataStatusApproved || st.Extension == nil || st.Extension.Reason != "需调取历史档案" {
		t.Fatalf("final state = %+v", st)
	}
}

// An unconditional resource: opened at once.
func TestRecordOpenDataUnconditional(t *testing.T) {
	st := recordOpenData(t, "unconditional_opened", contract.OpenUnconditional, func(*recording) {})
	if st.Status != contract.OpenDataStatusOpened {
		t.Fatalf("final state = %+v", st)
	}
}

// A conditional request withdrawn by the applicant while the reply is open.
func TestRecordOpenDataWithdrawn(t *testing.T) {
	st := recordOpenData(t, "withdrawn", contract.OpenConditional, func(r *recording) {
		r.searchAttributes(contract.OpenDataStatusPending)
		r.send(contract.UpdateWithdraw, contract.WithdrawUpdate{Actor: contract.Actor{Subject: "citizen-zhang", Roles: []string{policy.RoleCitizen}}, Reason: "不再需要"})
	})
	if st.Status != contract.OpenDataStatusWithdrawn {
		t.Fatalf("final state = %+v", st)
	}
}
