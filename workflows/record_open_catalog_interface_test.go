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

// This file records the histories TestReplayOpenCatalogInterfaceHistories replays:
//
//	CGO_ENABLED=0 go test -tags record ./workflows -run 'TestRecordOpenCatalog|TestRecordInterface' -update

func (discard) SaveOpenCatalogCorrection(context.Context, activities.ProjectOpenCatalogCorrectionInput) error {
	return nil
}

func (discard) ApplyOpenCatalogCorrection(context.Context, activities.ApplyOpenCatalogCorrectionInput) (int, error) {
	return 4, nil
}

func (discard) SaveInterfaceRequirement(context.Context, activities.ProjectInterfaceRequirementInput) error {
	return nil
}

var recDeptHead = contract.Actor{Subject: "dave", DepartmentID: "dept-provider", Roles: []string{policy.RoleDeptHead}}

// recordNeixiang starts a server and a worker with both workflows under the neixiang profile,
// starts workflowType with input, lets drive act on it, waits for the result into out and
// saves the history as testdata/<file>.json.
func recordNeixiang(t *testing.T, file, id, workflowType string, input any, drive func(r *recording), out any) {
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
	w := sdkworker.New(c, "record-neixiang", sdkworker.Options{})
	w.RegisterWorkflowWithOptions(workflows.OpenCatalogCorrectionWorkflow, workflow.RegisterOptions{Name: contract.OpenCatalogCorrectionWorkflowType})
	w.RegisterWorkflowWithOptions(workflows.InterfaceRequirementWorkflow, workflow.RegisterOptions{Name: contract.InterfaceRequirementWorkflowType})
	w.RegisterActivity(&activities.Activities{Calendars: fixedCalendar{cal}, Policy: prof, Store: discard{}})
	w.RegisterActivity(&activities.OpenCatalogActivities{Store: discard{}})
	w.RegisterActivity(&activities.InterfaceActivities{Store: discard{}})
	w.RegisterActivity(writesOver(&activities.Activities{Calendars: fixedCalendar{cal}, Policy: prof, Store: discard{}}, &activities.OpenCatalogActivities{Store: discard{}}, &activities.InterfaceActivities{Store: discard{}}))
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "record-neixiang"}, workflowType, input)
	if err != nil {
		t.Fatal(err)
	}
	drive(&recording{t: t, ctx: ctx, c: c, id: id, runID: run.GetRunID()})
	if err := run.Get(ctx, out); err != nil {
		t.Fatal(err)
	}
	writeHistory(t, ctx, c, id, run.GetRunID(), file+".json")
}

// 开放目录更正: an extension of 10 WD consented by the head, agreed, the catalog changed as the
// producer records it (the city authority changes the open catalog, 第四十五条第三款).
// open_catalog_correction_extended_agreed_updated.json is the same case recorded while the
// profile gave the change to the county authority; both replay.
func TestRecordOpenCatalogCorrectionExtendedAgreedUpdated(t *testing.T) {
	id := "OC-REC-2"
	wid := contract.OpenCatalogCorrectionWorkflowID(id)
	var st contract.OpenCatalogCorrectionState
	recordNeixiang(t, "open_catalog_correction_extended_agreed_producer_records_city_change", wid, contract.OpenCatalogCorrectionWorkflowType,
		contract.OpenCatalogCorrectionInput{CorrectionID: id,
			Resource:       contract.ShareResource{ID: 7, Code: "NX-1", Name: "企业登记基本信息", ShareType: contract.ShareConditional, ProviderDeptID: "dept-provider"},
			CitizenSubject: "citizen-1",
			OpenCatalogCorrectionForm: contract.OpenCatalogCorrectionForm{Field: "update_frequency", ProposedValue: "每月",
				Reason: "实际每月更新"},
			CurrentValue: "每年", ReceivedAt: time.Now(), AuthorityDeptID: "dept-authority"},
		func(r *recording) {
			reply := contract.HumanTaskID(wid, contract.StepReply, 1)
			r.send(contract.UpdateRequestExtension, contract.RequestExtensionUpdate{TaskID: reply, Actor: recApprover, Workdays: 10, Reason: "需核实"})
			r.send(contract.UpdateDecideExtension, contract.DecideExtensionUpdate{TaskID: reply, Actor: recDeptHead, Approve: true})
			r.complete(contract.StepReply, contract.DecisionAgree, recApprover, nil)
			r.complete(contract.StepUpdateCatalog, contract.DecisionApprove, recApprover, nil)
		}, &st)
	if st.Status != contract.OpenCatalogStatusUpdated || st.CatalogVersion != 4 {
		t.Fatalf("final state = %+v", st)
	}
}

// 接口延期: an extension of 5 WD approved by the authority, then the delivery.
func TestRecordInterfaceRequirementExtendedDelivered(t *testing.T) {
	id := "IR-REC-1"
	wid := contract.InterfaceRequirementWorkflowID(id)
	agreed := time.Now().In(calendar.Location()).AddDate(0, 0, 3).Format(time.DateOnly)
	var st contract.InterfaceRequirementState
	recordNeixiang(t, "interface_requirement_extended_delivered", wid, contract.InterfaceRequirementWorkflowType,
		contract.InterfaceRequirementInput{RequirementID: id, DepartmentID: "dept-provider", AuthorityDeptID: "dept-authority",
			InterfaceRequirementForm: contract.InterfaceRequirementForm{Description: "企业登记信息查询接口", AgreedDue: agreed},
			RequestedBy:              "carol", ReceivedAt: time.Now()},
		func(r *recording) {
			task := contract.HumanTaskID(wid, contract.StepInterfaceRequest, 1)
			r.send(contract.UpdateRequestExtension, contract.RequestExtensionUpdate{TaskID: task, Actor: recApprover, Workdays: 5, Reason: "联调未完成"})
			r.send(contract.UpdateDecideExtension, contract.DecideExtensionUpdate{TaskID: task, Actor: recAuthority, Approve: true})
			r.complete(contract.StepInterfaceRequest, contract.DecisionDelivered, recApprover,
				map[string]any{"interface_description": "GET /corp/{uscc}", "documentation": "doc://corp-api.pdf"})
		}, &st)
	if st.Status != contract.InterfaceStatusDelivered || st.ExtensionWorkdays != 5 {
		t.Fatalf("final state = %+v", st)
	}
}
