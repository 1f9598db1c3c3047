package workflows

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/workflows/contract"
)

// annualEnv runs AnnualReportWorkflow or the round under a profile, with the real deadline
// and procedure activities and the read model mocked.
type annualEnv struct {
	env     *testsuite.TestWorkflowEnvironment
	mu      sync.Mutex
	reports []activities.ProjectAnnualReportInput
	events  []activities.AppendTimelineInput
	tasks   []activities.ProjectTaskInput
}

func newAnnualEnv(t *testing.T, profile string, start time.Time) *annualEnv {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	a := &annualEnv{env: s.NewTestWorkflowEnvironment()}
	cal, err := calendar.New(calendar.Options{})
	require.NoError(t, err)
	p, err := policy.Select(profile, "", policy.LocalDefaults{})
	require.NoError(t, err)
	a.env.SetStartTime(start)
	a.env.RegisterWorkflowWithOptions(AnnualReportWorkflow, workflow.RegisterOptions{Name: contract.AnnualReportWorkflowType})
	acts := &activities.Activities{Calendars: &switchableCalendar{cal: cal}, Policy: p}
	reports := &activities.AnnualReportActivities{}
	a.env.RegisterActivity(acts)
	a.env.RegisterActivity(reports)
	onWrite(a.env, acts.AppendTimeline,
		func(_ context.Context, in activities.AppendTimelineInput) (activities.AppendTimelineResult, error) {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.events = append(a.events, in)
			return activities.AppendTimelineResult{}, nil
		})
	onWrite(a.env, acts.ProjectTask,
		func(_ context.Context, in activities.ProjectTaskInput) (activities.ProjectTaskResult, error) {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.tasks = append(a.tasks, in)
			return activities.ProjectTaskResult{}, nil
		})
	a.env.OnActivity(reports.ProjectAnnualReport, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ProjectAnnualReportInput) error {
			a.mu.Lock()
			defer a.mu.Unlock()
			a.reports = append(a.reports, in)
			return nil
		})
	a.env.OnActivity(reports.ComputeReportFigures, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.ReportFiguresInput) (activities.ReportFigures, error) {
			return activities.ReportFigures{RequestsReceived: 12, Answered: 10, AnsweredInTime: 9, AverageWorkdaysToAnswer: 4.5}, nil
		})
	a.env.OnActivity(reports.ListReportingDepartments, mock.Anything).Return(
		activities.ReportingDepartmentsResult{Jurisdiction: profile, Departments: []string{"dept-a", "dept-b"}, Authority: authority}, nil)
	a.env.OnUpsertTypedSearchAttributes(mock.Anything).Return(nil)
	a.env.OnUpsertMemo(mock.Anything).Return(nil)
	return a
}

func (a *annualEnv) kinds(kind string) []time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []time.Time
	for _, e := range a.events {
		if e.Kind == kind {
			out = append(out, e.At)
		}
	}
	slices.SortFunc(out, func(x, y time.Time) int { return x.Compare(y) })
	for i := range out {
		out[i] = out[i].UTC()
	}
	return out
}

// 内乡 第六十条: the report on 2025, opened on 1 January 2026, is due at the end of January 2026
// with its figures prefilled. 31 January is a Saturday, so the deadline moves to the end of
// Monday 2 February (the rule of docs/api.md, "Working days and deadlines"), which the task
// shows after its citation. Not submitted in time, it is overdue at 24:00 on 2 February with a
// supervision task for the authority, long overdue five working days later, and still
// submitted afterwards.
func TestAnnualReportDueEndOfJanuary(t *testing.T) {
	start := cst("2026-01-01T00:10:00+08:00")
	a := newAnnualEnv(t, "neixiang", start)
	wid := contract.AnnualReportWorkflowID(2025, "dept-a")
	a.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: wid})
	task := contract.HumanTaskID(wid, contract.StepDepartmentReport, 1)
	dept := contract.Actor{Subject: "ann", DepartmentID: "dept-a", Roles: []string{policy.RoleApprover}}
	other := contract.Actor{Subject: "bob", DepartmentID: "dept-b", Roles: []string{policy.RoleApprover}}
	a.env.RegisterDelayedCallback(func() {
		a.env.UpdateWorkflow(contract.UpdateComplete, "", &testsuite.TestUpdateCallback{
			OnAccept: func() { t.Error("another department submitted the report") }, OnReject: func(error) {}, OnComplete: func(any, error) {}},
			contract.CompleteUpdate{TaskID: task, Actor: other, Decision: contract.DecisionSubmitReport, Fields: map[string]any{"report": "x"}})
		a.env.UpdateWorkflow(contract.UpdateComplete, "", &testsuite.TestUpdateCallback{
			OnAccept: func() { t.Error("a report without text was taken") }, OnReject: func(error) {}, OnComplete: func(any, error) {}},
			contract.CompleteUpdate{TaskID: task, Actor: dept, Decision: contract.DecisionSubmitReport})
	}, time.Hour)
	a.env.RegisterDelayedCallback(func() {
		a.env.UpdateWorkflow(contract.UpdateComplete, "", &testsuite.TestUpdateCallback{
			OnAccept: func() {}, OnReject: func(err error) { t.Errorf("submission refused: %v", err) }, OnComplete: func(any, error) {}},
			contract.CompleteUpdate{TaskID: task, Actor: dept, Decision: contract.DecisionSubmitReport, Fields: map[string]any{"report": "2025年度政务数据管理情况"}})
	}, cst("2026-02-10T10:00:00+08:00").Sub(start))
	a.env.ExecuteWorkflow(AnnualReportWorkflow, contract.AnnualReportInput{Year: 2025, Step: contract.StepDepartmentReport,
		DepartmentID: "dept-a", AuthorityDeptID: authority, Jurisdiction: "neixiang", ReceivedAt: start})
	require.True(t, a.env.IsWorkflowCompleted())
	require.NoError(t, a.env.GetWorkflowError())
	var st contract.AnnualReportState
	require.NoError(t, a.env.GetWorkflowResult(&st))

	require.Equal(t, contract.AnnualReportSubmitted, st.Status)
	require.True(t, st.Overdue)
	require.Equal(t, "2025年度政务数据管理情况", st.Report)
	require.Equal(t, int64(12), toInt64(st.Figures["requests_received"]))
	first := a.reports[0]
	require.NotNil(t, first.DueAt)
	require.True(t, first.DueAt.Equal(cst("2026-02-02T23:59:59+08:00")), "due %s", first.DueAt)
	require.Contains(t, first.LegalBasis[0], "第六十条")
	rule := "截止日 2026-01-31 为休息日，顺延至 2026-02-02 — 本系统规则（参照《中华人民共和国民法典》第二百零三条）"
	require.Equal(t, rule, first.LegalBasis[len(first.LegalBasis)-1])
	require.Equal(t, []time.Time{cst("2026-02-03T00:00:00+08:00").UTC()}, a.kinds(activities.EventOverdue))
	// Five working days after 2 February: 3, 4, 5, 6, 9 February.
	require.Equal(t, []time.Time{cst("2026-02-10T00:00:00+08:00").UTC()}, a.kinds(activities.EventLongOverdue))
	// The due-day reminder is sent on the moved day, not on the Saturday.
	require.Contains(t, a.kinds(activities.EventReminded), cst("2026-02-02T09:00:00+08:00").UTC())
	require.NotContains(t, a.kinds(activities.EventReminded), cst("2026-01-31T09:00:00+08:00").UTC())
	var supervised, shown bool
	for _, p := range a.tasks {
		supervised = supervised || (p.Kind == activities.TaskKindSupervision && p.CandidateDepartmentID == authority)
		if p.Kind == activities.TaskKindStep {
			require.NotNil(t, p.DueAt)
			require.True(t, p.DueAt.Equal(cst("2026-02-02T23:59:59+08:00")), "task due %s", p.DueAt)
			shown = shown || slices.Contains(p.LegalBasis, rule)
		}
	}
	require.True(t, supervised, "supervision task for the authority")
	require.True(t, shown, "the task shows the rule")
}

// The authority's summary (内乡 第六十条) is due at the end of February.
func TestAnnualSummaryDueEndOfFebruary(t *testing.T) {
	start := cst("2026-01-01T00:10:00+08:00")
	a := newAnnualEnv(t, "neixiang", start)
	wid := contract.AnnualReportWorkflowID(2025, authority)
	a.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: wid})
	head := contract.Actor{Subject: "carol", DepartmentID: authority, Roles: []string{policy.RoleAuthority}}
	a.env.RegisterDelayedCallback(func() {
		a.env.UpdateWorkflow(contract.UpdateComplete, "", &testsuite.TestUpdateCallback{OnAccept: func() {}, OnReject: func(err error) { t.Error(err) }, OnComplete: func(any, error) {}},
			contract.CompleteUpdate{TaskID: contract.HumanTaskID(wid, contract.StepSummaryReport, 1), Actor: head,
				Decision: contract.DecisionSubmitReport, Fields: map[string]any{"report": "全县汇总"}})
	}, cst("2026-02-20T10:00:00+08:00").Sub(start))
	a.env.ExecuteWorkflow(AnnualReportWorkflow, contract.AnnualReportInput{Year: 2025, Step: contract.StepSummaryReport,
		DepartmentID: authority, AuthorityDeptID: authority, Jurisdiction: "neixiang", ReceivedAt: start})
	require.NoError(t, a.env.GetWorkflowError())
	require.True(t, a.reports[0].DueAt.Equal(cst("2026-02-28T23:59:59+08:00")), "due %s", a.reports[0].DueAt)
	var st contract.AnnualReportState
	require.NoError(t, a.env.GetWorkflowResult(&st))
	require.False(t, st.Overdue)
}

// The schedule's round (year 0) reports on the year that ended: a report for every department
// and the authority's summary, each its own workflow; a report a round already opened is left.
func TestAnnualReportRound(t *testing.T) {
	a := newAnnualEnv(t, "neixiang", cst("2026-01-01T00:10:00+08:00"))
	a.env.OnWorkflow(contract.AnnualReportWorkflowType, mock.Anything, mock.Anything).Return(contract.AnnualReportState{}, nil)
	a.env.ExecuteWorkflow(AnnualReportRoundWorkflow, contract.AnnualReportRoundInput{})
	require.NoError(t, a.env.GetWorkflowError())
	var res contract.AnnualReportRoundResult
	require.NoError(t, a.env.GetWorkflowResult(&res))
	require.Equal(t, 2025, res.Year)
	require.Equal(t, []string{contract.AnnualReportWorkflowID(2025, "dept-a"), contract.AnnualReportWorkflowID(2025, "dept-b"),
		contract.AnnualReportWorkflowID(2025, authority)}, res.Opened)
}

// Under a profile without annual reports (辽宁) a round is refused.
func TestAnnualReportRoundNeedsTheProcedure(t *testing.T) {
	a := newAnnualEnv(t, "liaoning", cst("2026-01-01T00:10:00+08:00"))
	a.env.ExecuteWorkflow(AnnualReportRoundWorkflow, contract.AnnualReportRoundInput{Year: 2025})
	require.Error(t, a.env.GetWorkflowError())
}

func toInt64(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	case int:
		return int64(x)
	}
	return -1
}
