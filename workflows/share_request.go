package workflows

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/policy"
)

// Share types of a catalog resource (共享类别), as the catalog stores them.
const (
	ShareUnconditional = "unconditional" // 无条件共享: granted at once
	ShareConditional   = "conditional"   // 有条件共享: the deciding party replies
	ShareNone          = "none"          // 不予共享: only negotiation and coordination can open it
)

// Share request statuses; also the values of StatusKey.
const (
	ShareStatusPending      = "pending"      // waiting for the reply (待答复)
	ShareStatusRefused      = "refused"      // refused, negotiation may still be asked for
	ShareStatusNegotiating  = "negotiating"  // 协商
	ShareStatusCoordinating = "coordinating" // 协调
	ShareStatusGranted      = "granted"      // final: a grant exists
	ShareStatusRejected     = "rejected"     // final: the refusal stands
	ShareStatusWithdrawn    = "withdrawn"    // final: withdrawn by the applicant (撤回)
)

// Steps of the share procedure in the jurisdiction profiles.
const (
	StepReply      = "reply"
	StepNegotiate  = "negotiate"
	StepCoordinate = "coordinate"
	// StepSuspend is not a task: its presence in a profile cites the authority's power to
	// suspend or terminate a grant (内乡 第四十一条).
	StepSuspend = "suspend"
)

// Decisions of the share procedure's tasks.
const (
	DecisionApprove       = "approve"        // reply: grant, possibly narrower than asked
	DecisionRefuse        = "refuse"         // reply: refuse with reasons (说明理由)
	DecisionAgree         = "agree"          // negotiation: agreed terms, granted
	DecisionFail          = "fail"           // negotiation: no agreement, to coordination
	DecisionGrant         = "grant"          // coordination: grant (final)
	DecisionUpholdRefusal = "uphold_refusal" // coordination: the refusal stands (final)
)

// defaultValidityDays is the validity of a grant when neither the request nor the decision
// names a usable one: a local product default (one year), not law.
const defaultValidityDays = 365

// grantFields are the fields every deciding task needs for a grant.
var grantFields = []string{"scope", "usage_purpose", "validity_days"}

// ShareResource is the catalog resource a request asks for, as the API read it at submission.
type ShareResource struct {
	ID             int64  `json:"id"`
	Code           string `json:"code"`
	Name           string `json:"name"`
	ShareType      string `json:"share_type"`
	ProviderDeptID string `json:"provider_dept_id"`
}

// ShareApplicant is who asks: the using department and the submitting person.
type ShareApplicant struct {
	DepartmentID string `json:"department_id"`
	Subject      string `json:"subject"`
}

// ShareRequestInput starts a ShareRequestWorkflow (有条件共享申请). The API fills it from the
// catalog and the profile in force.
type ShareRequestInput struct {
	RequestID string         `json:"request_id"`
	Resource  ShareResource  `json:"resource"`
	Applicant ShareApplicant `json:"applicant"`
	Purpose   string         `json:"purpose"`
	Scope     string         `json:"scope"`
	// DutyBasis is the duty the applicant needs the data for; required for ShareNone.
	DutyBasis             string    `json:"duty_basis,omitempty"`
	RequestedValidityDays int       `json:"requested_validity_days"`
	ReceivedAt            time.Time `json:"received_at"`
	// DecidingDeptID decides share/reply: the provider, or the authority under 内乡 第十二条.
	DecidingDeptID  string `json:"deciding_dept_id"`
	AuthorityDeptID string `json:"authority_dept_id"`
}

// GrantState is the grant a request produced (共享授权).
type GrantState struct {
	ID           string    `json:"id"`
	Scope        string    `json:"scope"`
	UsagePurpose string    `json:"usage_purpose"`
	Conditions   string    `json:"conditions,omitempty"`
	ValidFrom    time.Time `json:"valid_from"`
	ValidUntil   time.Time `json:"valid_until"`
	Status       string    `json:"status"`
	StatusReason string    `json:"status_reason,omitempty"`
	// Basis says how it came about: unconditional, or the decision (step and code).
	Basis    string `json:"basis"`
	Revision int    `json:"revision"`
}

// ActionRecord is who did something to the request, when, and why.
type ActionRecord struct {
	By     Actor     `json:"by"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason,omitempty"`
}

// ShareRequestState is the whole serialisable state of a share request; QueryShareRequest
// returns it and so does the workflow.
type ShareRequestState struct {
	Input        ShareRequestInput `json:"input"`
	Jurisdiction string            `json:"jurisdiction"`
	Status       string            `json:"status"`
	CurrentStep  string            `json:"current_step,omitempty"`
	// DueAt is the deadline of the open task, or the end of the negotiation window.
	DueAt      *time.Time `json:"due_at,omitempty"`
	LegalBasis []string   `json:"legal_basis,omitempty"`
	// Decisions are the outcomes of the request's tasks, in order.
	Decisions []TaskOutcome `json:"decisions,omitempty"`
	// NegotiationUntil is the end of the window for asking negotiation after a refusal.
	NegotiationUntil *time.Time    `json:"negotiation_until,omitempty"`
	Negotiation      *ActionRecord `json:"negotiation,omitempty"`
	Withdrawn        *ActionRecord `json:"withdrawn,omitempty"`
	Grant            *GrantState   `json:"grant,omitempty"`
	// Final: no decision can change the request any more (its grant may still change).
	Final    bool       `json:"final"`
	ClosedAt *time.Time `json:"closed_at,omitempty"`
	// Seq numbers the request's own timeline events, Revision its projections.
	Seq      int `json:"seq"`
	Revision int `json:"revision"`
	// Tasks counts the tasks opened per step, for their ids.
	Tasks map[string]int `json:"tasks,omitempty"`
}

// ShareRequestWorkflow runs one share request through the active profile: an unconditional
// resource is granted at once; a conditional one waits for the deciding party's reply; a
// refusal may go to negotiation and then to the authority's coordination, whose decision is
// final; a resource not for sharing goes straight to negotiation. The applicant may withdraw
// before a final decision. A grant then lives until it expires or is revoked, and the
// authority may suspend and resume it (内乡 第四十一条).
func ShareRequestWorkflow(ctx workflow.Context, in ShareRequestInput) (ShareRequestState, error) {
	r := &shareRequest{st: ShareRequestState{Input: in, Status: ShareStatusPending, Tasks: map[string]int{}}}
	if err := r.setup(ctx); err != nil {
		return ShareRequestState{}, err
	}
	return r.run(ctx)
}

// shareRequest is the runner behind ShareRequestWorkflow.
type shareRequest struct {
	st         ShareRequestState
	workflowID string
	proc       activities.DescribeProcedureResult
	acts       *activities.Activities      // method references only
	shareActs  *activities.ShareActivities // method references only
	// task is the live state of the running human task, nil between tasks; cancelTask
	// closes it (withdrawal).
	task       *TaskState
	cancelTask workflow.CancelFunc
	// sa is what the search attributes were last set to, to upsert only changes.
	sa searchAttrs
}

type searchAttrs struct {
	status string
	dueAt  time.Time
	set    bool
}

func (r *shareRequest) setup(ctx workflow.Context) error {
	r.workflowID = workflow.GetInfo(ctx).WorkflowExecution.ID
	if err := workflow.SetQueryHandler(ctx, QueryShareRequest, func() (ShareRequestState, error) { return r.st, nil }); err != nil {
		return fmt.Errorf("register query %s: %w", QueryShareRequest, err)
	}
	updates := []struct {
		name      string
		handler   any
		validator any
	}{
		{UpdateWithdraw, r.withdraw, r.validateWithdraw},
		{UpdateNegotiation, r.askNegotiation, r.validateNegotiation},
		{UpdateSuspendGrant, r.suspendGrant, r.validateSuspendGrant},
		{UpdateResumeGrant, r.resumeGrant, r.validateResumeGrant},
		{UpdateRevokeGrant, r.revokeGrant, r.validateRevokeGrant},
	}
	for _, u := range updates {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, u.handler,
			workflow.UpdateHandlerOptions{Validator: u.validator}); err != nil {
			return fmt.Errorf("register update %s: %w", u.name, err)
		}
	}
	return nil
}

func (r *shareRequest) run(ctx workflow.Context) (ShareRequestState, error) {
	if err := r.describe(ctx); err != nil {
		return ShareRequestState{}, err
	}
	in := r.st.Input
	if in.Resource.ShareType == ShareNone {
		// No reply: the request starts in the dispute procedure.
		r.st.Status = ShareStatusCoordinating
		if _, ok := r.proc.Step(StepNegotiate); ok {
			r.st.Status = ShareStatusNegotiating
		}
	}
	if err := workflow.UpsertMemo(ctx, map[string]any{MemoTitle: in.Resource.Name + " / " + in.Applicant.DepartmentID}); err != nil {
		return ShareRequestState{}, fmt.Errorf("upsert memo: %w", err)
	}
	r.st.LegalBasis = r.proc.LegalBasis
	if err := r.project(ctx); err != nil {
		return ShareRequestState{}, err
	}
	if err := r.record(ctx, activities.EventSubmitted, Actor{Subject: in.Applicant.Subject, DepartmentID: in.Applicant.DepartmentID},
		in.Purpose, map[string]any{"share_type": in.Resource.ShareType, "resource_code": in.Resource.Code}); err != nil {
		return ShareRequestState{}, err
	}
	if err := r.route(ctx); err != nil {
		return ShareRequestState{}, err
	}
	if r.st.Grant != nil {
		if err := r.watchGrant(ctx); err != nil {
			return ShareRequestState{}, err
		}
	}
	// A withdrawal or grant action may still be writing its projection.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return ShareRequestState{}, err
	}
	return r.st, nil
}

// describe learns the profile's share steps (recorded in history, so routing stays
// deterministic when the profile file changes).
func (r *shareRequest) describe(ctx workflow.Context) error {
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
	}), r.acts.DescribeProcedure, activities.DescribeProcedureInput{Procedure: policy.ProcShare}).Get(ctx, &r.proc)
	if err != nil {
		return fmt.Errorf("describe procedure %s: %w", policy.ProcShare, err)
	}
	r.st.Jurisdiction = r.proc.Jurisdiction
	return nil
}

// route takes the request to its final decision, or to its withdrawal.
func (r *shareRequest) route(ctx workflow.Context) error {
	in := r.st.Input
	switch in.Resource.ShareType {
	case ShareUnconditional:
		// 无条件共享, 直接获取: nobody decides; the grant is what was asked for.
		return r.makeGrant(ctx, map[string]any{"scope": in.Scope, "usage_purpose": in.Purpose,
			"validity_days": in.RequestedValidityDays}, "unconditional", Actor{})
	case ShareNone:
		// 不予共享: no provider decision; the applicant's duty basis goes to negotiation.
		return r.dispute(ctx)
	}

	reply, ok := r.proc.Step(StepReply)
	if !ok {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("profile %s has no share/reply step", r.st.Jurisdiction), ErrTypeInvalid, nil)
	}
	out, decided, err := r.runTask(ctx, StepReply, ShareStatusPending, Party{DepartmentID: in.DecidingDeptID, Role: reply.ActorRole},
		[]activities.DecisionOption{
			{Code: DecisionApprove, RequiredFields: grantFields},
			{Code: DecisionRefuse, RequiredFields: []string{"reason_code", "reason", "legal_basis"}},
		}, in.ReceivedAt)
	if err != nil || !decided {
		return err
	}
	if out.Decision == DecisionApprove {
		return r.makeGrant(ctx, out.Fields, StepReply+"/"+DecisionApprove, out.DecidedBy)
	}
	return r.refused(ctx, out)
}

// refused waits for the applicant to ask for negotiation within the window of the next
// dispute step's deadline; without a request the refusal becomes final. A calendar change
// moves the window as it moves a task's deadline.
func (r *shareRequest) refused(ctx workflow.Context, out TaskOutcome) error {
	refusedAt := workflow.Now(ctx)
	window, err := r.negotiationWindow(ctx, refusedAt)
	if err != nil {
		return err
	}
	if r.st.Withdrawn != nil { // withdrawn while the window was computed
		return nil
	}
	r.st.Status, r.st.CurrentStep = ShareStatusRefused, ""
	r.setWindow(window)
	if err := r.changed(ctx, activities.EventRefused, out.DecidedBy, fmt.Sprint(out.Fields["reason"]),
		map[string]any{"reason_code": out.Fields["reason_code"], "legal_basis": out.Fields["legal_basis"],
			"negotiation_until": r.st.NegotiationUntil, "local_default": window.LocalDefault}); err != nil {
		return err
	}

	asked := func() bool { return r.st.Negotiation != nil || r.st.Withdrawn != nil }
	recompute := workflow.GetSignalChannel(ctx, SignalRecomputeDeadline)
	for !asked() {
		left := window.OverdueAt.Sub(workflow.Now(ctx))
		if !window.NoDeadline && left <= 0 {
			break
		}
		timerCtx, cancelTimer := workflow.WithCancel(ctx)
		var timer workflow.Future
		if !window.NoDeadline {
			timer = workflow.NewTimer(timerCtx, left)
		}
		err := workflow.Await(ctx, func() bool {
			return asked() || recompute.Len() > 0 || (timer != nil && timer.IsReady())
		})
		cancelTimer()
		if err != nil {
			return err
		}
		if asked() || recompute.Len() == 0 {
			continue // asked, or the window ended: the loop's checks decide
		}
		for recompute.ReceiveAsync(nil) {
		}
		moved, err := r.negotiationWindow(ctx, refusedAt)
		if err != nil {
			return err
		}
		if moved.DueAt.Equal(window.DueAt) || asked() {
			continue
		}
		previous := window.DueAt
		window = moved
		r.setWindow(window)
		if err := r.changed(ctx, activities.EventDeadlineChanged, Actor{}, "calendar changed",
			map[string]any{"negotiation_until": r.st.NegotiationUntil, "previous_due_at": previous}); err != nil {
			return err
		}
	}
	switch {
	case r.st.Withdrawn != nil:
		return nil
	case r.st.Negotiation == nil:
		return r.finalRefusal(ctx, Actor{}, "negotiation window ended")
	}
	return r.dispute(ctx)
}

// negotiationWindow is the deadline of the step a dispute starts with, counted from the
// refusal: negotiation where the profile has one, else coordination (辽宁 第十七条第三款, 内乡
// 第四十条 send disputes straight to the authority). No regulation sets this window; the
// profiles give those steps local-default deadlines, which the result marks as such.
func (r *shareRequest) negotiationWindow(ctx workflow.Context, refusedAt time.Time) (activities.DeadlineResult, error) {
	next := StepNegotiate
	if _, ok := r.proc.Step(StepNegotiate); !ok {
		next = StepCoordinate
	}
	var window activities.DeadlineResult
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second}),
		r.acts.ComputeDeadline, activities.DeadlineInput{Procedure: policy.ProcShare, Step: next, ReceivedAt: refusedAt}).Get(ctx, &window); err != nil {
		return activities.DeadlineResult{}, fmt.Errorf("negotiation window: %w", err)
	}
	return window, nil
}

func (r *shareRequest) setWindow(window activities.DeadlineResult) {
	r.st.DueAt, r.st.NegotiationUntil, r.st.LegalBasis = nil, nil, window.LegalBasis
	if !window.NoDeadline {
		until := window.DueAt
		r.st.DueAt, r.st.NegotiationUntil = &until, &until
	}
}

// dispute runs negotiation (where the profile has it) and then coordination.
func (r *shareRequest) dispute(ctx workflow.Context) error {
	in := r.st.Input
	if _, ok := r.proc.Step(StepNegotiate); ok {
		// The providing department records the negotiation's outcome: an agreement grants
		// its data, so only it may state one; the applicant follows, comments and urges.
		out, decided, err := r.runTask(ctx, StepNegotiate, ShareStatusNegotiating, Party{DepartmentID: in.Resource.ProviderDeptID, Role: policy.RoleApprover},
			[]activities.DecisionOption{
				{Code: DecisionAgree, RequiredFields: grantFields},
				{Code: DecisionFail, RequiredFields: []string{"reason"}},
			}, workflow.Now(ctx))
		if err != nil || !decided {
			return err
		}
		if out.Decision == DecisionAgree {
			return r.makeGrant(ctx, out.Fields, StepNegotiate+"/"+DecisionAgree, out.DecidedBy)
		}
		if err := r.record(ctx, activities.EventNegotiationFailed, out.DecidedBy, fmt.Sprint(out.Fields["reason"]), nil); err != nil {
			return err
		}
	}

	coordinate, ok := r.proc.Step(StepCoordinate)
	if !ok {
		return r.finalRefusal(ctx, Actor{}, "the profile provides no coordination")
	}
	out, decided, err := r.runTask(ctx, StepCoordinate, ShareStatusCoordinating, Party{DepartmentID: in.AuthorityDeptID, Role: coordinate.ActorRole},
		[]activities.DecisionOption{
			{Code: DecisionGrant, RequiredFields: grantFields},
			{Code: DecisionUpholdRefusal, RequiredFields: []string{"reason"}},
		}, workflow.Now(ctx))
	if err != nil || !decided {
		return err
	}
	if out.Decision == DecisionGrant {
		return r.makeGrant(ctx, out.Fields, StepCoordinate+"/"+DecisionGrant, out.DecidedBy)
	}
	return r.finalRefusal(ctx, out.DecidedBy, fmt.Sprint(out.Fields["reason"]))
}

// runTask runs the step's human task on a cancellable context; decided is false when the
// request was withdrawn meanwhile.
func (r *shareRequest) runTask(ctx workflow.Context, step, status string, candidate Party, decisions []activities.DecisionOption, receivedAt time.Time) (TaskOutcome, bool, error) {
	if r.st.Withdrawn != nil { // withdrawn while the previous step was finishing
		return TaskOutcome{}, false, nil
	}
	in := r.st.Input
	r.st.Tasks[step]++
	r.st.Status, r.st.CurrentStep = status, step
	spec := TaskSpec{
		TaskID: HumanTaskID(r.workflowID, step, r.st.Tasks[step]), RequestID: in.RequestID,
		Procedure: policy.ProcShare, Step: step, Candidate: candidate,
		Watchers: []Party{
			{DepartmentID: in.Applicant.DepartmentID, Role: policy.RoleApplicant},
			{DepartmentID: in.AuthorityDeptID, Role: policy.RoleAuthority},
		},
		Decisions: decisions, ReceivedAt: receivedAt,
		Departments: map[string]string{policy.DeptProvider: in.Resource.ProviderDeptID,
			policy.DeptApplicant: in.Applicant.DepartmentID, policy.DeptAuthority: in.AuthorityDeptID},
	}
	if step == StepCoordinate {
		spec.Watchers = append(spec.Watchers, Party{DepartmentID: in.Resource.ProviderDeptID, Role: policy.RoleApprover})
	}
	taskCtx, cancel := workflow.WithCancel(ctx)
	r.cancelTask = cancel
	defer func() { r.task, r.cancelTask = nil, nil }()
	out, err := runHumanTask(taskCtx, spec, taskObserver{
		started:       func(st *TaskState) { r.task = st },
		checkDecision: checkGrantFields,
		deadlineSet: func(ctx workflow.Context, d activities.DeadlineResult) error {
			if r.st.Final { // withdrawn meanwhile: the task is about to close
				return nil
			}
			r.st.DueAt = nil
			if !d.NoDeadline {
				due := d.DueAt
				r.st.DueAt = &due
			}
			r.st.LegalBasis = d.LegalBasis
			return r.project(ctx)
		},
	})
	cancel()
	switch {
	case err != nil && temporal.IsCanceledError(err) && r.st.Withdrawn != nil:
		return TaskOutcome{}, false, nil
	case err != nil:
		return TaskOutcome{}, false, err
	}
	r.st.Decisions = append(r.st.Decisions, out)
	r.st.CurrentStep, r.st.DueAt = "", nil
	return out, true, nil
}

// makeGrant grants the request on the decided terms: valid from now for the decided number of
// calendar days (checked by the complete validator), or for the requested days when nobody
// decided (unconditional), or a local default when the request names none.
func (r *shareRequest) makeGrant(ctx workflow.Context, fields map[string]any, basis string, by Actor) error {
	if r.st.Withdrawn != nil {
		return nil
	}
	now := workflow.Now(ctx).In(calendar.Location())
	days, ok := positiveInt(fields["validity_days"])
	if !ok {
		days = r.st.Input.RequestedValidityDays
	}
	if days < 1 {
		days = defaultValidityDays
	}
	r.st.Grant = &GrantState{
		ID: "G-" + r.st.Input.RequestID, Scope: text(fields["scope"]), UsagePurpose: text(fields["usage_purpose"]),
		Conditions: text(fields["conditions"]), ValidFrom: now, ValidUntil: now.AddDate(0, 0, days),
		Status: activities.GrantActive, Basis: basis,
	}
	r.close(ctx, ShareStatusGranted)
	if err := r.projectGrant(ctx); err != nil {
		return err
	}
	return r.changed(ctx, activities.EventGranted, by, "", map[string]any{"grant_id": r.st.Grant.ID,
		"basis": basis, "valid_until": r.st.Grant.ValidUntil, "scope": r.st.Grant.Scope})
}

func (r *shareRequest) finalRefusal(ctx workflow.Context, by Actor, why string) error {
	if r.st.Withdrawn != nil {
		return nil
	}
	r.close(ctx, ShareStatusRejected)
	return r.changed(ctx, activities.EventRefusalFinal, by, why, nil)
}

// close marks the request final with the status; the caller projects it.
func (r *shareRequest) close(ctx workflow.Context, status string) {
	now := workflow.Now(ctx)
	r.st.Status, r.st.Final, r.st.ClosedAt = status, true, &now
	r.st.CurrentStep, r.st.DueAt, r.st.NegotiationUntil = "", nil, nil
}

// watchGrant keeps the grant until it is revoked or its validity ends (到期).
func (r *shareRequest) watchGrant(ctx workflow.Context) error {
	g := r.st.Grant
	revoked := func() bool { return g.Status == activities.GrantRevoked }
	if left := g.ValidUntil.Sub(workflow.Now(ctx)); left > 0 {
		if _, err := workflow.AwaitWithTimeout(ctx, left, revoked); err != nil {
			return err
		}
	}
	if revoked() {
		return nil
	}
	// Wait for a grant action in flight to finish before the expiry takes the next revision.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return err
	}
	g.Status, g.StatusReason = activities.GrantExpired, "validity ended"
	if err := r.projectGrant(ctx); err != nil {
		return err
	}
	return r.record(ctx, activities.EventGrantExpired, Actor{}, "", map[string]any{"valid_until": g.ValidUntil})
}

// project writes the request's current state to the read model and brings the search
// attributes up to date.
func (r *shareRequest) project(ctx workflow.Context) error {
	if err := r.upsertSearchAttributes(ctx); err != nil {
		return err
	}
	r.st.Revision++
	in, st := r.st.Input, r.st
	p := activities.ProjectShareRequestInput{
		ID: in.RequestID, Revision: st.Revision, WorkflowID: r.workflowID, ResourceID: in.Resource.ID,
		ResourceCode: in.Resource.Code, ResourceName: in.Resource.Name, ApplicantDeptID: in.Applicant.DepartmentID,
		ApplicantSubject: in.Applicant.Subject, ProviderDeptID: in.Resource.ProviderDeptID,
		DecidingDeptID: in.DecidingDeptID, Purpose: in.Purpose, Scope: in.Scope, DutyBasis: in.DutyBasis,
		RequestedValidityDays: in.RequestedValidityDays, Status: st.Status, CurrentStep: st.CurrentStep,
		DueAt: st.DueAt, LegalBasis: st.LegalBasis, CreatedAt: in.ReceivedAt, UpdatedAt: workflow.Now(ctx),
		ClosedAt: st.ClosedAt,
	}
	if err := workflow.ExecuteActivity(activityOptions(ctx), r.shareActs.ProjectShareRequest, p).Get(ctx, nil); err != nil {
		return fmt.Errorf("project share request %s: %w", in.RequestID, err)
	}
	return nil
}

func (r *shareRequest) projectGrant(ctx workflow.Context) error {
	g, in := r.st.Grant, r.st.Input
	g.Revision++
	p := activities.ProjectGrantInput{
		ID: g.ID, RequestID: in.RequestID, Revision: g.Revision, ResourceID: in.Resource.ID,
		ConsumerDeptID: in.Applicant.DepartmentID, ProviderDeptID: in.Resource.ProviderDeptID,
		Scope: g.Scope, UsagePurpose: g.UsagePurpose, Conditions: g.Conditions, ValidFrom: g.ValidFrom,
		ValidUntil: g.ValidUntil, Status: g.Status, StatusReason: g.StatusReason, UpdatedAt: workflow.Now(ctx),
	}
	if err := workflow.ExecuteActivity(activityOptions(ctx), r.shareActs.ProjectGrant, p).Get(ctx, nil); err != nil {
		return fmt.Errorf("project grant %s: %w", g.ID, err)
	}
	return nil
}

// upsertSearchAttributes sets the attributes administrators filter by (DESIGN.md section 4):
// all of them the first time, then only when status or due time changed. Codes only.
func (r *shareRequest) upsertSearchAttributes(ctx workflow.Context) error {
	var due time.Time
	if r.st.DueAt != nil {
		due = *r.st.DueAt
	}
	if r.sa.set && r.sa.status == r.st.Status && r.sa.dueAt.Equal(due) {
		return nil
	}
	updates := []temporal.SearchAttributeUpdate{StatusKey.ValueSet(r.st.Status)}
	if !r.sa.set {
		in := r.st.Input
		updates = append(updates, ProcedureKey.ValueSet(policy.ProcShare), JurisdictionKey.ValueSet(r.st.Jurisdiction),
			ApplicantDeptKey.ValueSet(in.Applicant.DepartmentID), ProviderDeptKey.ValueSet(in.Resource.ProviderDeptID))
	}
	if r.st.DueAt != nil {
		updates = append(updates, DueAtKey.ValueSet(due))
	} else if r.sa.set && !r.sa.dueAt.IsZero() {
		updates = append(updates, DueAtKey.ValueUnset())
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, updates...); err != nil {
		return fmt.Errorf("upsert search attributes: %w", err)
	}
	r.sa = searchAttrs{status: r.st.Status, dueAt: due, set: true}
	return nil
}

// requestTaskID is the timeline's task id for events of the request itself.
func (r *shareRequest) requestTaskID() string { return r.workflowID + "/request" }

// record appends one event of the request itself to its timeline.
func (r *shareRequest) record(ctx workflow.Context, kind string, actor Actor, text string, data map[string]any) error {
	r.st.Seq++
	in := activities.AppendTimelineInput{
		EventID: fmt.Sprintf("%s#%d", r.requestTaskID(), r.st.Seq), Seq: r.st.Seq, TaskID: r.requestTaskID(),
		WorkflowID: r.workflowID, RequestID: r.st.Input.RequestID, Procedure: policy.ProcShare, Step: r.st.CurrentStep,
		Kind: kind, At: workflow.Now(ctx), Actor: actor.Subject, DepartmentID: actor.DepartmentID, Text: text, Data: data,
	}
	if err := workflow.ExecuteActivity(activityOptions(ctx), r.acts.AppendTimeline, in).Get(ctx, nil); err != nil {
		return fmt.Errorf("append %s to the timeline of request %s: %w", kind, r.st.Input.RequestID, err)
	}
	return nil
}

// changed records an event and projects the request, in that order (see humanTask.changed).
func (r *shareRequest) changed(ctx workflow.Context, kind string, actor Actor, text string, data map[string]any) error {
	if err := r.record(ctx, kind, actor, text, data); err != nil {
		return err
	}
	return r.project(ctx)
}

// checkGrantFields rejects a grant whose validity is not a whole number of days from 1, so
// a typo never silently becomes another validity.
func checkGrantFields(u CompleteUpdate) error {
	v, ok := u.Fields["validity_days"]
	if !ok {
		return nil // not a granting decision
	}
	if _, ok := positiveInt(v); !ok {
		return invalidField("validity_days", "validity_days must be a whole number of days from 1, not %v", v)
	}
	return nil
}

// positiveInt reads a decision field that should be a whole number of days: JSON numbers
// arrive as float64, a form may send a string.
func positiveInt(v any) (int, bool) {
	var f float64
	switch x := v.(type) {
	case int:
		f = float64(x)
	case int64:
		f = float64(x)
	case float64:
		f = x
	case string:
		n, err := strconv.Atoi(x)
		if err != nil {
			return 0, false
		}
		f = float64(n)
	default:
		return 0, false
	}
	if f < 1 || f != math.Trunc(f) || f > 100*366 {
		return 0, false
	}
	return int(f), true
}

func text(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}
