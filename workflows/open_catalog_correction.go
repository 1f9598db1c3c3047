package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/workflows/contract"
)

// OpenCatalogCorrectionWorkflow runs a citizen's application to correct the open catalog
// (开放目录更正, 内乡 第四十五条): the producing department answers within 10 working days of
// receipt, once extendable by at most 10 working days with its head's consent; if it agrees,
// it asks the city data authority to change the open catalog and records the change (a new
// catalog version of the resource); if it does not, it gives its reasons and basis.
func OpenCatalogCorrectionWorkflow(ctx workflow.Context, in contract.OpenCatalogCorrectionInput) (contract.OpenCatalogCorrectionState, error) {
	r := &openCatalogCorrection{st: contract.OpenCatalogCorrectionState{Input: in,
		CaseState: contract.CaseState{Status: contract.OpenCatalogStatusReplying}}}
	return runCase[contract.OpenCatalogCorrectionState](ctx, r,
		caseKind{procedure: policy.ProcOpenCatalogCorrection, noun: "open-catalog correction", timeline: "open-catalog-correction"},
		in.CorrectionID, &r.st.CaseState, contract.QueryOpenCatalogCorrection)
}

// openCatalogCorrection is the runner behind OpenCatalogCorrectionWorkflow.
type openCatalogCorrection struct {
	caseRunner
	st     contract.OpenCatalogCorrectionState
	ocActs *activities.OpenCatalogActivities // method references only
}

func (r *openCatalogCorrection) state() contract.OpenCatalogCorrectionState { return r.st }

func (r *openCatalogCorrection) run(ctx workflow.Context) (contract.OpenCatalogCorrectionState, error) {
	if err := r.describe(ctx); err != nil {
		return contract.OpenCatalogCorrectionState{}, err
	}
	in := r.st.Input
	// The title names the resource and the field, never the citizen.
	if err := setMemoTitle(ctx, r.writes, in.Resource.Name+" / "+in.Field); err != nil {
		return contract.OpenCatalogCorrectionState{}, fmt.Errorf("upsert memo: %w", err)
	}
	r.st.LegalBasis = r.proc.LegalBasis
	if err := r.project(ctx); err != nil {
		return contract.OpenCatalogCorrectionState{}, err
	}
	if err := r.record(ctx, activities.EventOpenCatalogCorrectionFiled, contract.Actor{Subject: in.CitizenSubject}, in.Reason,
		map[string]any{"resource_code": in.Resource.Code, "field": in.Field, "current_value": in.CurrentValue,
			"proposed_value": in.ProposedValue, "legal_basis": r.proc.LegalBasis}); err != nil {
		return contract.OpenCatalogCorrectionState{}, err
	}
	agreed, err := r.reply(ctx)
	if err != nil || !agreed {
		return r.st, err
	}
	if err := r.updateCatalog(ctx); err != nil {
		return contract.OpenCatalogCorrectionState{}, err
	}
	return r.st, nil
}

// reply is the producer's answer (答复) within 10 WD of receipt; the human-task step offers the
// extension its rule allows (the head of the producing department consents, ≤10 WD, once).
// It reports whether the producer agreed.
func (r *openCatalogCorrection) reply(ctx workflow.Context) (bool, error) {
	in := r.st.Input
	step, ok := r.proc.Step(contract.StepReply)
	if !ok {
		return false, temporal.NewNonRetryableApplicationError(fmt.Sprintf("profile %s has no %s/reply step", r.st.Jurisdiction,
			policy.ProcOpenCatalogCorrection), contract.ErrTypeInvalid, nil)
	}
	out, err := r.runTask(ctx, contract.StepReply, contract.OpenCatalogStatusReplying,
		Party{DepartmentID: in.Resource.ProviderDeptID, Role: step.ActorRole},
		[]activities.DecisionOption{
			{Code: contract.DecisionAgree, RequiredFields: []string{}},
			// 不同意更正的，应当说明理由，并提供依据 (第四十五条第三款).
			{Code: contract.DecisionDisagree, RequiredFields: []string{"reason", "legal_basis"}},
		}, in.ReceivedAt)
	if err != nil {
		return false, err
	}
	if out.Decision == contract.DecisionDisagree {
		r.st.Answer, r.st.AnswerBasis = text(out.Fields["reason"]), text(out.Fields["legal_basis"])
		if err := r.record(ctx, activities.EventOpenCatalogDisagreed, out.DecidedBy, r.st.Answer,
			map[string]any{"legal_basis": r.st.AnswerBasis}); err != nil {
			return false, err
		}
		return false, r.close(ctx, contract.OpenCatalogStatusDisagreed)
	}
	r.st.Answer = out.Comment
	return true, r.record(ctx, activities.EventOpenCatalogAgreed, out.DecidedBy, out.Comment,
		map[string]any{"field": in.Field, "proposed_value": in.ProposedValue})
}

// updateCatalog is the change of the open catalog the producer's agreement calls for
// (提请市级数据主管部门变更开放目录, 内乡 第四十五条第三款): the step's actor records the change
// (approve writes a new catalog version of the resource with the proposed value) or its
// refusal (reject needs a reason). The actor is the profile's: the producing department, which
// asks the city authority and records what it did; histories whose recorded profile gave the
// step to the county authority (or named no department) keep it there, so they replay as run.
func (r *openCatalogCorrection) updateCatalog(ctx workflow.Context) error {
	in := r.st.Input
	step, ok := r.proc.Step(contract.StepUpdateCatalog)
	if !ok {
		return r.close(ctx, contract.OpenCatalogStatusUpdated)
	}
	actor := in.AuthorityDeptID
	if step.ActorDepartment == policy.DeptProducer {
		actor = in.Resource.ProviderDeptID
	}
	out, err := r.runTask(ctx, contract.StepUpdateCatalog, contract.OpenCatalogStatusUpdating,
		Party{DepartmentID: actor, Role: step.ActorRole},
		[]activities.DecisionOption{
			{Code: contract.DecisionApprove, RequiredFields: []string{}},
			{Code: contract.DecisionRejectUpdate, RequiredFields: []string{"reason"}},
		}, workflow.Now(ctx))
	if err != nil {
		return err
	}
	if out.Decision == contract.DecisionRejectUpdate {
		if err := r.record(ctx, activities.EventOpenCatalogUpdateRejected, out.DecidedBy, text(out.Fields["reason"]), nil); err != nil {
			return err
		}
		return r.close(ctx, contract.OpenCatalogStatusRejected)
	}
	var applied activities.ApplyOpenCatalogCorrectionResult
	err = r.writes.execute(activityOptions(ctx), r.ocActs.ApplyOpenCatalogCorrection, activities.ApplyOpenCatalogCorrectionInput{
		CorrectionID: in.CorrectionID, ResourceID: in.Resource.ID, Field: in.Field, ProposedValue: in.ProposedValue,
		Actor: out.DecidedBy.Subject,
	}, &applied)
	var refused *temporal.ApplicationError
	if errors.As(err, &refused) && refused.NonRetryable() {
		// The catalog will never take the value (the resource was retired, its rules changed
		// since the application): the case closes saying so rather than failing.
		if err := r.record(ctx, activities.EventOpenCatalogUpdateFailed, contract.Actor{}, refused.Message(),
			map[string]any{"field": in.Field, "value": in.ProposedValue}); err != nil {
			return err
		}
		return r.close(ctx, contract.OpenCatalogStatusUpdateFailed)
	}
	if err != nil {
		return fmt.Errorf("apply open-catalog correction %s: %w", in.CorrectionID, err)
	}
	r.st.CatalogVersion = applied.Version
	if err := r.record(ctx, activities.EventOpenCatalogUpdated, out.DecidedBy, out.Comment,
		map[string]any{"field": in.Field, "value": in.ProposedValue, "version": applied.Version}); err != nil {
		return err
	}
	return r.close(ctx, contract.OpenCatalogStatusUpdated)
}

// runTask runs the step's human task; the application follows its deadline.
func (r *openCatalogCorrection) runTask(ctx workflow.Context, step, status string, candidate Party,
	decisions []activities.DecisionOption, receivedAt time.Time) (contract.TaskOutcome, error) {
	in := r.st.Input
	r.st.Status, r.st.CurrentStep = status, step
	spec := TaskSpec{
		TaskID: contract.HumanTaskID(r.workflowID, step, 1), RequestID: in.CorrectionID,
		Procedure: policy.ProcOpenCatalogCorrection, Step: step, Candidate: candidate,
		// The citizen has no department: it reads its application, it does not act on tasks.
		Watchers:  []Party{{DepartmentID: in.AuthorityDeptID, Role: policy.RoleAuthority}},
		Decisions: decisions, ReceivedAt: receivedAt,
		Departments: map[string]string{policy.DeptProvider: in.Resource.ProviderDeptID, policy.DeptProducer: in.Resource.ProviderDeptID,
			policy.DeptAuthority: in.AuthorityDeptID},
	}
	out, err := runHumanTask(ctx, spec, taskObserver{
		checkDecision: checkDisagreeBasis,
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

// checkDisagreeBasis rejects a disagreement whose basis is a blank string: the presence check
// of the task already names a missing one.
func checkDisagreeBasis(u contract.CompleteUpdate) error {
	if u.Decision != contract.DecisionDisagree {
		return nil
	}
	if s, ok := u.Fields["legal_basis"].(string); !ok || blank(s) {
		return ruleField("legal_basis", "a disagreement must give its basis (第四十五条第三款)")
	}
	return nil
}

// close makes the application final and projects it.
func (r *openCatalogCorrection) close(ctx workflow.Context, status string) error {
	r.end(ctx, status)
	return r.project(ctx)
}

// project writes the application's state to the read model and brings the search attributes
// up to date.
func (r *openCatalogCorrection) project(ctx workflow.Context) error {
	// Codes and department ids only: the applicant is a citizen, so the applicant department
	// stays empty and the citizen's subject never goes into the search attributes.
	rev, err := r.nextRevision(ctx, "", r.st.Input.Resource.ProviderDeptID)
	if err != nil {
		return err
	}
	in, st := r.st.Input, r.st
	p := activities.ProjectOpenCatalogCorrectionInput{
		ID: in.CorrectionID, Revision: rev, WorkflowID: r.workflowID, ResourceID: in.Resource.ID,
		ResourceCode: in.Resource.Code, ResourceName: in.Resource.Name, ProviderDeptID: in.Resource.ProviderDeptID,
		CitizenSubject: in.CitizenSubject, Form: in.OpenCatalogCorrectionForm, CurrentValue: in.CurrentValue,
		Status: st.Status, CurrentStep: st.CurrentStep, Answer: st.Answer, AnswerBasis: st.AnswerBasis,
		CatalogVersion: st.CatalogVersion, DueAt: st.DueAt, LocalDefault: st.LocalDefault, LegalBasis: st.LegalBasis,
		CreatedAt: in.ReceivedAt, UpdatedAt: workflow.Now(ctx), ClosedAt: st.ClosedAt,
	}
	if err := r.writes.write(ctx, activities.Write{OpenCatalogCorrection: &p}, r.ocActs.ProjectOpenCatalogCorrection, p); err != nil {
		return fmt.Errorf("project open-catalog correction %s: %w", in.CorrectionID, err)
	}
	return nil
}
