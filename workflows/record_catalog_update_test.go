//go:build recordcatalog

package workflows_test

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"
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

// This file records the histories TestReplayCatalogUpdateHistories replays. It links the
// embedded Temporal server, hence the build tag (its own, so it builds apart from the share
// request's recorder), and writes only with -update-catalog:
//
//	CGO_ENABLED=0 go test -tags recordcatalog ./workflows -run TestRecordCatalogUpdate -update-catalog

var updateCatalog = flag.Bool("update-catalog", false, "record the catalog-update histories in testdata again")

// catalogDiscard is a read model and catalog that keep nothing; a link submits every draft.
type catalogDiscard struct{}

func (catalogDiscard) SaveTask(context.Context, activities.ProjectTaskInput) error { return nil }
func (catalogDiscard) SaveTimelineEvent(context.Context, activities.AppendTimelineInput) error {
	return nil
}
func (catalogDiscard) SaveCatalogUpdate(context.Context, activities.ProjectCatalogUpdateInput) error {
	return nil
}
func (catalogDiscard) LinkCatalogUpdate(_ context.Context, in activities.LinkCatalogUpdateInput) ([]activities.LinkedVersion, error) {
	out := make([]activities.LinkedVersion, 0, len(in.Versions))
	for _, v := range in.Versions {
		out = append(out, activities.LinkedVersion{ResourceID: v.ResourceID, Version: v.Version + 1})
	}
	return out, nil
}
func (catalogDiscard) PublishCatalogUpdate(context.Context, activities.CatalogReviewInput) ([]activities.LinkedVersion, error) {
	return []activities.LinkedVersion{{ResourceID: 7, Version: 3}}, nil
}
func (catalogDiscard) ReturnCatalogUpdate(context.Context, activities.CatalogReviewInput) error {
	return nil
}

type catalogRecordCalendar struct{ cal *calendar.Calendar }

func (f catalogRecordCalendar) Calendar(context.Context) (*calendar.Calendar, error) {
	return f.cal, nil
}

var (
	catApprover  = contract.Actor{Subject: "alice", DepartmentID: "dept-provider", Roles: []string{policy.RoleApprover}}
	catAuthority = contract.Actor{Subject: "carol", DepartmentID: "dept-authority", Roles: []string{policy.RoleAuthority}}
)

// recordCatalogUpdate runs one CatalogUpdateWorkflow under the profile on a real server, lets
// drive decide its tasks, and saves the history as testdata/catalog_update_<name>.json.
func recordCatalogUpdate(t *testing.T, name, profile string, drive func(send func(step string, n int, actor contract.Actor, decision string, fields map[string]any))) contract.CatalogUpdateState {
	if !*updateCatalog {
		t.Skip("run with -update-catalog to record histories")
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
	w := sdkworker.New(c, "record-catalog", sdkworker.Options{})
	w.RegisterWorkflowWithOptions(workflows.CatalogUpdateWorkflow, workflow.RegisterOptions{Name: contract.CatalogUpdateWorkflowType})
	w.RegisterActivity(&activities.Activities{Calendars: catalogRecordCalendar{cal}, Policy: prof, Store: catalogDiscard{}})
	w.RegisterActivity(&activities.CatalogUpdateActivities{Store: catalogDiscard{}})
	w.RegisterActivity(writesOver(&activities.Activities{Calendars: catalogRecordCalendar{cal}, Policy: prof, Store: catalogDiscard{}}, &activities.CatalogUpdateActivities{Store: catalogDiscard{}}))
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	updateID := "CU-REC-" + name
	id := contract.CatalogUpdateWorkflowID(updateID)
	now := time.Now()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "record-catalog"},
		contract.CatalogUpdateWorkflowType, contract.CatalogUpdateInput{
			UpdateID: updateID, DepartmentID: "dept-provider",
			Initiator: contract.ShareApplicant{DepartmentID: "dept-provider", Subject: "alice"},
			CatalogUpdateForm: contract.CatalogUpdateForm{Trigger: contract.TriggerLawRevised, Basis: "《某条例》修订",
				ChangedOn: now.In(calendar.Location()).Format(time.DateOnly)},
			ResourceIDs: []int64{7}, ReceivedAt: now, AuthorityDeptID: "dept-authority",
		})
	if err != nil {
		t.Fatal(err)
	}
	// send retries until the workflow takes the decision: a task's handlers exist only once
	// the workflow has opened it.
	drive(func(step string, n int, actor contract.Actor, decision string, fields map[string]any) {
		t.Helper()
		for {
			h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, RunID: run.GetRunID(),
				UpdateName: contract.UpdateComplete, WaitForStage: client.WorkflowUpdateStageCompleted,
				Args: []any{contract.CompleteUpdate{TaskID: contract.HumanTaskID(id, step, n), Actor: actor, Decision: decision, Fields: fields}}})
			if err == nil {
				err = h.Get(ctx, nil)
			}
			if err == nil {
				return
			}
			if ctx.Err() != nil {
				t.Fatalf("%s/%d %s: %v", step, n, decision, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	})
	var st contract.CatalogUpdateState
	if err := run.Get(ctx, &st); err != nil {
		t.Fatal(err)
	}
	hist := &historypb.History{}
	iter := c.GetWorkflowHistory(ctx, id, run.GetRunID(), false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		hist.Events = append(hist.Events, e)
	}
	out, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(hist)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "catalog_update_"+name+".json")
	if err := os.WriteFile(path, append(out, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d events)", path, len(hist.Events))
	return st
}

var submitted = map[string]any{contract.FieldResourceVersions: []any{map[string]any{"resource_id": 7, "version": 1}}}

// 宁夏: submitted, returned with a reason, submitted again, approved.
func TestRecordCatalogUpdateReturnedApproved(t *testing.T) {
	st := recordCatalogUpdate(t, "ningxia_return_approve", "ningxia", func(send func(string, int, contract.Actor, string, map[string]any)) {
		send(contract.StepUpdate, 1, catApprover, contract.DecisionSubmit, submitted)
		send(contract.StepReview, 1, catAuthority, contract.DecisionReturn, map[string]any{contract.FieldReason: "共享条件未写明"})
		send(contract.StepUpdate, 2, catApprover, contract.DecisionSubmit, submitted)
		send(contract.StepReview, 2, catAuthority, contract.DecisionApprove, nil)
	})
	if st.Status != contract.CatalogUpdatePublished || st.Round != 2 {
		t.Fatalf("final state = %+v", st)
	}
}

// 内乡: approved with the responsibility list, then reported to the city.
func TestRecordCatalogUpdateNeixiangReport(t *testing.T) {
	st := recordCatalogUpdate(t, "neixiang_report", "neixiang", func(send func(string, int, contract.Actor, string, map[string]any)) {
		send(contract.StepUpdate, 1, catApprover, contract.DecisionSubmit, submitted)
		send(contract.StepReview, 1, catAuthority, contract.DecisionApprove, map[string]any{contract.FieldResponsibilityList: "新增核验事项"})
		send(contract.StepReportToCity, 1, catAuthority, contract.DecisionReported, map[string]any{contract.FieldReference: "内数报〔2026〕3号"})
	})
	if st.Status != contract.CatalogUpdatePublished || !st.ResponsibilityListUpdated {
		t.Fatalf("final state = %+v", st)
	}
}
