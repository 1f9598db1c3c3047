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
	ctx, w := beginWrites(ctx)
	r := &interfaceRequirement{st: contract.InterfaceRequirementState{Input: in, Status: contract.InterfaceStatusRequired}, writes: w}
	if err := r.setup(ctx); err != nil {
		return contract.InterfaceRequirementState{}, err
	}
	st, err := r.run(ctx)
	return st, w.finish(ctx, err)
}

// interfaceRequirement is the runner behind InterfaceRequirementWorkflow.
type interfaceRequirement struct {
	// writes is the read-model writer, nil in executions from before it.
	writes     *writes
	st         contract.InterfaceRequirementState
	workflowID string
	proc       activities.DescribeProcedureResult
	acts       *activities.Activities          // method references only
	irActs     *activities.InterfaceActivities // method references only
	sa         searchAttrs
}

func (r *interfaceRequirement) setup(ctx workflow.Context) error {
	r.workflowID = workflow.GetInfo(ctx).WorkflowExecution.ID
	if err := workflow.SetQueryHandler(ctx, contract.QueryInterfaceRequirement, func() (contract.InterfaceRequirementState, error) { return r.st, nil }); err != nil {
		return fmt.Errorf("register query %s: %w", contract.QueryInterfaceRequirement, err)
	}
	if err := registerOpened(ctx, r.writes, func() contract.InterfaceRequirementState { return r.st }); err != nil {
		return err
	}
	return nil
}

func (r *interfaceRequirement) run(ctx workflow.Context) (contract.InterfaceRequirementState, error) {
	in := r.st.Input
	err := r.writes.local(ctx, r.acts.DescribeProcedure, "DescribeProcedure", activities.DescribeProcedureInput{Procedure: policy.ProcInterfaceExtension}, &r.proc)
	if err != nil {
		return contract.InterfaceRequirementState{}, fmt.Errorf("describe procedure %s: %w", policy.ProcInterfaceExtension, err)
	}
	step, ok := r.proc.Step(contract.StepInterfaceRequest)
	if !r.proc.Applies || !ok {
		return contract.InterfaceRequirementState{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf("profile %s has no %s/%s step",
			r.proc.Jurisdiction, policy.ProcInterfaceExtension, contract.StepInterfaceRequest), contract.ErrTypeInvalid, nil)
	}
	r.st.Jurisdiction, r.st.LegalBasis = r.proc.Jurisdiction, r.proc.LegalBasis
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
	now := workflow.Now(ctx)
	r.st.Status, r.st.Final, r.st.ClosedAt, r.st.CurrentStep, r.st.DueAt = contract.InterfaceStatusDelivered, true, &now, "", nil
	if err := r.project(ctx); err != nil {
		return contract.InterfaceRequirementState{}, err
	}
	return r.st, nil
}

// project writes the requirement's state to the read model and brings the search attributes
// up to date.
func (r *interfaceRequirement) project(ctx workflow.Context) error {
	if err := r.upsertSearchAttributes(ctx); err != nil {
		return err
	}
	r.st.Revision++
	in, st := r.st.Input, r.st
	p := activities.ProjectInterfaceRequirementInput{
		ID: in.RequirementID, Revision: st.Revision, WorkflowID: r.workflowID, DepartmentID: in.DepartmentID,
		AuthorityDeptID: in.AuthorityDeptID, RequestedBy: in.RequestedBy, Description: in.Description, AgreedDue: in.AgreedDue,
		Status: st.Status, CurrentStep: st.CurrentStep, DueAt: st.DueAt, ExtensionWorkdays: st.ExtensionWorkdays,
		InterfaceDescription: st.InterfaceDescription, Documentation: st.Documentation, LegalBasis: st.LegalBasis,
		CreatedAt: in.ReceivedAt, UpdatedAt: workflow.Now(ctx), ClosedAt: st.ClosedAt,
	}
	if err := r.writes.write(ctx, activities.Write{InterfaceRequirement: &p}, r.irActs.ProjectInterfaceRequirement, p); err != nil {
		return fmt.Errorf("project interface requirement %s: %w", in.RequirementID, err)
	}
	return nil
}

// upsertSearchAttributes sets the attributes administrators filter by: the authority as
// applicant, the producing department as provider, status and due time.
func (r *interfaceRequirement) upsertSearchAttributes(ctx workflow.Context) error {
	return r.sa.upsert(ctx, procedureAttrs{Procedure: policy.ProcInterfaceExtension, Jurisdiction: r.st.Jurisdiction,
		ApplicantDept: r.st.Input.AuthorityDeptID, ProviderDept: r.st.Input.DepartmentID, Status: r.st.Status, DueAt: r.st.DueAt})
}

// record appends one event of the requirement itself to its timeline.
func (r *interfaceRequirement) record(ctx workflow.Context, kind string, actor contract.Actor, text string, data map[string]any) error {
	r.st.Seq++
	taskID := r.workflowID + "/interface-requirement"
	in := activities.AppendTimelineInput{
		EventID: fmt.Sprintf("%s#%d", taskID, r.st.Seq), Seq: r.st.Seq, TaskID: taskID,
		WorkflowID: r.workflowID, RequestID: r.st.Input.RequirementID, Procedure: policy.ProcInterfaceExtension, Step: r.st.CurrentStep,
		Kind: kind, At: workflow.Now(ctx), Actor: actor.Subject, DepartmentID: actor.DepartmentID, Text: text, Data: data,
	}
	if err := r.writes.write(ctx, activities.Write{Timeline: &in}, r.acts.AppendTimeline, in); err != nil {
		return fmt.Errorf("append %s to the timeline of interface requirement %s: %w", kind, r.st.Input.RequirementID, err)
	}
	return nil
}
