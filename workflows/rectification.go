package workflows

import (
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/workflows/contract"
)

// RectificationWorkflow runs one rectification notice (限期整改通知): the authority orders a
// department to correct a violation of the profile's list within the working days the notice
// fixes. The department (its approvers, and its head as the task's partner) reports the work
// done with evidence; the authority accepts the report or returns it, and a returned report
// leaves the original time limit standing. When the limit passes uncorrected, the profile's
// consequence is recorded on the timeline at once (辽宁 通报批评 第二十六条, 内乡 上报县级政府
// 纳入督查督办 第六十七条, …) and the authority gets a task to carry it out, in a child workflow;
// the rectify task stays open meanwhile, since the order to correct stands.
func RectificationWorkflow(ctx workflow.Context, in contract.RectificationInput) (contract.RectificationState, error) {
	r := &rectification{st: contract.RectificationState{Input: in, CaseState: contract.CaseState{Status: contract.RectificationIssued}}}
	return runCase[contract.RectificationState](ctx, r,
		caseKind{procedure: policy.ProcRectification, noun: "rectification", timeline: "rectification"},
		in.ID, &r.st.CaseState, contract.QueryRectification)
}

// rectification is the runner behind RectificationWorkflow.
type rectification struct {
	caseRunner
	st       contract.RectificationState
	rectActs *activities.RectificationActivities // method references only
	// task is the live state of the running rectify task, nil otherwise.
	task *TaskState
	// consequence is the child workflow of the authority's consequence task, once started;
	// recording is true while the overdue watcher writes the consequence.
	consequence workflow.ChildWorkflowFuture
	recording   bool
	// consequenceErr is the watcher's failure to record the consequence; the workflow fails
	// with it rather than let a missed time limit pass silently.
	consequenceErr error
}

func (r *rectification) state() contract.RectificationState { return r.st }

func (r *rectification) run(ctx workflow.Context) (contract.RectificationState, error) {
	if err := r.describe(ctx); err != nil {
		return contract.RectificationState{}, err
	}
	in := r.st.Input
	if err := setMemoTitle(ctx, r.writes, in.Violation.Title+" / "+in.DepartmentID); err != nil {
		return contract.RectificationState{}, fmt.Errorf("upsert memo: %w", err)
	}
	r.st.LegalBasis = r.proc.LegalBasis
	// The row goes first: the deadline activity reads the notice's time limit from it.
	if err := r.project(ctx); err != nil {
		return contract.RectificationState{}, err
	}
	if err := r.record(ctx, activities.EventRectificationIssued, in.IssuedBy, in.Description, map[string]any{
		"violation_code": in.Violation.Code, "violation": in.Violation.Title, "violation_basis": in.Violation.LegalBasis,
		"workdays": in.Workdays, "linked_task_id": in.LinkedTaskID, "linked_request_id": in.LinkedRequestID}); err != nil {
		return contract.RectificationState{}, err
	}
	if err := r.recordOnLinkedCase(ctx); err != nil {
		return contract.RectificationState{}, err
	}

	for !r.st.Final {
		report, err := r.rectify(ctx)
		if err != nil {
			return contract.RectificationState{}, err
		}
		r.st.Status = contract.RectificationReported
		if err := r.changed(ctx, activities.EventRectificationReported, report.DecidedBy, fmt.Sprint(report.Fields["report"]),
			map[string]any{"evidence": report.Fields["evidence"], "overdue": report.Overdue}); err != nil {
			return contract.RectificationState{}, err
		}
		if err := r.review(ctx); err != nil {
			return contract.RectificationState{}, err
		}
	}
	if err := r.awaitConsequence(ctx); err != nil {
		return contract.RectificationState{}, err
	}
	return r.st, nil
}

// rectify runs the department's rectify task until it reports the work done. The task's
// receipt is always the notice's issue, so a task opened again after a return has the
// original time limit. A watcher records the consequence as soon as the task is overdue.
func (r *rectification) rectify(ctx workflow.Context) (contract.TaskOutcome, error) {
	in := r.st.Input
	taskID := r.nextTaskID(contract.StepRectify)
	r.st.CurrentStep = contract.StepRectify
	if r.st.ConsequenceRecordedAt == nil {
		r.st.Status = contract.RectificationIssued
	} else {
		r.st.Status = contract.RectificationOverdue
	}
	spec := TaskSpec{
		TaskID:    taskID,
		RequestID: in.ID, Procedure: policy.ProcRectification, Step: contract.StepRectify,
		Candidate: Party{DepartmentID: in.DepartmentID, Role: policy.RoleApprover},
		// The head (主要负责人) answers for the department: the task is in its inbox too, and
		// it may report as the approvers may. A partner makes the task unclaimable, which
		// suits a notice addressed to the department as a whole.
		Partner:  &Party{DepartmentID: in.DepartmentID, Role: policy.RoleDeptHead},
		Watchers: []Party{{DepartmentID: in.AuthorityDeptID, Role: policy.RoleAuthority}},
		Decisions: []activities.DecisionOption{
			{Code: contract.DecisionDone, RequiredFields: []string{"report", "evidence"}},
		},
		ReceivedAt:  in.IssuedAt,
		Departments: map[string]string{policy.DeptOwn: in.DepartmentID, policy.DeptAuthority: in.AuthorityDeptID},
	}

	taskDone := false
	workflow.Go(ctx, func(ctx workflow.Context) {
		overdue := func() bool { return r.task != nil && r.task.Overdue }
		if err := workflow.Await(ctx, func() bool { return taskDone || overdue() }); err != nil || taskDone {
			return
		}
		if r.st.ConsequenceRecordedAt == nil {
			r.recording = true
			r.consequenceErr = r.recordConsequence(ctx)
			r.recording = false
		}
	})
	out, err := runHumanTask(ctx, spec, taskObserver{
		started: func(st *TaskState) { r.task = st },
		deadlineSet: func(ctx workflow.Context, d activities.DeadlineResult) error {
			r.st.DueAt = nil
			if !d.NoDeadline {
				due := d.DueAt
				r.st.DueAt = &due
			}
			r.st.LegalBasis = d.LegalBasis
			return r.project(ctx)
		},
	})
	taskDone = true
	r.task = nil
	if err != nil {
		return contract.TaskOutcome{}, err
	}
	// The consequence, once begun, is written before the report is.
	if err := workflow.Await(ctx, func() bool { return !r.recording }); err != nil {
		return contract.TaskOutcome{}, err
	}
	if r.consequenceErr != nil {
		return contract.TaskOutcome{}, r.consequenceErr
	}
	r.st.Decisions = append(r.st.Decisions, out)
	return out, nil
}

// review runs the authority's check of the report: accept ends the rectification, return
// sends it back with the original time limit.
func (r *rectification) review(ctx workflow.Context) error {
	in := r.st.Input
	taskID := r.nextTaskID(contract.StepReview)
	r.st.CurrentStep = contract.StepReview
	if err := r.project(ctx); err != nil {
		return err
	}
	out, err := runHumanTask(ctx, TaskSpec{
		TaskID:    taskID,
		RequestID: in.ID, Procedure: policy.ProcRectification, Step: contract.StepReview,
		Candidate: Party{DepartmentID: in.AuthorityDeptID, Role: policy.RoleAuthority},
		Watchers: []Party{{DepartmentID: in.DepartmentID, Role: policy.RoleApprover},
			{DepartmentID: in.DepartmentID, Role: policy.RoleDeptHead}},
		Decisions: []activities.DecisionOption{
			{Code: contract.DecisionAccept},
			{Code: contract.DecisionReturn, RequiredFields: []string{"reason"}},
		},
		ReceivedAt:  workflow.Now(ctx),
		Departments: map[string]string{policy.DeptOwn: in.DepartmentID, policy.DeptAuthority: in.AuthorityDeptID},
	}, taskObserver{})
	if err != nil {
		return err
	}
	r.st.Decisions = append(r.st.Decisions, out)
	if out.Decision == contract.DecisionReturn {
		return r.record(ctx, activities.EventReportReturned, out.DecidedBy, fmt.Sprint(out.Fields["reason"]),
			map[string]any{"due_at": r.st.DueAt})
	}
	now := workflow.Now(ctx)
	r.st.Status, r.st.CurrentStep, r.st.Final, r.st.ClosedAt = contract.RectificationRectified, "", true, &now
	return r.changed(ctx, activities.EventRectified, out.DecidedBy, out.Comment, map[string]any{"due_at": r.st.DueAt})
}

// recordConsequence records the profile's consequence of the missed time limit on the
// timeline, marks the rectification overdue and opens the authority's consequence task.
func (r *rectification) recordConsequence(ctx workflow.Context) error {
	in := r.st.Input
	now := workflow.Now(ctx)
	r.st.ConsequenceRecordedAt = &now
	if r.st.Status == contract.RectificationIssued {
		r.st.Status = contract.RectificationOverdue
	}
	c := in.Consequence
	if err := r.changed(ctx, activities.EventConsequenceRecorded, contract.Actor{}, c.Title, map[string]any{
		"consequence_code": c.Code, "legal_basis": c.LegalBasis, "local_default": c.LocalDefault, "note": c.Note,
		"due_at": r.st.DueAt}); err != nil {
		return err
	}
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID: contract.RectificationConsequenceWorkflowID(in.ID),
		// The authority carries the consequence out even if the rectification ends first.
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			contract.ProcedureKey.ValueSet(policy.ProcRectification), contract.JurisdictionKey.ValueSet(r.st.Jurisdiction),
			contract.ApplicantDeptKey.ValueSet(in.AuthorityDeptID), contract.ProviderDeptKey.ValueSet(in.DepartmentID),
			contract.StatusKey.ValueSet(contract.StepConsequence)),
	})
	r.consequence = workflow.ExecuteChildWorkflow(cctx, contract.RectificationConsequenceWorkflowType, contract.RectificationConsequenceInput{
		RectificationID: in.ID, DepartmentID: in.DepartmentID, AuthorityDeptID: in.AuthorityDeptID,
		Consequence: c, OverdueAt: now,
	})
	return r.consequence.GetChildWorkflowExecution().Get(ctx, nil)
}

// awaitConsequence waits for the authority to carry out a recorded consequence: the
// rectification is not over while its consequence is pending.
func (r *rectification) awaitConsequence(ctx workflow.Context) error {
	if err := workflow.Await(ctx, func() bool { return !r.recording }); err != nil {
		return err
	}
	if r.consequence == nil {
		return nil
	}
	var out contract.TaskOutcome
	if err := r.consequence.Get(ctx, &out); err != nil {
		return fmt.Errorf("consequence of rectification %s: %w", r.st.Input.ID, err)
	}
	r.st.ConsequenceCarriedOut = &out
	return r.changed(ctx, activities.EventConsequenceCarriedOut, out.DecidedBy, fmt.Sprint(out.Fields["reference"]),
		map[string]any{"consequence_code": r.st.Input.Consequence.Code})
}

// recordOnLinkedCase puts the notice on the timeline of the overdue task it was issued from,
// so the supervised case shows that its supervision led to a rectification.
func (r *rectification) recordOnLinkedCase(ctx workflow.Context) error {
	in := r.st.Input
	if in.LinkedTaskID == "" {
		return nil
	}
	ev := activities.AppendTimelineInput{
		// Its own key space: the linked workflow numbers its own events.
		EventID: r.workflowID + "/link#1", Seq: 1, TaskID: in.LinkedTaskID, WorkflowID: in.LinkedWorkflowID,
		RequestID: in.LinkedRequestID, Procedure: in.LinkedProcedure, Kind: activities.EventRectificationLinked,
		At: workflow.Now(ctx), Actor: in.IssuedBy.Subject, DepartmentID: in.IssuedBy.DepartmentID, Text: in.Violation.Title,
		Data: map[string]any{"rectification_id": in.ID, "workflow_id": r.workflowID, "violation_basis": in.Violation.LegalBasis,
			"workdays": in.Workdays},
	}
	if err := r.writes.write(ctx, activities.Write{Timeline: &ev}, r.acts.AppendTimeline, ev); err != nil {
		return fmt.Errorf("record rectification %s on task %s: %w", in.ID, in.LinkedTaskID, err)
	}
	return nil
}

// project writes the rectification's current state to the read model and brings the search
// attributes up to date.
func (r *rectification) project(ctx workflow.Context) error {
	// As for a share request, the department ordered is the "provider" (the party that acts),
	// the authority the "applicant" (the party that asked).
	rev, err := r.nextRevision(ctx, r.st.Input.AuthorityDeptID, r.st.Input.DepartmentID)
	if err != nil {
		return err
	}
	in, st := r.st.Input, r.st
	p := activities.ProjectRectificationInput{
		ID: in.ID, Revision: rev, WorkflowID: r.workflowID, DepartmentID: in.DepartmentID,
		AuthorityDeptID: in.AuthorityDeptID, IssuedBy: in.IssuedBy.Subject, ViolationCode: in.Violation.Code,
		ViolationTitle: in.Violation.Title, ViolationBasis: in.Violation.LegalBasis, Form: in.RectificationForm,
		Workdays: in.Workdays, DueAt: st.DueAt, LegalBasis: st.LegalBasis, Status: st.Status, CurrentStep: st.CurrentStep,
		ConsequenceCode: in.Consequence.Code, ConsequenceTitle: in.Consequence.Title, ConsequenceBasis: in.Consequence.LegalBasis,
		ConsequenceLocalDefault: in.Consequence.LocalDefault, ConsequenceRecordedAt: st.ConsequenceRecordedAt,
		ConsequenceDone: st.ConsequenceCarriedOut != nil, LinkedTaskID: in.LinkedTaskID, LinkedRequestID: in.LinkedRequestID,
		CreatedAt: in.IssuedAt, UpdatedAt: workflow.Now(ctx), ClosedAt: st.ClosedAt,
	}
	if err := r.writes.write(ctx, activities.Write{Rectification: &p}, r.rectActs.ProjectRectification, p); err != nil {
		return fmt.Errorf("project rectification %s: %w", in.ID, err)
	}
	return nil
}

// RectificationConsequenceWorkflow is the authority's task of carrying out the consequence of
// a missed rectification time limit (通报批评, 上报县级政府纳入督查督办, …) on the ordinary
// human-task step; it returns the task's outcome to the rectification.
func RectificationConsequenceWorkflow(ctx workflow.Context, in contract.RectificationConsequenceInput) (contract.TaskOutcome, error) {
	wid := workflow.GetInfo(ctx).WorkflowExecution.ID
	return RunHumanTask(ctx, TaskSpec{
		TaskID:    contract.HumanTaskID(wid, contract.StepConsequence, 1),
		RequestID: in.RectificationID, Procedure: policy.ProcRectification, Step: contract.StepConsequence,
		Candidate: Party{DepartmentID: in.AuthorityDeptID, Role: policy.RoleAuthority},
		Watchers:  []Party{{DepartmentID: in.DepartmentID, Role: policy.RoleDeptHead}},
		Decisions: []activities.DecisionOption{
			// reference: the circular's or the report's document number, or how it was done.
			{Code: contract.DecisionCarriedOut, RequiredFields: []string{"reference"}},
		},
		ReceivedAt:  in.OverdueAt,
		Departments: map[string]string{policy.DeptOwn: in.DepartmentID, policy.DeptAuthority: in.AuthorityDeptID},
	})
}
