package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/workflows/contract"
)

// CorrectionWorkflow runs one data-correction report (数据校核纠错) through the active profile: a
// using department disputes shared data; where the profile has a dispatch step the technical
// service unit triages it and sends it to the producing department (内乡 第六十五条); the
// department verifies it (辽宁 第十八条, 内乡 第六十五条: 5 WD; 宁夏 第十五条, 乌海 第十二条: no time
// set) and, when the data is wrong, corrects it (内乡: 10 WD from the decision). The reporter then
// accepts the result or disputes it once; the authority's coordination of a dispute is final.
// While the workflow runs, the read model shows the resource as under verification.
func CorrectionWorkflow(ctx workflow.Context, in contract.CorrectionInput) (contract.CorrectionState, error) {
	r := &correction{st: contract.CorrectionState{Input: in, CaseState: contract.CaseState{Status: contract.CorrectionStatusVerifying},
		ProducerDeptID: in.Resource.ProviderDeptID}}
	return runCase[contract.CorrectionState](ctx, r,
		caseKind{procedure: policy.ProcCorrection, noun: "correction", timeline: "correction"},
		in.CorrectionID, &r.st.CaseState, contract.QueryCorrection)
}

// correction is the runner behind CorrectionWorkflow.
type correction struct {
	caseRunner
	st       contract.CorrectionState
	corrActs *activities.CorrectionActivities // method references only
	// caseFrom is the receipt of the verification request while the provider handles it —
	// verifying, correcting and reporting back within one limit over the case (政务数据共享条例
	// 第二十六条第二款) — and zero otherwise: the tasks opened meanwhile carry it.
	caseFrom time.Time
}

func (r *correction) state() contract.CorrectionState { return r.st }

func (r *correction) run(ctx workflow.Context) (contract.CorrectionState, error) {
	if err := r.describe(ctx); err != nil {
		return contract.CorrectionState{}, err
	}
	in := r.st.Input
	_, dispatching := r.proc.Step(contract.StepDispatch)
	if dispatching {
		r.st.Status, r.st.ProducerDeptID = contract.CorrectionStatusDispatching, ""
	}
	if err := setMemoTitle(ctx, r.writes, in.Resource.Name+" / "+in.Reporter.DepartmentID); err != nil {
		return contract.CorrectionState{}, fmt.Errorf("upsert memo: %w", err)
	}
	r.st.LegalBasis = r.proc.LegalBasis
	if err := r.project(ctx); err != nil {
		return contract.CorrectionState{}, err
	}
	// The procedure's articles go with the report: under 内乡 it reaches the producer through the
	// authority (第六十四条), a citizen's objection through the using department (辽宁 第十八条第二款).
	data := map[string]any{"resource_code": in.Resource.Code, "fields": in.Fields, "attachments": in.Evidence.Attachments,
		"legal_basis": r.proc.LegalBasis}
	if in.CitizenObjection != nil {
		data["citizen_objection"], data["citizen_source"] = true, in.CitizenObjection.Source
	}
	if err := r.record(ctx, activities.EventCorrectionReported, contract.Actor{Subject: in.Reporter.Subject, DepartmentID: in.Reporter.DepartmentID},
		in.Description, data); err != nil {
		return contract.CorrectionState{}, err
	}

	verifyFrom := in.ReceivedAt
	if dispatching {
		sent, err := r.dispatch(ctx)
		if err != nil {
			return contract.CorrectionState{}, err
		}
		verifyFrom = sent
	}
	if r.st.Result == "" {
		r.caseFrom = verifyFrom
		if err := r.verify(ctx, verifyFrom); err != nil {
			return contract.CorrectionState{}, err
		}
		r.caseFrom = time.Time{}
	}
	if err := r.answer(ctx); err != nil {
		return contract.CorrectionState{}, err
	}
	return r.st, nil
}

// dispatch is the technical service unit's triage (内乡 第六十五条): it sends the report to the
// producing department, or finds no data problem. It returns when the report was sent on,
// which starts the producer's verification deadline.
func (r *correction) dispatch(ctx workflow.Context) (time.Time, error) {
	in := r.st.Input
	step, _ := r.proc.Step(contract.StepDispatch)
	if in.TechServiceDeptID == "" {
		return time.Time{}, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("profile %s dispatches corrections through a technical service unit, and none was given", r.st.Jurisdiction), contract.ErrTypeInvalid, nil)
	}
	for {
		// Every attempt keeps the deadline counted from the report.
		out, err := r.runTask(ctx, contract.StepDispatch, contract.CorrectionStatusDispatching,
			Party{DepartmentID: in.TechServiceDeptID, Role: step.ActorRole},
			[]activities.DecisionOption{
				{Code: contract.DecisionDispatch, RequiredFields: []string{"department_id"}},
				{Code: contract.DecisionNotDataProblem, RequiredFields: []string{"reason"}},
			}, in.ReceivedAt, checkDispatch)
		if err != nil {
			return time.Time{}, err
		}
		if out.Decision == contract.DecisionNotDataProblem {
			r.st.Result, r.st.ResultText = contract.CorrectionResultNotDataProblem, text(out.Fields["reason"])
			return out.DecidedAt, r.record(ctx, activities.EventVerified, out.DecidedBy, r.st.ResultText,
				map[string]any{"result": r.st.Result, "step": contract.StepDispatch})
		}
		target := text(out.Fields["department_id"])
		var check activities.CheckDispatchTargetResult
		if err := r.writes.execute(activityOptions(ctx), r.corrActs.CheckDispatchTarget,
			activities.CheckDispatchTargetInput{DepartmentID: target}, &check); err != nil {
			return time.Time{}, fmt.Errorf("check dispatch target %s: %w", target, err)
		}
		if check.Valid {
			r.st.ProducerDeptID = target
			return out.DecidedAt, r.record(ctx, activities.EventDispatched, out.DecidedBy, out.Comment,
				map[string]any{"department_id": target})
		}
		if err := r.record(ctx, activities.EventDispatchRefused, out.DecidedBy, check.Reason,
			map[string]any{"department_id": target}); err != nil {
			return time.Time{}, err
		}
	}
}

// verify is the producing department's verification (校核) and, when the data is wrong, its
// correction. From 2025-08-01 the two, with the result put to the reporter, fall within the 10
// working days of receipt that 政务数据共享条例 第二十六条第二款 sets over the case: the national
// layer bounds the correction by the receipt (r.caseFrom), not by the finding.
func (r *correction) verify(ctx workflow.Context, receivedAt time.Time) error {
	step, ok := r.proc.Step(contract.StepVerify)
	if !ok {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("profile %s has no correction/verify step", r.st.Jurisdiction), contract.ErrTypeInvalid, nil)
	}
	out, err := r.runTask(ctx, contract.StepVerify, contract.CorrectionStatusVerifying,
		Party{DepartmentID: r.st.ProducerDeptID, Role: step.ActorRole},
		[]activities.DecisionOption{
			{Code: contract.DecisionConfirmed, RequiredFields: []string{"finding"}},
			{Code: contract.DecisionRejected, RequiredFields: []string{"reason"}},
		}, receivedAt, nil)
	if err != nil {
		return err
	}
	if out.Decision == contract.DecisionRejected {
		r.st.Result, r.st.ResultText = contract.CorrectionResultRejected, text(out.Fields["reason"])
		return r.record(ctx, activities.EventVerified, out.DecidedBy, r.st.ResultText, map[string]any{"result": r.st.Result})
	}
	if err := r.record(ctx, activities.EventVerified, out.DecidedBy, text(out.Fields["finding"]),
		map[string]any{"result": contract.CorrectionResultConfirmed}); err != nil {
		return err
	}
	// 内乡 第六十五条: the correction is due within 10 WD counted from the decision to correct.
	return r.correct(ctx, out.DecidedAt, text(out.Fields["finding"]))
}

// correct runs the correction task (更正, at source and re-aggregated where the profile says so)
// from the decision at decidedAt.
func (r *correction) correct(ctx workflow.Context, decidedAt time.Time, finding string) error {
	step, ok := r.proc.Step(contract.StepCorrect)
	if !ok {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("profile %s has no correction/correct step", r.st.Jurisdiction), contract.ErrTypeInvalid, nil)
	}
	out, err := r.runTask(ctx, contract.StepCorrect, contract.CorrectionStatusCorrecting,
		Party{DepartmentID: r.st.ProducerDeptID, Role: step.ActorRole},
		[]activities.DecisionOption{{Code: contract.DecisionCorrected, RequiredFields: []string{"corrected"}}},
		decidedAt, nil)
	if err != nil {
		return err
	}
	r.st.Result, r.st.ResultText = contract.CorrectionResultConfirmed, text(out.Fields["corrected"])
	return r.record(ctx, activities.EventDataCorrected, out.DecidedBy, r.st.ResultText, map[string]any{"finding": finding})
}

// answer puts the result to the reporter, who accepts it or disputes it once; a dispute goes
// to the authority's coordination, whose decision closes the case.
func (r *correction) answer(ctx workflow.Context) error {
	in := r.st.Input
	step, ok := r.proc.Step(contract.StepAccept)
	if !ok {
		// A profile without the reporter's step closes on the result.
		return r.close(ctx, contract.CorrectionStatusAccepted)
	}
	out, err := r.runTask(ctx, contract.StepAccept, contract.CorrectionStatusAnswered,
		Party{DepartmentID: in.Reporter.DepartmentID, Role: step.ActorRole},
		[]activities.DecisionOption{
			{Code: contract.DecisionAccept, RequiredFields: []string{}},
			{Code: contract.DecisionDispute, RequiredFields: []string{"reason"}},
		}, workflow.Now(ctx), nil)
	if err != nil {
		return err
	}
	if out.Decision == contract.DecisionAccept {
		if err := r.record(ctx, activities.EventResultAccepted, out.DecidedBy, out.Comment, nil); err != nil {
			return err
		}
		return r.close(ctx, contract.CorrectionStatusAccepted)
	}
	reason := text(out.Fields["reason"])
	r.st.Disputed = &contract.ActionRecord{By: out.DecidedBy, At: out.DecidedAt, Reason: reason}
	if err := r.record(ctx, activities.EventResultDisputed, out.DecidedBy, reason, nil); err != nil {
		return err
	}
	return r.coordinate(ctx)
}

// coordinate is the authority's final decision on a disputed result: the answer stands, or
// the department corrects the data.
func (r *correction) coordinate(ctx workflow.Context) error {
	in := r.st.Input
	step, ok := r.proc.Step(contract.StepCoordinate)
	if !ok {
		return r.close(ctx, contract.CorrectionStatusUpheld)
	}
	out, err := r.runTask(ctx, contract.StepCoordinate, contract.CorrectionStatusCoordinating,
		Party{DepartmentID: in.AuthorityDeptID, Role: step.ActorRole},
		[]activities.DecisionOption{
			{Code: contract.DecisionUphold, RequiredFields: []string{"reason"}},
			{Code: contract.DecisionOrderCorrect, RequiredFields: []string{"instruction"}},
		}, workflow.Now(ctx), nil)
	if err != nil {
		return err
	}
	if out.Decision == contract.DecisionUphold {
		if err := r.record(ctx, activities.EventCoordinated, out.DecidedBy, text(out.Fields["reason"]), map[string]any{"decision": out.Decision, "product_rule": policy.ProductRuleCoordinationFinal}); err != nil {
			return err
		}
		return r.close(ctx, contract.CorrectionStatusUpheld)
	}
	instruction := text(out.Fields["instruction"])
	if err := r.record(ctx, activities.EventCoordinated, out.DecidedBy, instruction, map[string]any{"decision": out.Decision, "product_rule": policy.ProductRuleCoordinationFinal}); err != nil {
		return err
	}
	if r.st.ProducerDeptID == "" { // triage found no data problem: the resource's provider corrects
		r.st.ProducerDeptID = in.Resource.ProviderDeptID
	}
	if err := r.correct(ctx, out.DecidedAt, instruction); err != nil {
		return err
	}
	return r.close(ctx, contract.CorrectionStatusResolved)
}

// runTask runs the step's human task; the procedure follows its deadline.
func (r *correction) runTask(ctx workflow.Context, step, status string, candidate Party, decisions []activities.DecisionOption,
	receivedAt time.Time, check func(contract.CompleteUpdate) error) (contract.TaskOutcome, error) {
	in := r.st.Input
	taskID := r.nextTaskID(step)
	r.st.Status, r.st.CurrentStep = status, step
	producer := r.st.ProducerDeptID
	if producer == "" {
		producer = in.Resource.ProviderDeptID
	}
	spec := TaskSpec{
		TaskID: taskID, RequestID: in.CorrectionID,
		Procedure: policy.ProcCorrection, Step: step, Candidate: candidate,
		Watchers: []Party{
			{DepartmentID: in.Reporter.DepartmentID, Role: policy.RoleApplicant},
			{DepartmentID: in.AuthorityDeptID, Role: policy.RoleAuthority},
		},
		Decisions: decisions, ReceivedAt: receivedAt, CaseReceivedAt: r.caseFrom,
		Departments: map[string]string{policy.DeptProvider: producer, policy.DeptProducer: producer,
			policy.DeptApplicant: in.Reporter.DepartmentID, policy.DeptAuthority: in.AuthorityDeptID,
			policy.DeptTechService: in.TechServiceDeptID},
	}
	out, err := runHumanTask(ctx, spec, taskObserver{
		checkDecision: check,
		deadlineSet: func(ctx workflow.Context, d activities.DeadlineResult) error {
			r.st.DueAt = nil
			if !d.NoDeadline {
				due := d.DueAt
				r.st.DueAt = &due
			}
			r.st.LegalBasis, r.st.LocalDefault = d.LegalBasis, d.LocalDefault
			return r.project(ctx)
		},
	})
	if err != nil {
		return contract.TaskOutcome{}, err
	}
	r.st.Decisions = append(r.st.Decisions, out)
	r.st.CurrentStep, r.st.DueAt, r.st.LocalDefault = "", nil, false
	return out, nil
}

// close makes the correction final and projects it: the resource is no longer under
// verification.
func (r *correction) close(ctx workflow.Context, status string) error {
	r.end(ctx, status)
	return r.project(ctx)
}

// project writes the correction's current state to the read model and brings the search
// attributes up to date.
func (r *correction) project(ctx workflow.Context) error {
	// The producing department acts: the provider, or the one the report was dispatched to.
	producer := r.st.ProducerDeptID
	if producer == "" {
		producer = r.st.Input.Resource.ProviderDeptID
	}
	rev, err := r.nextRevision(ctx, r.st.Input.Reporter.DepartmentID, producer)
	if err != nil {
		return err
	}
	in, st := r.st.Input, r.st
	p := activities.ProjectCorrectionInput{
		ID: in.CorrectionID, Revision: rev, WorkflowID: r.workflowID, ResourceID: in.Resource.ID,
		ResourceCode: in.Resource.Code, ResourceName: in.Resource.Name, ReporterDeptID: in.Reporter.DepartmentID,
		ReporterSubject: in.Reporter.Subject, ProviderDeptID: in.Resource.ProviderDeptID, ProducerDeptID: st.ProducerDeptID,
		Form: in.CorrectionForm, Status: st.Status, CurrentStep: st.CurrentStep, Result: st.Result, ResultText: st.ResultText,
		Disputed: st.Disputed != nil, DueAt: st.DueAt, LocalDefault: st.LocalDefault, LegalBasis: st.LegalBasis,
		CreatedAt: in.ReceivedAt, UpdatedAt: workflow.Now(ctx), ClosedAt: st.ClosedAt,
	}
	if err := r.writes.write(ctx, activities.Write{Correction: &p}, r.corrActs.ProjectCorrection, p); err != nil {
		return fmt.Errorf("project correction %s: %w", in.CorrectionID, err)
	}
	return nil
}

// checkDispatch rejects a dispatch whose department is not an id: the verification task would
// go to nobody.
func checkDispatch(u contract.CompleteUpdate) error {
	if u.Decision != contract.DecisionDispatch {
		return nil
	}
	if s, ok := u.Fields["department_id"].(string); !ok || blank(s) || len(s) > 64 {
		return invalidField("department_id", "department_id must be the id of the producing department")
	}
	return nil
}
