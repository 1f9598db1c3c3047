package workflows

import (
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/workflows/contract"
)

// The update handlers of the human task, each after its validator. A validator only reads
// state (it runs before anything enters history); a handler changes the state synchronously,
// before its first blocking call, so a validator of a later update already sees the change.

func (t *humanTask) validateClaim(_ workflow.Context, u contract.ClaimUpdate) error {
	if err := t.checkOpen(u.TaskID, u.Actor); err != nil {
		return err
	}
	if !t.isCandidate(u.Actor) {
		return rejectf(contract.ErrTypeForbidden, "only %s may claim this task", t.candidates())
	}
	if t.st.Spec.Partner != nil {
		return rejectf(contract.ErrTypeRuleViolated, "a task shared by two parties (%s) is not claimed: either acts on it", t.candidates())
	}
	if t.st.Assignee != "" {
		return rejectf(contract.ErrTypeConflict, "the task is already claimed by %s", t.st.Assignee)
	}
	return nil
}

func (t *humanTask) claim(ctx workflow.Context, u contract.ClaimUpdate) (TaskState, error) {
	t.st.Assignee = u.Actor.Subject
	return t.changed(ctx, activities.EventClaimed, u.Actor, "", nil)
}

func (t *humanTask) validateUnclaim(_ workflow.Context, u contract.UnclaimUpdate) error {
	if err := t.checkOpen(u.TaskID, u.Actor); err != nil {
		return err
	}
	switch t.st.Assignee {
	case "":
		return rejectf(contract.ErrTypeConflict, "the task is not claimed")
	case u.Actor.Subject:
		return nil
	}
	return rejectf(contract.ErrTypeForbidden, "only %s, who claimed the task, may give it back", t.st.Assignee)
}

func (t *humanTask) unclaim(ctx workflow.Context, u contract.UnclaimUpdate) (TaskState, error) {
	t.st.Assignee = ""
	return t.changed(ctx, activities.EventUnclaimed, u.Actor, "", nil)
}

func (t *humanTask) validateTransfer(_ workflow.Context, u contract.TransferUpdate) error {
	if err := t.checkOpen(u.TaskID, u.Actor); err != nil {
		return err
	}
	// The authority supervising an overdue task (督办) may re-route it to the department it
	// belongs to, where the step allows department transfer.
	reroute := t.st.Spec.AllowDepartmentTransfer && t.isSupervisor(u.Actor) &&
		!blank(u.ToDepartmentID) && u.ToDepartmentID != t.st.Spec.Candidate.DepartmentID
	if !t.isCandidate(u.Actor) && !reroute {
		return rejectf(contract.ErrTypeForbidden, "only %s may transfer this task", t.candidates())
	}
	if t.st.Spec.Partner != nil {
		return rejectf(contract.ErrTypeRuleViolated, "a task shared by two parties (%s) is not transferred: either acts on it", t.candidates())
	}
	if t.st.Assignee != "" && t.st.Assignee != u.Actor.Subject && !reroute {
		return rejectf(contract.ErrTypeConflict, "the task is claimed by %s", t.st.Assignee)
	}
	if blank(u.ToSubject) && blank(u.ToDepartmentID) {
		return invalidField("to_subject", "name the person or the department to transfer to")
	}
	if u.ToSubject == u.Actor.Subject {
		return invalidField("to_subject", "cannot transfer a task to oneself")
	}
	if !blank(u.ToDepartmentID) && u.ToDepartmentID != t.st.Spec.Candidate.DepartmentID {
		if !t.st.Spec.AllowDepartmentTransfer || !u.Actor.HasRole(policy.RoleAuthority) {
			return rejectf(contract.ErrTypeRuleViolated, "this task can only be transferred within department %s", t.st.Spec.Candidate.DepartmentID)
		}
	}
	return nil
}

func (t *humanTask) transfer(ctx workflow.Context, u contract.TransferUpdate) (TaskState, error) {
	data := map[string]any{"from_department_id": t.st.Spec.Candidate.DepartmentID, "from_subject": t.st.Assignee}
	if !blank(u.ToDepartmentID) {
		t.st.Spec.Candidate.DepartmentID = u.ToDepartmentID
	}
	t.st.Assignee = u.ToSubject // "" after a transfer to a department's pool
	data["to_department_id"], data["to_subject"] = t.st.Spec.Candidate.DepartmentID, t.st.Assignee
	return t.changed(ctx, activities.EventTransferred, u.Actor, u.Reason, data)
}

func (t *humanTask) validateComment(_ workflow.Context, u contract.CommentUpdate) error {
	if err := t.checkOpen(u.TaskID, u.Actor); err != nil {
		return err
	}
	if !t.isCandidate(u.Actor) && !t.isWatcher(u.Actor) && !t.isSupervisor(u.Actor) {
		return rejectf(contract.ErrTypeForbidden, "department %s is not a party to this task", u.Actor.DepartmentID)
	}
	if blank(u.Text) {
		return invalidField("text", "a comment needs text")
	}
	return nil
}

func (t *humanTask) comment(ctx workflow.Context, u contract.CommentUpdate) (TaskState, error) {
	if err := t.record(ctx, activities.EventCommented, u.Actor, u.Text, nil); err != nil {
		return TaskState{}, err
	}
	return t.st, nil
}

func (t *humanTask) validateComplete(_ workflow.Context, u contract.CompleteUpdate) error {
	if err := t.checkOpen(u.TaskID, u.Actor); err != nil {
		return err
	}
	if !t.isCandidate(u.Actor) {
		return rejectf(contract.ErrTypeForbidden, "only %s may decide this task", t.candidates())
	}
	if t.st.Assignee != "" && t.st.Assignee != u.Actor.Subject {
		return rejectf(contract.ErrTypeConflict, "the task is claimed by %s", t.st.Assignee)
	}
	i := slices.IndexFunc(t.st.Spec.Decisions, func(d activities.DecisionOption) bool { return d.Code == u.Decision })
	if i < 0 {
		if t.obs.unlisted != nil {
			if err := t.obs.unlisted(u); err != nil {
				return err
			}
		}
		return invalidField("decision", "decision %q is not one of this task's decisions", u.Decision)
	}
	d := t.st.Spec.Decisions[i]
	if t.accepts(u, d) {
		return nil // the proposal's fields were checked when it was made
	}
	if p := t.st.Proposal; p != nil && d.Mutual && p.Decision == u.Decision && p.DepartmentID == u.Actor.DepartmentID && !carriesFields(u, d) {
		return rejectf(contract.ErrTypeConflict, "department %s's proposal waits for the other department's agreement", p.DepartmentID)
	}
	for _, f := range d.RequiredFields {
		if missing(u.Fields[f]) {
			return ruleField(f, "decision %s requires %s", u.Decision, f)
		}
	}
	for _, f := range sortedKeys(d.Choices) {
		allowed := d.Choices[f]
		if v, ok := u.Fields[f].(string); (ok || u.Fields[f] != nil) && !slices.Contains(allowed, v) {
			return invalidField(f, "must be one of %s, got %v", strings.Join(allowed, ", "), u.Fields[f])
		}
	}
	if t.obs.checkDecision != nil {
		return t.obs.checkDecision(u)
	}
	return nil
}

// accepts reports whether u accepts the other department's pending proposal on a shared task:
// the same mutual decision, without fields of its own.
func (t *humanTask) accepts(u contract.CompleteUpdate, d activities.DecisionOption) bool {
	p := t.st.Proposal
	return d.Mutual && t.st.Spec.Partner != nil && p != nil && p.Decision == u.Decision &&
		p.DepartmentID != u.Actor.DepartmentID && !carriesFields(u, d)
}

// proposes reports whether u is a proposal rather than a decision: a mutual decision on a
// shared task that does not accept a pending proposal.
func (t *humanTask) proposes(u contract.CompleteUpdate, d activities.DecisionOption) bool {
	return d.Mutual && t.st.Spec.Partner != nil && !t.accepts(u, d)
}

// carriesFields reports whether u gives any of the decision's required fields.
func carriesFields(u contract.CompleteUpdate, d activities.DecisionOption) bool {
	return slices.ContainsFunc(d.RequiredFields, func(f string) bool { return !missing(u.Fields[f]) })
}

// sortedKeys lists a map's keys in order, so that the first rejection is always the same.
func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	//workflowcheck:ignore the keys are sorted before use
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// missing reports an absent field: nil, or a string of blanks.
func missing(v any) bool {
	if s, ok := v.(string); ok {
		return blank(s)
	}
	return v == nil
}

func (t *humanTask) complete(ctx workflow.Context, u contract.CompleteUpdate) (TaskState, error) {
	d := t.st.Spec.Decisions[slices.IndexFunc(t.st.Spec.Decisions, func(d activities.DecisionOption) bool { return d.Code == u.Decision })]
	if t.proposes(u, d) {
		// Not yet a decision: the task stays open until the other department agrees.
		t.st.Proposal = &activities.Proposal{Decision: u.Decision, Fields: u.Fields, By: u.Actor.Subject,
			DepartmentID: u.Actor.DepartmentID, At: workflow.Now(ctx)}
		return t.changed(ctx, activities.EventProposed, u.Actor, u.Comment,
			map[string]any{"decision": u.Decision, "fields": u.Fields})
	}
	fields, data := u.Fields, map[string]any{"decision": u.Decision, "fields": u.Fields}
	if p := t.st.Proposal; t.accepts(u, d) {
		fields = p.Fields
		data["fields"], data["proposed_by"], data["proposed_by_department_id"] = p.Fields, p.By, p.DepartmentID
	}
	t.st.Proposal = nil
	t.st.Status = TaskStatusCompleted
	pending := t.st.PendingExtension
	t.st.PendingExtension = nil
	t.st.Outcome = &contract.TaskOutcome{
		TaskID: t.st.Spec.TaskID, Decision: u.Decision, Fields: fields, Comment: u.Comment,
		DecidedBy: u.Actor, DecidedAt: workflow.Now(ctx), Overdue: t.st.Overdue, LongOverdue: t.st.LongOverdue,
	}
	t.wake.SendAsync(struct{}{})
	var closeExtension *activities.ProjectTaskInput
	if pending != nil && workflow.GetVersion(ctx, changeCloseExtensionOnDecision, workflow.DefaultVersion, 1) >= 1 {
		// Decided while an extension waited: the approval task has nothing left to decide.
		in := t.extensionTask(ctx, pending, activities.TaskClosed)
		closeExtension = &in
	}
	st, err := t.changed(ctx, activities.EventCompleted, u.Actor, u.Comment, data)
	if err != nil || closeExtension == nil {
		return st, err
	}
	return st, t.projectInput(ctx, *closeExtension)
}

// changeCloseExtensionOnDecision is the workflow.GetVersion change id of closing a pending
// extension approval task when the task it extends is decided.
const changeCloseExtensionOnDecision = "close-extension-on-decision"

func (t *humanTask) validateUrge(ctx workflow.Context, u contract.UrgeUpdate) error {
	if err := t.checkOpen(u.TaskID, u.Actor); err != nil {
		return err
	}
	// The watchers urge; so does the authority supervising the task once it is overdue (督办),
	// from its supervision task. A validator is not run on replay, so who may urge can change
	// without a workflow version: the urge itself is recorded as any other.
	if !t.isWatcher(u.Actor) && !t.isSupervisor(u.Actor) {
		return rejectf(contract.ErrTypeForbidden, "department %s may not urge this task", u.Actor.DepartmentID)
	}
	last, urged := t.st.LastUrgeWindow[u.Actor.DepartmentID]
	if urged && last.Equal(t.urgeWindow(workflow.Now(ctx))) {
		return rejectf(contract.ErrTypeRuleViolated, "department %s already urged this task on this working day", u.Actor.DepartmentID)
	}
	return nil
}

func (t *humanTask) urge(ctx workflow.Context, u contract.UrgeUpdate) (TaskState, error) {
	now := workflow.Now(ctx)
	t.st.LastUrgeWindow[u.Actor.DepartmentID] = t.urgeWindow(now)
	t.st.UrgeCount++
	t.st.LastUrgedAt = &now
	// The event reaches the task's people as a notification (worker/notify.go).
	return t.changed(ctx, activities.EventUrged, u.Actor, u.Text, nil)
}

func (t *humanTask) validateRequestExtension(ctx workflow.Context, u contract.RequestExtensionUpdate) error {
	if err := t.checkOpen(u.TaskID, u.Actor); err != nil {
		return err
	}
	if !t.isCandidate(u.Actor) {
		return rejectf(contract.ErrTypeForbidden, "only %s may ask to extend this task", t.candidates())
	}
	rule := t.st.Deadline.Extension
	switch {
	case rule == nil || t.st.Deadline.NoDeadline:
		return rejectf(contract.ErrTypeRuleViolated, "the %s/%s step allows no extension", t.st.Spec.Procedure, t.st.Spec.Step)
	case t.st.PendingExtension != nil:
		return rejectf(contract.ErrTypeConflict, "an extension request is already waiting for a decision")
	case t.st.ExtensionRequests >= rule.MaxCount:
		// The regulation allows one extension (内乡 第四十六条: 延长一次): once asked for, and
		// granted or refused, it is spent — a state of the task, not a malformed request.
		return rejectf(contract.ErrTypeConflict, "the step allows %d extension request(s), and it was made", rule.MaxCount)
	case !workflow.Now(ctx).Before(t.st.Deadline.OverdueAt):
		return rejectf(contract.ErrTypeRuleViolated, "an extension must be asked for before the deadline")
	case u.Workdays < 1:
		return invalidField("workdays", "an extension is at least one working day")
	case u.Workdays > rule.MaxWorkdays:
		return ruleField("workdays", "an extension is at most %d working days", rule.MaxWorkdays)
	case blank(u.Reason):
		return invalidField("reason", "an extension request needs a reason")
	}
	return nil
}

func (t *humanTask) requestExtension(ctx workflow.Context, u contract.RequestExtensionUpdate) (TaskState, error) {
	t.st.ExtensionRequests++
	p := &PendingExtension{N: t.st.ExtensionRequests, Workdays: u.Workdays, Reason: u.Reason, RequestedBy: u.Actor, RequestedAt: workflow.Now(ctx)}
	t.st.PendingExtension = p
	// Revision and sequence number are both taken before the first blocking call, so they
	// follow the order in which actions were accepted.
	approval := t.extensionTask(ctx, p, activities.TaskOpen)
	st, err := t.changed(ctx, activities.EventExtensionAsked, u.Actor, u.Reason, map[string]any{"workdays": u.Workdays})
	if err != nil {
		return TaskState{}, err
	}
	if err := t.projectInput(ctx, approval); err != nil {
		return TaskState{}, err
	}
	return st, nil
}

func (t *humanTask) validateDecideExtension(ctx workflow.Context, u contract.DecideExtensionUpdate) error {
	if err := t.checkOpen(u.TaskID, u.Actor); err != nil {
		return err
	}
	if t.st.PendingExtension == nil {
		return rejectf(contract.ErrTypeConflict, "no extension request is waiting for a decision")
	}
	approver := t.st.Deadline.Extension.Approver // PendingExtension implies a rule
	if dept := t.extensionApproverDept(approver); u.Actor.DepartmentID != dept || !u.Actor.HasRole(approver) {
		return rejectf(contract.ErrTypeForbidden, "only the %s role of department %s may decide this extension", approver, dept)
	}
	if !u.Approve && blank(u.Reason) {
		return invalidField("reason", "a refused extension needs a reason")
	}
	return nil
}

func (t *humanTask) decideExtension(ctx workflow.Context, u contract.DecideExtensionUpdate) (TaskState, error) {
	p := t.st.PendingExtension
	t.st.PendingExtension = nil
	kind := activities.EventExtensionRefused
	if u.Approve {
		kind = activities.EventExtensionApproved
		t.st.ExtensionsGranted++
		t.st.ExtensionWorkdays += p.Workdays
	}
	done := t.extensionTask(ctx, p, activities.TaskCompleted)
	done.Decision, done.DecidedBy = contract.DecisionRefuseExtension, u.Actor.Subject
	if u.Approve {
		done.Decision = contract.DecisionApproveExtension
	}
	if err := t.projectInput(ctx, done); err != nil {
		return TaskState{}, err
	}
	if u.Approve {
		if err := t.recomputeDeadline(ctx, fmt.Sprintf("extension of %d working days approved", p.Workdays)); err != nil {
			return TaskState{}, err
		}
		t.wake.SendAsync(struct{}{}) // re-arm the timers on the new deadline
	}
	return t.changed(ctx, kind, u.Actor, u.Reason, map[string]any{"workdays": p.Workdays, "due_at": t.st.Deadline.DueAt})
}

// extensionTask is the projection of the extension approval task (延期审批) of request p,
// under the next revision.
func (t *humanTask) extensionTask(ctx workflow.Context, p *PendingExtension, status string) activities.ProjectTaskInput {
	t.st.Revision++
	s := t.st.Spec
	approver := t.st.Deadline.Extension.Approver
	return activities.ProjectTaskInput{
		TaskID: fmt.Sprintf("%s/extension/%d", s.TaskID, p.N), Revision: t.st.Revision, Kind: activities.TaskKindExtension,
		ParentTaskID: s.TaskID, WorkflowID: t.workflowID, RequestID: s.RequestID, Procedure: s.Procedure, Step: s.Step,
		CandidateDepartmentID: t.extensionApproverDept(approver), CandidateRole: approver,
		Status: status, ReceivedAt: p.RequestedAt, UpdatedAt: workflow.Now(ctx),
		Decisions: []activities.DecisionOption{{Code: contract.DecisionApproveExtension},
			{Code: contract.DecisionRefuseExtension, RequiredFields: []string{"reason"}}},
	}
}
