package workflows

import (
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/workflows/contract"
)

// AnnualReportRoundWorkflow opens a year's annual reports (年度报告): a report for every
// department of the jurisdiction, due by the profile's date (宁夏 第十七条 and 内乡 第六十条: the
// end of January), and the authority's summary (内乡: the end of February). Each report is a
// child workflow of its own, abandoned to run on when the round ends; one already opened by an
// earlier round of the year is left as it is.
func AnnualReportRoundWorkflow(ctx workflow.Context, in contract.AnnualReportRoundInput) (contract.AnnualReportRoundResult, error) {
	now := workflow.Now(ctx)
	year := in.Year
	if year == 0 { // the schedule's firing on 1 January reports on the year that just ended
		year = now.In(calendar.Location()).Year() - 1
	}
	res := contract.AnnualReportRoundResult{Year: year, Opened: []string{}, Skipped: []string{}}
	short := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 30 * time.Second})
	var acts *activities.Activities
	var reports *activities.AnnualReportActivities
	var proc activities.DescribeProcedureResult
	if err := workflow.ExecuteActivity(short, acts.DescribeProcedure, activities.DescribeProcedureInput{Procedure: policy.ProcAnnualReport}).Get(ctx, &proc); err != nil {
		return res, fmt.Errorf("describe procedure %s: %w", policy.ProcAnnualReport, err)
	}
	if !proc.Applies {
		return res, temporal.NewNonRetryableApplicationError("the profile "+proc.Jurisdiction+" requires no annual report", contract.ErrTypeRuleViolated, nil)
	}
	var who activities.ReportingDepartmentsResult
	if err := workflow.ExecuteActivity(short, reports.ListReportingDepartments).Get(ctx, &who); err != nil {
		return res, fmt.Errorf("list reporting departments: %w", err)
	}

	type report struct{ step, dept string }
	var all []report
	if _, ok := proc.Step(contract.StepDepartmentReport); ok {
		for _, d := range who.Departments {
			all = append(all, report{contract.StepDepartmentReport, d})
		}
	}
	if _, ok := proc.Step(contract.StepSummaryReport); ok {
		all = append(all, report{contract.StepSummaryReport, who.Authority})
	}
	for _, r := range all {
		id := contract.AnnualReportWorkflowID(year, r.dept)
		child := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:            id,
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		})
		f := workflow.ExecuteChildWorkflow(child, contract.AnnualReportWorkflowType, contract.AnnualReportInput{
			Year: year, Step: r.step, DepartmentID: r.dept, AuthorityDeptID: who.Authority, Jurisdiction: who.Jurisdiction, ReceivedAt: now})
		err := f.GetChildWorkflowExecution().Get(ctx, nil)
		switch {
		case err == nil:
			res.Opened = append(res.Opened, id)
		case isAlreadyStarted(err):
			res.Skipped = append(res.Skipped, id)
		default:
			return res, fmt.Errorf("open annual report %s: %w", id, err)
		}
	}
	return res, nil
}

func isAlreadyStarted(err error) bool {
	var started *temporal.ChildWorkflowExecutionAlreadyStartedError
	return errors.As(err, &started)
}

// AnnualReportWorkflow is one department's annual report, or the authority's summary: its
// figures are prefilled from the read model, and the report task waits for the submission,
// reminding and escalating like every task.
func AnnualReportWorkflow(ctx workflow.Context, in contract.AnnualReportInput) (contract.AnnualReportState, error) {
	r := &annualReport{st: contract.AnnualReportState{Input: in, Status: contract.AnnualReportOpen}}
	r.workflowID = workflow.GetInfo(ctx).WorkflowExecution.ID
	if err := workflow.SetQueryHandler(ctx, contract.QueryAnnualReport, func() (contract.AnnualReportState, error) { return r.st, nil }); err != nil {
		return contract.AnnualReportState{}, fmt.Errorf("register query %s: %w", contract.QueryAnnualReport, err)
	}
	return r.run(ctx)
}

type annualReport struct {
	st         contract.AnnualReportState
	workflowID string
	sa         searchAttrs
	created    time.Time
}

func (r *annualReport) run(ctx workflow.Context) (contract.AnnualReportState, error) {
	in := r.st.Input
	r.created = workflow.Now(ctx)
	var reports *activities.AnnualReportActivities
	var figures activities.ReportFigures
	scope := in.DepartmentID
	if in.Step == contract.StepSummaryReport {
		scope = "" // the summary covers every department
	}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute}),
		reports.ComputeReportFigures, activities.ReportFiguresInput{Year: in.Year, DepartmentID: scope}).Get(ctx, &figures); err != nil {
		return r.st, fmt.Errorf("figures of the %d report of %s: %w", in.Year, in.DepartmentID, err)
	}
	r.st.Figures = map[string]any{
		"requests_received": figures.RequestsReceived, "answered": figures.Answered,
		"answered_in_time": figures.AnsweredInTime, "tasks_overdue": figures.TasksOverdue,
		"average_workdays_to_answer": figures.AverageWorkdaysToAnswer, "grants_active": figures.GrantsActive,
		"corrections": figures.Corrections,
	}
	if err := workflow.UpsertMemo(ctx, map[string]any{contract.MemoTitle: fmt.Sprintf("%d 年度报告 / %s", in.Year, in.DepartmentID)}); err != nil {
		return r.st, fmt.Errorf("upsert memo: %w", err)
	}

	role := policy.RoleApprover
	if in.Step == contract.StepSummaryReport {
		role = policy.RoleAuthority
	}
	spec := TaskSpec{
		TaskID: contract.HumanTaskID(r.workflowID, in.Step, 1), RequestID: annualReportRequestID(in), Procedure: policy.ProcAnnualReport,
		Step: in.Step, Candidate: Party{DepartmentID: in.DepartmentID, Role: role},
		Decisions:  []activities.DecisionOption{{Code: contract.DecisionSubmitReport, RequiredFields: []string{"report"}}},
		ReceivedAt: in.ReceivedAt, AnnualYear: in.Year + 1,
		Departments: map[string]string{policy.DeptOwn: in.DepartmentID, policy.DeptAuthority: in.AuthorityDeptID},
	}
	out, err := runHumanTask(ctx, spec, taskObserver{
		deadlineSet: func(ctx workflow.Context, d activities.DeadlineResult) error {
			r.st.DueAt, r.st.LegalBasis, r.st.LocalDefault = nil, d.LegalBasis, d.LocalDefault
			if !d.NoDeadline {
				due := d.DueAt
				r.st.DueAt = &due
			}
			return r.project(ctx)
		},
	})
	if err != nil {
		return r.st, err
	}
	at := out.DecidedAt
	r.st.Status, r.st.Report, r.st.SubmittedBy, r.st.SubmittedAt, r.st.Overdue =
		contract.AnnualReportSubmitted, text(out.Fields["report"]), out.DecidedBy.Subject, &at, out.Overdue
	r.st.DueAt = nil
	return r.st, r.project(ctx)
}

// annualReportRequestID is the request id of a report in the timeline and the tasks.
func annualReportRequestID(in contract.AnnualReportInput) string {
	return fmt.Sprintf("AR-%d-%s", in.Year, in.DepartmentID)
}

// project writes the report to the read model and the search attributes to Temporal.
func (r *annualReport) project(ctx workflow.Context) error {
	if err := r.sa.upsert(ctx, procedureAttrs{Procedure: policy.ProcAnnualReport, Jurisdiction: r.st.Input.Jurisdiction,
		ProviderDept: r.st.Input.DepartmentID, Status: r.st.Status, DueAt: r.st.DueAt}); err != nil {
		return err
	}
	r.st.Revision++
	in := r.st.Input
	var reports *activities.AnnualReportActivities
	p := activities.ProjectAnnualReportInput{
		Year: in.Year, DepartmentID: in.DepartmentID, Step: in.Step, Status: r.st.Status, DueAt: r.st.DueAt,
		LegalBasis: r.st.LegalBasis, LocalDefault: r.st.LocalDefault, Figures: r.st.Figures, Report: r.st.Report,
		SubmittedBy: r.st.SubmittedBy, SubmittedAt: r.st.SubmittedAt, Overdue: r.st.Overdue, WorkflowID: r.workflowID,
		Revision: r.st.Revision, CreatedAt: r.created, UpdatedAt: workflow.Now(ctx),
	}
	if err := workflow.ExecuteActivity(activityOptions(ctx), reports.ProjectAnnualReport, p).Get(ctx, nil); err != nil {
		return fmt.Errorf("project annual report %d/%s: %w", in.Year, in.DepartmentID, err)
	}
	return nil
}
