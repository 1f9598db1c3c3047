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

// This file records the histories TestReplayAnnualReportHistories replays:
//
//	CGO_ENABLED=0 go test -tags record ./workflows -run TestRecordAnnualReport -update

func (discard) ReportingDepartments(context.Context, string) ([]string, string, error) {
	return []string{"dept-provider"}, "dept-authority", nil
}

func (discard) ReportCounts(context.Context, int, string) (activities.ReportCounts, error) {
	return activities.ReportCounts{RequestsReceived: 3}, nil
}

func (discard) SaveAnnualReport(context.Context, activities.ProjectAnnualReportInput) error {
	return nil
}

// A neixiang department's report on last year, opened now and submitted.
func TestRecordAnnualReportSubmitted(t *testing.T) {
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
	c, err := client.Dial(client.Options{HostPort: srv.FrontendHostPort(), Namespace: devserver.DefaultNamespace, Logger: log.NewStructuredLogger(quiet)})
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
	w := sdkworker.New(c, "record-annual", sdkworker.Options{})
	w.RegisterWorkflowWithOptions(workflows.AnnualReportWorkflow, workflow.RegisterOptions{Name: contract.AnnualReportWorkflowType})
	w.RegisterActivity(&activities.Activities{Calendars: fixedCalendar{cal}, Policy: prof, Store: discard{}})
	w.RegisterActivity(&activities.AnnualReportActivities{Calendars: fixedCalendar{cal}, Policy: prof, Store: discard{}})
	w.RegisterActivity(writesOver(&activities.Activities{Calendars: fixedCalendar{cal}, Policy: prof, Store: discard{}}, &activities.AnnualReportActivities{Calendars: fixedCalendar{cal}, Policy: prof, Store: discard{}}))
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	year := time.Now().Year() - 1
	id := contract.AnnualReportWorkflowID(year, "dept-provider")
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "record-annual"}, contract.AnnualReportWorkflowType,
		contract.AnnualReportInput{Year: year, Step: contract.StepDepartmentReport, DepartmentID: "dept-provider",
			AuthorityDeptID: "dept-authority", Jurisdiction: "neixiang", ReceivedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	r := &recording{t: t, ctx: ctx, c: c, id: id, runID: run.GetRunID()}
	r.send(contract.UpdateComplete, contract.CompleteUpdate{TaskID: contract.HumanTaskID(id, contract.StepDepartmentReport, 1),
		Actor: recApprover, Decision: contract.DecisionSubmitReport, Fields: map[string]any{"report": "年度报告"}})
	var st contract.AnnualReportState
	if err := run.Get(ctx, &st); err != nil || st.Status != contract.AnnualReportSubmitted {
		t.Fatalf("final state = %+v, %v", st, err)
	}
	writeHistory(t, ctx, c, id, run.GetRunID(), "annual_report_submitted.json")
}

func (discard) PurgeAuditEvents(context.Context, time.Time) (int64, error) { return 2, nil }

// The yearly round (opening every department's report and the summary) and the nightly audit
// purge, each as a schedule fires it.
func TestRecordAnnualRoundAndAuditPurge(t *testing.T) {
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
	c, err := client.Dial(client.Options{HostPort: srv.FrontendHostPort(), Namespace: devserver.DefaultNamespace, Logger: log.NewStructuredLogger(quiet)})
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
	w := sdkworker.New(c, "record-schedules", sdkworker.Options{})
	w.RegisterWorkflowWithOptions(workflows.AnnualReportRoundWorkflow, workflow.RegisterOptions{Name: contract.AnnualReportRoundWorkflowType})
	w.RegisterWorkflowWithOptions(workflows.AnnualReportWorkflow, workflow.RegisterOptions{Name: contract.AnnualReportWorkflowType})
	w.RegisterWorkflowWithOptions(workflows.AuditPurgeWorkflow, workflow.RegisterOptions{Name: contract.AuditPurgeWorkflowType})
	w.RegisterActivity(&activities.Activities{Calendars: fixedCalendar{cal}, Policy: prof, Store: discard{}})
	w.RegisterActivity(&activities.AnnualReportActivities{Calendars: fixedCalendar{cal}, Policy: prof, Store: discard{}})
	w.RegisterActivity(&activities.AuditActivities{Store: discard{}})
	w.RegisterActivity(writesOver(&activities.Activities{Calendars: fixedCalendar{cal}, Policy: prof, Store: discard{}}, &activities.AnnualReportActivities{Calendars: fixedCalendar{cal}, Policy: prof, Store: discard{}}, &activities.AuditActivities{Store: discard{}}))
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	for name, start := range map[string]func() (client.WorkflowRun, error){
		"annual_report_round": func() (client.WorkflowRun, error) {
			return c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "annual-report-round-rec", TaskQueue: "record-schedules"},
				contract.AnnualReportRoundWorkflowType, contract.AnnualReportRoundInput{})
		},
		"audit_purge": func() (client.WorkflowRun, error) {
			return c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "audit-purge-rec", TaskQueue: "record-schedules"},
				contract.AuditPurgeWorkflowType, contract.AuditPurgeInput{RetentionMonths: 12})
		},
	} {
		run, err := start()
		if err != nil {
			t.Fatal(err)
		}
		if err := run.Get(ctx, nil); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		writeHistory(t, ctx, c, run.GetID(), run.GetRunID(), "schedule_"+name+".json")
	}
}
