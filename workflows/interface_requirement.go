package workflows

import (
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/workflows/contract"
)

// InterfaceRequirementWorkflow runs the authority's requirement of a service interface from a
// producing department (服务接口, 内乡 第十三条第二款): the department delivers it, with its
// specification and call documentation, within the time agreed between the two, or applies
// in writing for an extension, which the authority may grant for at most 5 working days
// beyond the agreed date (接口延期). Overdue, the authority supervises it and may issue a
// rectification notice from the supervision task.
func InterfaceRequirementWorkflow(ctx workflow.Context, in contract.InterfaceRequirementInput) (contract.InterfaceRequirementState, error) {
	r := &interfaceRequirement{st: contract.InterfaceRequirementState{Input: in,
		CaseState: contract.CaseState{Status: contract.InterfaceStatusRequired}}}
	return runCase[contract.InterfaceRequirementState](ctx, r,
		caseKind{procedure: policy.ProcInterfaceExtension, noun: "interface requirement", timeline: "interface-requirement"},
		in.RequirementID, &r.st.CaseState, contract.QueryInterfaceRequirement)
}

// interfaceRequirement is the runner behind InterfaceRequirementWorkflow.
type interfaceRequirement struct {
	caseRunner
	st     contract.InterfaceRequirementState
	irActs *activities.InterfaceActivities // method references only
}

func (r *interfaceRequirement) state() contract.InterfaceRequirementState { return r.st }

func (r *interfaceRequirement) run(ctx workflow.Context) (contract.InterfaceRequirementState, error) {
	in := r.st.Input
	if err := r.describe(ctx); err != nil {
		return contract.InterfaceRequirementState{}, err
	}
	step, ok := r.proc.Step(contract.StepInterfaceRequest)
	if !ok {
		return contract.InterfaceRequirementState{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf("profile %s has no %s/%s step",
			r.proc.Jurisdiction, policy.ProcInterfaceExtension, contract.StepInterfaceRequest), contract.ErrTypeInvalid, nil)
	}
	r.st.LegalBasis = r.proc.LegalBasis
	if err := setMemoTitle(ctx, r.writes, "服务接口 / "+in.DepartmentID); err != nil {
		return contract.InterfaceRequirementState{}, fmt.Errorf("upsert memo: %w", err)
	}
	if err := r.project(ctx); err != nil {
		return contract.InterfaceRequirementState{}, err
	}
	if err := r.record(ctx, activities.EventInterfaceRequired, contract.Actor{Subject: in.RequestedBy, DepartmentID: in.AuthorityDeptID},
		in.Description, map[string]any{"agreed_due": in.AgreedDue, "legal_basis": r.proc.LegalBasis}); err != nil {
		return contract.InterfaceRequirementState{}, err
	}

	r.st.CurrentStep = contract.StepInterfaceRequest
	spec := TaskSpec{
		TaskID: contract.HumanTaskID(r.workflowID, contract.StepInterfaceRequest, 1), RequestID: in.RequirementID,
		Procedure: policy.ProcInterfaceExtension, Step: contract.StepInterfaceRequest,
		Candidate: Party{DepartmentID: in.DepartmentID, Role: step.ActorRole},
		Watchers:  []Party{{DepartmentID: in.AuthorityDeptID, Role: policy.RoleAuthority}},
		// 需同时提供相应的接口规范及调用说明 (第十三条第二款).
		Decisions:  []activities.DecisionOption{{Code: contract.DecisionDelivered, RequiredFields: []string{"interface_description", "documentation"}}},
		ReceivedAt: in.ReceivedAt,
		Departments: map[string]string{policy.DeptProducer: in.DepartmentID, policy.DeptProvider: in.DepartmentID,
			policy.DeptOwn: in.DepartmentID, policy.DeptAuthority: in.AuthorityDeptID},
		// The agreed date replaces the step's local default; an extension counts beyond it.
		DueDate: in.AgreedDue,
	}
	out, err := runHumanTask(ctx, spec, taskObserver{
		deadlineSet: func(ctx workflow.Context, d activities.DeadlineResult) error {
			due := d.DueAt
			r.st.DueAt, r.st.ExtensionWorkdays = &due, d.Workdays
			if len(d.LegalBasis) > 0 {
				r.st.LegalBasis = d.LegalBasis
			}
			return r.project(ctx)
		},
	})
	if err != nil {
		return contract.InterfaceRequirementState{}, err
	}
	r.st.Decisions = append(r.st.Decisions, out)
	r.st.InterfaceDescription, r.st.Documentation = text(out.Fields["interface_description"]), text(out.Fields["documentation"])
	r.st.Overdue = out.Overdue
	if err := r.record(ctx, activities.EventInterfaceDelivered, out.DecidedBy, out.Comment,
		map[string]any{"interface_description": r.st.InterfaceDescription, "documentation": r.st.Documentation, "overdue": out.Overdue}); err != nil {
		return contract.InterfaceRequirementState{}, err
	}
	r.end(ctx, contract.InterfaceStatusDelivered)
	if err := r.project(ctx); err != nil {
		return contract.InterfaceRequirementState{}, err
	}
	return r.st, nil
}

// project writes the requirement's state to the read model and brings the search attributes
// up to date.
func (r *interfaceRequirement) project(ctx workflow.Context) error {
	// The authority as applicant, the producing department as provider.
	rev, err := r.nextRevision(ctx, r.st.Input.AuthorityDeptID, r.st.Input.DepartmentID)
	if err != nil {
		return err
	}
	in, st := r.st.Input, r.st
	p := activities.ProjectInterfaceRequirementInput{
		ID: in.RequirementID, Revision: rev, WorkflowID: r.workflowID, DepartmentID: in.DepartmentID,
		AuthorityDeptID: in.AuthorityDeptID, RequestedBy: in.RequestedBy, Form: in.InterfaceRequirementForm,
		Status: st.Status, CurrentStep: st.CurrentStep, DueAt: st.DueAt, ExtensionWorkdays: st.ExtensionWorkdays,
		InterfaceDescription: st.InterfaceDescription, Documentation: st.Documentation, LegalBasis: st.LegalBasis,
		CreatedAt: in.ReceivedAt, UpdatedAt: workflow.Now(ctx), ClosedAt: st.ClosedAt,
	}
	if err := r.writes.write(ctx, activities.Write{InterfaceRequirement: &p}, r.irActs.ProjectInterfaceRequirement, p); err != nil {
		return fmt.Errorf("project interface requirement %s: %w", in.RequirementID, err)
	}
	return nil
}
