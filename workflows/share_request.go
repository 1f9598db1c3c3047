package workflows

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/workflows/contract"
)

// defaultValidityDays is the validity of a grant when neither the request nor the decision
// names a usable one: a local product default (one year), not law.
const defaultValidityDays = 365

// changeGrantStatus is the workflow.GetVersion change id of the request status following its
// grant (suspended, revoked, expired). Executions that reached a grant action before it keep
// the status granted in their history.
const changeGrantStatus = "request-status-follows-grant"

// changeSharedNegotiation is the workflow.GetVersion change id of the negotiation task shared
// by both departments, whose agreement needs both.
const changeSharedNegotiation = "shared-negotiation-task"

// changeDelivery is the workflow.GetVersion change id of the delivery task after a consent
// (政务数据共享条例 第二十二条第一款), see startDelivery.
const changeDelivery = "delivery-after-consent"

// changeSupplement is the workflow.GetVersion change id of the supplement notice on the reply
// and the applicant's supplement task (政务数据共享条例 第二十一条第二款), see supplementStep.
const changeSupplement = "supplement-notice"

// changeGovernmentReferral is the workflow.GetVersion change id of the coordination's referral
// of a dispute to the government of the authority's level (政务数据共享条例 第二十八条第二款),
// see governmentStep.
const changeGovernmentReferral = "government-referral"

// grantFields are the fields every deciding task needs for a grant.
var grantFields = []string{"scope", "usage_purpose", "validity_days"}

// ShareRequestWorkflow runs one share request through the active profile: an unconditional
// resource is granted at once; a conditional one waits for the deciding party's reply; a
// refusal may go to negotiation and then to the authority's coordination, whose decision is
// final; a resource not for sharing goes straight to negotiation. The applicant may withdraw
// before a final decision. A grant then lives until it expires or is revoked, and the
// authority may suspend and resume it (内乡 第四十一条).
func ShareRequestWorkflow(ctx workflow.Context, in contract.ShareRequestInput) (contract.ShareRequestState, error) {
	r := &shareRequest{st: contract.ShareRequestState{Input: in, CaseState: contract.CaseState{Status: contract.ShareStatusPending}}}
	return runCase[contract.ShareRequestState](ctx, r,
		caseKind{procedure: policy.ProcShare, noun: "request", timeline: "request"},
		in.RequestID, &r.st.CaseState, contract.QueryShareRequest)
}

// shareRequest is the runner behind ShareRequestWorkflow.
type shareRequest struct {
	caseRunner
	st        contract.ShareRequestState
	shareActs *activities.ShareActivities // method references only
	// task is the live state of the running human task, nil between tasks; cancelTask
	// closes it (withdrawal).
	task       *TaskState
	cancelTask workflow.CancelFunc
	// partner shares the next task with its candidate (negotiation); nil otherwise.
	partner *Party
	// deliveryErr is the error the delivery task ended with, which ends the grant's watch.
	deliveryErr error
	// supplement is the reply's supplement step while a notice may still be sent on it;
	// noticed is set once the notice was sent (一次性告知: never a second).
	supplement *activities.StepInfo
	noticed    bool
}

func (r *shareRequest) state() contract.ShareRequestState { return r.st }

// setup registers the applicant's and the authority's actions on the request and its grant.
func (r *shareRequest) setup(ctx workflow.Context) error {
	updates := []struct {
		name      string
		handler   any
		validator any
	}{
		{contract.UpdateWithdraw, handled(r.writes, r.withdraw), r.validateWithdraw},
		{contract.UpdateNegotiation, handled(r.writes, r.askNegotiation), r.validateNegotiation},
		{contract.UpdateSuspendGrant, handled(r.writes, r.suspendGrant), r.validateSuspendGrant},
		{contract.UpdateResumeGrant, handled(r.writes, r.resumeGrant), r.validateResumeGrant},
		{contract.UpdateRevokeGrant, handled(r.writes, r.revokeGrant), r.validateRevokeGrant},
	}
	for _, u := range updates {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, u.name, u.handler,
			workflow.UpdateHandlerOptions{Validator: u.validator}); err != nil {
			return fmt.Errorf("register update %s: %w", u.name, err)
		}
	}
	return nil
}

func (r *shareRequest) run(ctx workflow.Context) (contract.ShareRequestState, error) {
	if err := r.describe(ctx); err != nil {
		return contract.ShareRequestState{}, err
	}
	in := r.st.Input
	if in.Resource.ShareType == contract.ShareNone {
		// No reply: the request starts in the dispute procedure.
		r.st.Status = contract.ShareStatusCoordinating
		if _, ok := r.proc.Step(contract.StepNegotiate); ok {
			r.st.Status = contract.ShareStatusNegotiating
		}
	}
	if err := setMemoTitle(ctx, r.writes, in.Resource.Name+" / "+in.Applicant.DepartmentID); err != nil {
		return contract.ShareRequestState{}, fmt.Errorf("upsert memo: %w", err)
	}
	r.st.LegalBasis = r.proc.LegalBasis
	if err := r.project(ctx); err != nil {
		return contract.ShareRequestState{}, err
	}
	if err := r.record(ctx, activities.EventSubmitted, contract.Actor{Subject: in.Applicant.Subject, DepartmentID: in.Applicant.DepartmentID},
		in.Purpose, map[string]any{"share_type": in.Resource.ShareType, "resource_code": in.Resource.Code}); err != nil {
		return contract.ShareRequestState{}, err
	}
	if err := r.route(ctx); err != nil {
		return contract.ShareRequestState{}, err
	}
	if r.st.Grant != nil {
		delivered, closeDelivery := r.startDelivery(ctx)
		err := r.watchGrant(ctx)
		if delivered != nil {
			// The grant ended (revoked, expired) or failed: a delivery still open closes, and
			// one not yet opened never opens.
			closeDelivery()
			if werr := workflow.Await(ctx, delivered.IsReady); werr != nil && err == nil {
				err = werr
			}
			if err == nil {
				err = r.deliveryErr
			}
		}
		if err != nil {
			return contract.ShareRequestState{}, err
		}
	}
	// A withdrawal or grant action may still be writing its projection.
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return contract.ShareRequestState{}, err
	}
	return r.st, nil
}

// route takes the request to its final decision, or to its withdrawal.
func (r *shareRequest) route(ctx workflow.Context) error {
	in := r.st.Input
	switch in.Resource.ShareType {
	case contract.ShareUnconditional:
		// 无条件共享, 直接获取: nobody decides; the grant is what was asked for.
		return r.makeGrant(ctx, map[string]any{"scope": in.Scope, "usage_purpose": in.Purpose,
			"validity_days": in.RequestedValidityDays}, "unconditional", contract.Actor{})
	case contract.ShareNone:
		// 不予共享: no provider decision; the applicant's duty basis goes to negotiation.
		return r.dispute(ctx)
	}

	reply, ok := r.proc.Step(contract.StepReply)
	if !ok {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("profile %s has no share/reply step", r.st.Jurisdiction), contract.ErrTypeInvalid, nil)
	}
	decisions := []activities.DecisionOption{
		{Code: contract.DecisionApprove, RequiredFields: grantFields},
		r.refuseOption(),
	}
	r.supplement = r.supplementStep(ctx)
	receivedAt := in.ReceivedAt
	var out contract.TaskOutcome
	for {
		options := decisions
		if r.supplement != nil && !r.noticed {
			options = append(slices.Clone(decisions), activities.DecisionOption{Code: contract.DecisionRequestSupplement,
				RequiredFields: []string{contract.FieldMissing}})
		}
		var decided bool
		var err error
		out, decided, err = r.runTask(ctx, contract.StepReply, contract.ShareStatusPending, Party{DepartmentID: in.DecidingDeptID, Role: reply.ActorRole},
			options, receivedAt)
		if err != nil || !decided {
			return err
		}
		if out.Decision != contract.DecisionRequestSupplement {
			break
		}
		if receivedAt, decided, err = r.supplemented(ctx, out); err != nil || !decided {
			return err
		}
	}
	if out.Decision == contract.DecisionApprove {
		return r.makeGrant(ctx, out.Fields, contract.StepReply+"/"+contract.DecisionApprove, out.DecidedBy)
	}
	return r.refused(ctx, out)
}

// supplementStep is the supplement step of 政务数据共享条例 第二十一条第二款 when the reply may
// send a supplement notice (补正告知): the national layer adds it to every profile for requests
// received on or after its effective date; nil otherwise.
//
// Determinism: it runs in route(), before the reply task opens, and its only command is the
// version marker. The step, its date and how the reply resumes come from the DescribeProcedure
// result recorded at the start: executions from before the change have no supplement step in
// it and never reach the marker, so their histories replay unchanged.
func (r *shareRequest) supplementStep(ctx workflow.Context) *activities.StepInfo {
	step, ok := r.proc.Step(contract.StepSupplement)
	if !ok || !step.AppliesTo(r.st.Input.ReceivedAt) || step.Resumes == nil || step.Resumes.Step != contract.StepReply {
		return nil
	}
	if workflow.GetVersion(ctx, changeSupplement, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	return &step
}

// supplemented follows the reply's supplement notice: it records the notice with the missing
// items, runs the requesting department's supplement task and records the supplement. It
// returns the receipt the resumed reply counts from: the supplement's, when the step's
// resumption restarts the clock (the national layer's local default), else the request's.
// decided is false when the request was withdrawn meanwhile.
func (r *shareRequest) supplemented(ctx workflow.Context, notice contract.TaskOutcome) (time.Time, bool, error) {
	in, step := r.st.Input, r.supplement
	r.noticed = true
	if err := r.record(ctx, activities.EventSupplementRequested, notice.DecidedBy, notice.Comment,
		map[string]any{contract.FieldMissing: notice.Fields[contract.FieldMissing], "legal_basis": step.LegalBasis}); err != nil {
		return time.Time{}, false, err
	}
	out, decided, err := r.runTask(ctx, contract.StepSupplement, contract.ShareStatusPending,
		Party{DepartmentID: in.Applicant.DepartmentID, Role: step.ActorRole},
		[]activities.DecisionOption{{Code: contract.DecisionSupplemented, RequiredFields: []string{contract.FieldSupplement}}},
		workflow.Now(ctx))
	if err != nil || !decided {
		return time.Time{}, false, err
	}
	receivedAt := in.ReceivedAt
	if step.Resumes.Clock == policy.ClockRestart {
		receivedAt = workflow.Now(ctx)
	}
	data := map[string]any{"reply_clock": step.Resumes.Clock, "reply_received_at": receivedAt,
		"local_default": step.Resumes.LocalDefault, "legal_basis": step.LegalBasis}
	if step.Resumes.LocalDefault {
		data["local_practice"] = step.Resumes.Note
	}
	if err := r.record(ctx, activities.EventSupplemented, out.DecidedBy, text(out.Fields[contract.FieldSupplement]), data); err != nil {
		return time.Time{}, false, err
	}
	return receivedAt, r.st.Withdrawn == nil, nil
}

// refuseOption is the reply's refusal: reasons are required (宁夏 第十一条, 乌海 第九条, 辽宁
// 第十七条; under 内乡, whose 第十二条 has no such rule, by the product; and from 2025-08-01 under
// every profile 政务数据共享条例 第二十一条第二款: 不同意共享的，应当说明理由), the reason_code from
// the profile's catalogue.
func (r *shareRequest) refuseOption() activities.DecisionOption {
	o := activities.DecisionOption{Code: contract.DecisionRefuse, RequiredFields: []string{"reason_code", "reason", "legal_basis"}}
	if len(r.proc.RefusalReasons) > 0 {
		o.Choices = map[string][]string{"reason_code": r.proc.RefusalReasons}
	}
	return o
}

// refused waits for the applicant to ask for negotiation within the window of the next
// dispute step's deadline; without a request the refusal becomes final. A calendar change
// moves the window as it moves a task's deadline.
func (r *shareRequest) refused(ctx workflow.Context, out contract.TaskOutcome) error {
	refusedAt := workflow.Now(ctx)
	window, err := r.negotiationWindow(ctx, refusedAt)
	if err != nil {
		return err
	}
	if r.st.Withdrawn != nil { // withdrawn while the window was computed
		return nil
	}
	r.st.Status, r.st.CurrentStep = contract.ShareStatusRefused, ""
	r.setWindow(window)
	if err := r.changed(ctx, activities.EventRefused, out.DecidedBy, fmt.Sprint(out.Fields["reason"]),
		map[string]any{"reason_code": out.Fields["reason_code"], "legal_basis": out.Fields["legal_basis"],
			"negotiation_until": r.st.NegotiationUntil, "local_default": window.LocalDefault}); err != nil {
		return err
	}

	asked := func() bool { return r.st.Negotiation != nil || r.st.Withdrawn != nil }
	recompute := workflow.GetSignalChannel(ctx, contract.SignalRecomputeDeadline)
	for !asked() {
		if err := r.writes.sync(ctx); err != nil {
			return err
		}
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
		if err := r.changed(ctx, activities.EventDeadlineChanged, contract.Actor{}, "calendar changed",
			map[string]any{"negotiation_until": r.st.NegotiationUntil, "previous_due_at": previous}); err != nil {
			return err
		}
	}
	switch {
	case r.st.Withdrawn != nil:
		return nil
	case r.st.Negotiation == nil:
		return r.finalRefusal(ctx, contract.Actor{}, "negotiation window ended", policy.ProductRuleRefusalFinal)
	}
	return r.dispute(ctx)
}

// negotiationWindow is the deadline of the step a dispute starts with, counted from the
// refusal: negotiation where the profile has one, else coordination (辽宁 第十七条第三款, 内乡
// 第四十条 send disputes straight to the authority). No regulation sets this window; the
// profiles give those steps local-default deadlines, which the result marks as such.
func (r *shareRequest) negotiationWindow(ctx workflow.Context, refusedAt time.Time) (activities.DeadlineResult, error) {
	next := contract.StepNegotiate
	if _, ok := r.proc.Step(contract.StepNegotiate); !ok {
		next = contract.StepCoordinate
	}
	var window activities.DeadlineResult
	if err := r.writes.local(ctx, r.acts.ComputeDeadline, "ComputeDeadline",
		activities.DeadlineInput{Procedure: policy.ProcShare, Step: next, ReceivedAt: refusedAt}, &window); err != nil {
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
	if _, ok := r.proc.Step(contract.StepNegotiate); ok {
		// The two departments negotiate (宁夏 第十一条第四款) on one task they share: either
		// proposes the terms of an agreement, which becomes a grant once the other agrees to
		// them; either may declare that they cannot agree, and coordination follows.
		provider := Party{DepartmentID: in.Resource.ProviderDeptID, Role: policy.RoleApprover}
		var partner *Party
		agree := activities.DecisionOption{Code: contract.DecisionAgree, RequiredFields: grantFields, Mutual: true}
		if workflow.GetVersion(ctx, changeSharedNegotiation, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
			// Executions from before: the provider alone records the outcome.
			agree.Mutual = false
		} else {
			partner = &Party{DepartmentID: in.Applicant.DepartmentID, Role: policy.RoleApplicant}
		}
		r.partner = partner
		out, decided, err := r.runTask(ctx, contract.StepNegotiate, contract.ShareStatusNegotiating, provider,
			[]activities.DecisionOption{agree, {Code: contract.DecisionFail, RequiredFields: []string{"reason"}}},
			workflow.Now(ctx))
		r.partner = nil
		if err != nil || !decided {
			return err
		}
		if out.Decision == contract.DecisionAgree {
			return r.makeGrant(ctx, out.Fields, contract.StepNegotiate+"/"+contract.DecisionAgree, out.DecidedBy)
		}
		if err := r.record(ctx, activities.EventNegotiationFailed, out.DecidedBy, fmt.Sprint(out.Fields["reason"]), nil); err != nil {
			return err
		}
	}

	coordinate, ok := r.proc.Step(contract.StepCoordinate)
	if !ok {
		return r.finalRefusal(ctx, contract.Actor{}, "the profile provides no coordination", "")
	}
	decisions := []activities.DecisionOption{
		{Code: contract.DecisionGrant, RequiredFields: grantFields},
		{Code: contract.DecisionUpholdRefusal, RequiredFields: []string{"reason"}},
	}
	government := r.governmentStep(ctx)
	if government != nil {
		decisions = append(decisions, activities.DecisionOption{Code: contract.DecisionReferToGovernment, RequiredFields: []string{"reason"}})
	}
	out, decided, err := r.runTask(ctx, contract.StepCoordinate, contract.ShareStatusCoordinating, Party{DepartmentID: in.AuthorityDeptID, Role: coordinate.ActorRole},
		decisions, workflow.Now(ctx))
	if err != nil || !decided {
		return err
	}
	switch out.Decision {
	case contract.DecisionGrant:
		return r.makeGrant(ctx, out.Fields, contract.StepCoordinate+"/"+contract.DecisionGrant, out.DecidedBy)
	case contract.DecisionReferToGovernment:
		return r.referToGovernment(ctx, *government, out)
	}
	return r.finalRefusal(ctx, out.DecidedBy, fmt.Sprint(out.Fields["reason"]), policy.ProductRuleCoordinationFinal)
}

// governmentStep is the government's decision of 政务数据共享条例 第二十八条第二款 when the
// coordination may refer the dispute to it: the national layer adds the step to every profile
// for requests received on or after its effective date; nil otherwise, and the coordination's
// decision stays final (the product's coordination_final rule).
//
// Determinism: it runs in dispute(), before the coordination task opens, and its only command
// is the version marker. The step and its date come from the DescribeProcedure result recorded
// at the start: executions from before the change have no such step in it and never reach the
// marker, so their histories replay unchanged.
func (r *shareRequest) governmentStep(ctx workflow.Context) *activities.StepInfo {
	step, ok := r.proc.Step(contract.StepGovernment)
	if !ok || !step.AppliesTo(r.st.Input.ReceivedAt) {
		return nil
	}
	if workflow.GetVersion(ctx, changeGovernmentReferral, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	return &step
}

// referToGovernment records the coordination's referral and runs the authority's task of
// recording the government's decision (本级人民政府决定), which closes the dispute: a grant, or
// the refusal upheld. The decision is the government's, final by the 条例, not by a rule of
// the product.
func (r *shareRequest) referToGovernment(ctx workflow.Context, step activities.StepInfo, referral contract.TaskOutcome) error {
	in := r.st.Input
	if err := r.record(ctx, activities.EventReferredToGovernment, referral.DecidedBy, text(referral.Fields["reason"]),
		map[string]any{"legal_basis": step.LegalBasis}); err != nil {
		return err
	}
	out, decided, err := r.runTask(ctx, contract.StepGovernment, contract.ShareStatusCoordinating,
		Party{DepartmentID: in.AuthorityDeptID, Role: step.ActorRole},
		[]activities.DecisionOption{
			{Code: contract.DecisionGrant, RequiredFields: append(slices.Clone(grantFields), contract.FieldDecisionDocument)},
			{Code: contract.DecisionUpholdRefusal, RequiredFields: []string{"reason", contract.FieldDecisionDocument}},
		}, workflow.Now(ctx))
	if err != nil || !decided {
		return err
	}
	document := text(out.Fields[contract.FieldDecisionDocument])
	if err := r.record(ctx, activities.EventGovernmentDecided, out.DecidedBy, document,
		map[string]any{"decision": out.Decision, contract.FieldDecisionDocument: document, "legal_basis": step.LegalBasis}); err != nil {
		return err
	}
	if out.Decision == contract.DecisionGrant {
		return r.makeGrant(ctx, out.Fields, contract.StepGovernment+"/"+contract.DecisionGrant, out.DecidedBy)
	}
	return r.finalRefusal(ctx, out.DecidedBy, text(out.Fields["reason"]), "")
}

// runTask runs the step's human task on a cancellable context; decided is false when the
// request was withdrawn meanwhile.
func (r *shareRequest) runTask(ctx workflow.Context, step, status string, candidate Party, decisions []activities.DecisionOption, receivedAt time.Time) (contract.TaskOutcome, bool, error) {
	if r.st.Withdrawn != nil { // withdrawn while the previous step was finishing
		return contract.TaskOutcome{}, false, nil
	}
	in := r.st.Input
	taskID := r.nextTaskID(step)
	r.st.Status, r.st.CurrentStep = status, step
	spec := TaskSpec{
		TaskID: taskID, RequestID: in.RequestID,
		Procedure: policy.ProcShare, Step: step, Candidate: candidate, Partner: r.partner,
		Watchers: []Party{
			{DepartmentID: in.Applicant.DepartmentID, Role: policy.RoleApplicant},
			{DepartmentID: in.AuthorityDeptID, Role: policy.RoleAuthority},
		},
		Decisions: decisions, ReceivedAt: receivedAt,
		Departments: map[string]string{policy.DeptProvider: in.Resource.ProviderDeptID,
			policy.DeptApplicant: in.Applicant.DepartmentID, policy.DeptAuthority: in.AuthorityDeptID},
	}
	if step == contract.StepCoordinate {
		spec.Watchers = append(spec.Watchers, Party{DepartmentID: in.Resource.ProviderDeptID, Role: policy.RoleApprover})
	}
	if info, ok := r.proc.Step(step); ok {
		spec.AllowDepartmentTransfer = info.DepartmentTransfer
	}
	taskCtx, cancel := workflow.WithCancel(ctx)
	r.cancelTask = cancel
	defer func() { r.task, r.cancelTask = nil, nil }()
	out, err := runHumanTask(taskCtx, spec, taskObserver{
		started:       func(st *TaskState) { r.task = st },
		checkDecision: checkShareDecision,
		unlisted:      r.unlistedDecision,
		deadlineSet: func(ctx workflow.Context, d activities.DeadlineResult) error {
			// Withdrawn, or the grant the delivery serves ended, meanwhile: the task is about
			// to close. (Before the delivery a task ran only before any grant, when Final
			// meant withdrawn.)
			if r.st.Withdrawn != nil || r.grantEnded() {
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
	case err != nil && temporal.IsCanceledError(err) && (r.st.Withdrawn != nil || r.grantEnded()):
		return contract.TaskOutcome{}, false, nil
	case err != nil:
		return contract.TaskOutcome{}, false, err
	}
	r.st.Decisions = append(r.st.Decisions, out)
	r.st.CurrentStep, r.st.DueAt = "", nil
	return out, true, nil
}

// makeGrant grants the request on the decided terms: valid from now for the decided number of
// calendar days (checked by the complete validator), or for the requested days when nobody
// decided (unconditional), or a local default when the request names none.
func (r *shareRequest) makeGrant(ctx workflow.Context, fields map[string]any, basis string, by contract.Actor) error {
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
	r.st.Grant = &contract.GrantState{
		ID: "G-" + r.st.Input.RequestID, Scope: text(fields["scope"]), UsagePurpose: text(fields["usage_purpose"]),
		Conditions: text(fields["conditions"]), ValidFrom: now, ValidUntil: now.AddDate(0, 0, days),
		Status: activities.GrantActive, Basis: basis,
	}
	r.close(ctx, contract.ShareStatusGranted)
	if err := r.projectGrant(ctx); err != nil {
		return err
	}
	return r.changed(ctx, activities.EventGranted, by, "", map[string]any{"grant_id": r.st.Grant.ID,
		"basis": basis, "valid_until": r.st.Grant.ValidUntil, "scope": r.st.Grant.Scope})
}

// startDelivery starts the delivery task of 政务数据共享条例 第二十二条第一款 beside the grant's
// watch, when one is due, and returns the future of its end; nil when there is none. The
// providing department's approvers share the data within the step's 20 working days counted
// from the grant (the consent), and record how (method: interface, batch or file; optional
// reference). Only a grant someone consented to is delivered: an unconditional resource is
// taken at once (无条件共享, 直接获取). The step is the national layer's and applies to requests
// received on or after its effective date.
//
// Determinism: it runs after route() returned with a grant, in run(), before the watch of the
// grant starts, and its first command is the version marker. Every condition before the
// marker is read from the history: the grant's basis from the decision that made it and the
// step, with its date, from the DescribeProcedure result recorded at the start. Executions
// from before the change have no deliver step in that result and never reach the marker;
// replayed with the marker absent, GetVersion says DefaultVersion and nothing runs. The task
// runs in its own coroutine so that the watch (its timer, a revoke or an expiry) goes on as
// before; when the watch ends, run() closes a delivery still open as a withdrawal closes a
// task (cancelTask).
func (r *shareRequest) startDelivery(ctx workflow.Context) (workflow.Future, workflow.CancelFunc) {
	g, in := r.st.Grant, r.st.Input
	if g.Basis == "unconditional" {
		return nil, nil
	}
	step, ok := r.proc.Step(contract.StepDeliver)
	if !ok || !step.AppliesTo(in.ReceivedAt) {
		return nil, nil
	}
	if workflow.GetVersion(ctx, changeDelivery, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil, nil
	}
	deliveryCtx, cancel := workflow.WithCancel(ctx)
	f, settle := workflow.NewFuture(ctx)
	workflow.Go(deliveryCtx, func(ctx workflow.Context) {
		r.deliveryErr = r.deliver(ctx, step)
		settle.Set(nil, nil)
	})
	return f, cancel
}

// deliver runs the delivery task and records the delivery; a ctx cancelled before the task
// opens (the grant ended first) runs nothing.
func (r *shareRequest) deliver(ctx workflow.Context, step activities.StepInfo) error {
	if ctx.Err() != nil {
		return nil
	}
	in := r.st.Input
	out, decided, err := r.runTask(ctx, contract.StepDeliver, r.st.Status,
		Party{DepartmentID: in.Resource.ProviderDeptID, Role: step.ActorRole},
		[]activities.DecisionOption{{Code: contract.DecisionDelivered, RequiredFields: []string{"method"},
			Choices: map[string][]string{"method": contract.DeliveryMethods}}},
		r.st.Grant.ValidFrom)
	if err != nil {
		return err
	}
	if !decided { // closed: the grant ended first; ctx is cancelled, the projection is not
		r.st.CurrentStep, r.st.DueAt = "", nil
		closing, _ := workflow.NewDisconnectedContext(ctx)
		return r.project(closing)
	}
	data := map[string]any{"grant_id": r.st.Grant.ID, "method": out.Fields["method"], "legal_basis": step.LegalBasis}
	if ref, ok := out.Fields["reference"]; ok {
		data["reference"] = ref
	}
	return r.changed(ctx, activities.EventDataDelivered, out.DecidedBy, text(out.Fields["reference"]), data)
}

// grantEnded reports whether the request's grant was revoked or has expired.
func (r *shareRequest) grantEnded() bool {
	g := r.st.Grant
	return g != nil && (g.Status == activities.GrantRevoked || g.Status == activities.GrantExpired)
}

// finalRefusal closes the request as rejected. rule names the product rule that makes the
// refusal final (policy.ProductRule*), which the timeline event carries, so that nobody reads
// it as the law's; "" where none does. Only the event's data says it: the commands are the
// same as before, so running requests keep replaying.
func (r *shareRequest) finalRefusal(ctx workflow.Context, by contract.Actor, why, rule string) error {
	if r.st.Withdrawn != nil {
		return nil
	}
	r.close(ctx, contract.ShareStatusRejected)
	var data map[string]any
	if rule != "" {
		data = map[string]any{"product_rule": rule}
	}
	return r.changed(ctx, activities.EventRefusalFinal, by, why, data)
}

// close marks the request final with the status; the caller projects it.
func (r *shareRequest) close(ctx workflow.Context, status string) {
	r.end(ctx, status)
	r.st.NegotiationUntil = nil
}

// watchGrant keeps the grant until it is revoked or its validity ends (到期).
func (r *shareRequest) watchGrant(ctx workflow.Context) error {
	g := r.st.Grant
	revoked := func() bool { return g.Status == activities.GrantRevoked }
	if err := r.writes.sync(ctx); err != nil {
		return err
	}
	if left := g.ValidUntil.Sub(workflow.Now(ctx)); left > 0 {
		// A failed delivery task (startDelivery) ends the watch too; without one the
		// condition is the revocation alone, as before.
		if _, err := workflow.AwaitWithTimeout(ctx, left, func() bool { return revoked() || r.deliveryErr != nil }); err != nil {
			return err
		}
	}
	if r.deliveryErr != nil {
		return r.deliveryErr
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
	if err := r.record(ctx, activities.EventGrantExpired, contract.Actor{}, "", map[string]any{"valid_until": g.ValidUntil}); err != nil {
		return err
	}
	return r.followGrant(ctx)
}

// followGrant sets the request's status from its grant's and projects it, with the search
// attributes, for executions that have the change.
func (r *shareRequest) followGrant(ctx workflow.Context) error {
	if workflow.GetVersion(ctx, changeGrantStatus, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return nil
	}
	r.st.Status = map[string]string{
		activities.GrantActive: contract.ShareStatusGranted, activities.GrantSuspended: contract.ShareStatusSuspended,
		activities.GrantRevoked: contract.ShareStatusRevoked, activities.GrantExpired: contract.ShareStatusExpired,
	}[r.st.Grant.Status]
	return r.project(ctx)
}

// project writes the request's current state to the read model and brings the search
// attributes up to date.
func (r *shareRequest) project(ctx workflow.Context) error {
	rev, err := r.nextRevision(ctx, r.st.Input.Applicant.DepartmentID, r.st.Input.Resource.ProviderDeptID)
	if err != nil {
		return err
	}
	in, st := r.st.Input, r.st
	p := activities.ProjectShareRequestInput{
		ID: in.RequestID, Revision: rev, WorkflowID: r.workflowID, ResourceID: in.Resource.ID,
		ResourceCode: in.Resource.Code, ResourceName: in.Resource.Name, ApplicantDeptID: in.Applicant.DepartmentID,
		ApplicantSubject: in.Applicant.Subject, ProviderDeptID: in.Resource.ProviderDeptID,
		DecidingDeptID: in.DecidingDeptID, Form: in.ShareForm, Status: st.Status, CurrentStep: st.CurrentStep,
		DueAt: st.DueAt, LegalBasis: st.LegalBasis, CreatedAt: in.ReceivedAt, UpdatedAt: workflow.Now(ctx),
		ClosedAt: st.ClosedAt,
	}
	if err := r.writes.write(ctx, activities.Write{ShareRequest: &p}, r.shareActs.ProjectShareRequest, p); err != nil {
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
	if err := r.writes.write(ctx, activities.Write{Grant: &p}, r.shareActs.ProjectGrant, p); err != nil {
		return fmt.Errorf("project grant %s: %w", g.ID, err)
	}
	return nil
}

// checkGrantFields rejects a grant whose validity is not a whole number of days from 1, so
// a typo never silently becomes another validity.
func checkGrantFields(u contract.CompleteUpdate) error {
	v, ok := u.Fields["validity_days"]
	if !ok {
		return nil // not a granting decision
	}
	if _, ok := positiveInt(v); !ok {
		return invalidField("validity_days", "validity_days must be a whole number of days from 1, not %v", v)
	}
	return nil
}

// checkShareDecision checks the fields of a share task's decision: a grant's validity, a
// supplement notice's list, a government decision's reference.
func checkShareDecision(u contract.CompleteUpdate) error {
	if u.Decision == contract.DecisionRequestSupplement {
		return checkMissing(u.Fields[contract.FieldMissing])
	}
	if v, ok := u.Fields[contract.FieldDecisionDocument]; ok {
		// The government's decision (条例 第二十八条第二款) is recorded by its reference.
		if s, isText := v.(string); !isText || blank(s) || strings.ContainsAny(s, "\r\n") || utf8.RuneCountInString(s) > maxDocumentRunes {
			return invalidField(contract.FieldDecisionDocument, "document must be the reference (文号) of the government's decision, one line of at most %d characters", maxDocumentRunes)
		}
	}
	return checkGrantFields(u)
}

// maxDocumentRunes bounds the reference of a government's decision.
const maxDocumentRunes = 200

// checkMissing rejects a supplement notice whose list of missing items is not a list of 1 to
// contract.MaxMissingItems distinct items of one line each, at most contract.MaxMissingItemRunes
// characters: the notice names every item at once (一次性告知), so each must be readable alone.
func checkMissing(v any) error {
	var items []string
	switch x := v.(type) {
	case []string:
		items = x
	case []any:
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return invalidField(contract.FieldMissing, "missing must be a list of text items, got %v", e)
			}
			items = append(items, s)
		}
	default:
		return invalidField(contract.FieldMissing, "missing must be a list of the missing items, one line each")
	}
	if len(items) == 0 {
		return ruleField(contract.FieldMissing, "missing must name at least one item: the notice lists every missing item at once (政务数据共享条例 第二十一条第二款)")
	}
	if len(items) > contract.MaxMissingItems {
		return invalidField(contract.FieldMissing, "missing lists at most %d items, got %d", contract.MaxMissingItems, len(items))
	}
	seen := map[string]bool{}
	for i, s := range items {
		s = strings.TrimSpace(s)
		switch {
		case s == "":
			return invalidField(contract.FieldMissing, "missing item %d is blank", i+1)
		case strings.ContainsAny(s, "\r\n\t"):
			return invalidField(contract.FieldMissing, "missing item %d must be one line", i+1)
		case utf8.RuneCountInString(s) > contract.MaxMissingItemRunes:
			return invalidField(contract.FieldMissing, "missing item %d has more than %d characters", i+1, contract.MaxMissingItemRunes)
		case seen[s]:
			return invalidField(contract.FieldMissing, "missing item %d repeats an earlier item", i+1)
		}
		seen[s] = true
	}
	return nil
}

// unlistedDecision says why the reply refuses a supplement notice it does not list: one was
// sent already (一次性告知), or the 条例 does not apply to the request; and why a coordination
// refuses a referral to the government (the 条例 does not apply). nil leaves the task's own
// rejection (not one of its decisions).
func (r *shareRequest) unlistedDecision(u contract.CompleteUpdate) error {
	if u.Decision == contract.DecisionReferToGovernment && r.task != nil && r.task.Spec.Step == contract.StepCoordinate {
		return ruleField("decision", "decision %s: the referral to the government of 政务数据共享条例 第二十八条第二款 applies to requests received from its effective date under this deployment's national layer; here the coordination decides (grant or uphold_refusal)", u.Decision)
	}
	if u.Decision != contract.DecisionRequestSupplement || r.task == nil || r.task.Spec.Step != contract.StepReply {
		return nil
	}
	if r.noticed {
		return temporal.NewApplicationError(fmt.Sprintf("decision %s: the supplement notice was sent already; 政务数据共享条例 第二十一条第二款 has the missing material told at once (一次性告知), so the reply decides on the supplemented material", u.Decision),
			contract.ErrTypeConflict, contract.RejectionDetails{Field: "decision"})
	}
	return ruleField("decision", "decision %s: the supplement notice of 政务数据共享条例 第二十一条第二款 applies to requests received from its effective date under this deployment's national layer", u.Decision)
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
