package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/workflows/contract"
)

// The update handlers of a share request, each after its validator. As in the human task, a
// validator only reads state and a handler changes it before its first blocking call.

func (r *shareRequest) isApplicant(a contract.Actor) bool {
	return a.DepartmentID == r.st.Input.Applicant.DepartmentID && a.HasRole(policy.RoleApplicant)
}

func (r *shareRequest) isAuthority(a contract.Actor) bool {
	return a.DepartmentID == r.st.Input.AuthorityDeptID && a.HasRole(policy.RoleAuthority)
}

func (r *shareRequest) validateWithdraw(_ workflow.Context, u contract.WithdrawUpdate) error {
	if blank(u.Actor.Subject) {
		return invalidField("actor.subject", "the actor has no subject")
	}
	if !r.isApplicant(u.Actor) {
		return rejectf(contract.ErrTypeForbidden, "only an applicant of department %s may withdraw this request", r.st.Input.Applicant.DepartmentID)
	}
	if r.st.Final || r.st.Withdrawn != nil {
		return rejectf(contract.ErrTypeConflict, "the request is already %s", r.st.Status)
	}
	// A decision accepted on the open task wins over a later withdrawal.
	if r.task != nil && r.task.Status != TaskStatusOpen {
		return rejectf(contract.ErrTypeConflict, "the %s task has just been decided", r.task.Spec.Step)
	}
	return nil
}

func (r *shareRequest) withdraw(ctx workflow.Context, u contract.WithdrawUpdate) (contract.ShareRequestState, error) {
	r.st.Withdrawn = &contract.ActionRecord{By: u.Actor, At: workflow.Now(ctx), Reason: u.Reason}
	step := r.st.CurrentStep
	r.close(ctx, contract.ShareStatusWithdrawn)
	if r.cancelTask != nil {
		r.cancelTask() // the task projects itself closed
	}
	if err := r.changed(ctx, activities.EventWithdrawn, u.Actor, u.Reason, map[string]any{"step": step}); err != nil {
		return contract.ShareRequestState{}, err
	}
	return r.st, nil
}

func (r *shareRequest) validateNegotiation(ctx workflow.Context, u contract.NegotiationUpdate) error {
	if blank(u.Actor.Subject) {
		return invalidField("actor.subject", "the actor has no subject")
	}
	if !r.isApplicant(u.Actor) {
		return rejectf(contract.ErrTypeForbidden, "only an applicant of department %s may ask for negotiation", r.st.Input.Applicant.DepartmentID)
	}
	if r.st.Status != contract.ShareStatusRefused || r.st.Negotiation != nil {
		return rejectf(contract.ErrTypeConflict, "negotiation can only be asked for once, after a refusal (the request is %s)", r.st.Status)
	}
	if until := r.st.NegotiationUntil; until != nil && workflow.Now(ctx).After(*until) {
		return rejectf(contract.ErrTypeRuleViolated, "the window for negotiation ended at %s", until.Format("2006-01-02 15:04"))
	}
	return nil
}

func (r *shareRequest) askNegotiation(ctx workflow.Context, u contract.NegotiationUpdate) (contract.ShareRequestState, error) {
	r.st.Negotiation = &contract.ActionRecord{By: u.Actor, At: workflow.Now(ctx), Reason: u.Reason}
	if err := r.record(ctx, activities.EventNegotiationAsked, u.Actor, u.Reason, nil); err != nil {
		return contract.ShareRequestState{}, err
	}
	return r.st, nil
}

// nationalGrantPower is the national layer's citations of the power over grants in force on
// the day of now (China): 政务数据共享条例 第二十七条第二款 from 2025-08-01; none before.
func (r *shareRequest) nationalGrantPower(ctx workflow.Context) []string {
	return r.proc.Cites(activities.PowerSuspendGrant, workflow.Now(ctx).In(calendar.Location()).Format(time.DateOnly))
}

// isProviderApprover reports whether the actor is an approver of the providing department.
func (r *shareRequest) isProviderApprover(a contract.Actor) bool {
	return a.DepartmentID == r.st.Input.Resource.ProviderDeptID && a.HasRole(policy.RoleApprover)
}

// validateGrantAction checks what suspend, resume and revoke share: the authority acts — and,
// since 政务数据共享条例 第二十七条第二款 (政务数据共享主管部门或者政务数据提供部门应当暂停其政务数据
// 共享权限…可以终止共享) is in force, the providing department's approvers too — with a reason,
// on an existing grant in one of the from statuses.
func (r *shareRequest) validateGrantAction(ctx workflow.Context, u contract.GrantActionUpdate, action string, from ...string) error {
	if blank(u.Actor.Subject) {
		return invalidField("actor.subject", "the actor has no subject")
	}
	if !r.isAuthority(u.Actor) && !(r.isProviderApprover(u.Actor) && len(r.nationalGrantPower(ctx)) > 0) {
		return rejectf(contract.ErrTypeForbidden, "only the authority (department %s), and from 政务数据共享条例 第二十七条第二款 the providing department (%s), may %s a grant",
			r.st.Input.AuthorityDeptID, r.st.Input.Resource.ProviderDeptID, action)
	}
	if blank(u.Reason) {
		return invalidField("reason", "to %s a grant needs a reason", action)
	}
	if r.st.Grant == nil {
		return rejectf(contract.ErrTypeConflict, "the request has no grant")
	}
	for _, s := range from {
		if r.st.Grant.Status == s {
			return nil
		}
	}
	return rejectf(contract.ErrTypeConflict, "cannot %s a grant that is %s", action, r.st.Grant.Status)
}

func (r *shareRequest) validateSuspendGrant(ctx workflow.Context, u contract.GrantActionUpdate) error {
	return r.validateGrantAction(ctx, u, "suspend", activities.GrantActive)
}

func (r *shareRequest) suspendGrant(ctx workflow.Context, u contract.GrantActionUpdate) (contract.ShareRequestState, error) {
	return r.grantChanged(ctx, u, activities.GrantSuspended, activities.EventGrantSuspended)
}

func (r *shareRequest) validateResumeGrant(ctx workflow.Context, u contract.GrantActionUpdate) error {
	return r.validateGrantAction(ctx, u, "resume", activities.GrantSuspended)
}

func (r *shareRequest) resumeGrant(ctx workflow.Context, u contract.GrantActionUpdate) (contract.ShareRequestState, error) {
	return r.grantChanged(ctx, u, activities.GrantActive, activities.EventGrantResumed)
}

func (r *shareRequest) validateRevokeGrant(ctx workflow.Context, u contract.GrantActionUpdate) error {
	return r.validateGrantAction(ctx, u, "revoke", activities.GrantActive, activities.GrantSuspended)
}

func (r *shareRequest) revokeGrant(ctx workflow.Context, u contract.GrantActionUpdate) (contract.ShareRequestState, error) {
	return r.grantChanged(ctx, u, activities.GrantRevoked, activities.EventGrantRevoked)
}

func (r *shareRequest) grantChanged(ctx workflow.Context, u contract.GrantActionUpdate, status, kind string) (contract.ShareRequestState, error) {
	g := r.st.Grant
	g.Status, g.StatusReason = status, u.Reason
	// Since 2025-08-01 the 条例 gives the power to suspend and end a department's sharing
	// (政务数据共享条例 第二十七条第二款, a power of the national layer, recorded with the
	// procedure's description); of the regional measures only 内乡 第四十一条 writes it down
	// (the profile's share/suspend step). Without either it is the authority's general
	// supervision, marked local default rather than cited as law. The day is the action's.
	data := map[string]any{"grant_id": g.ID, "local_default": true}
	basis := r.nationalGrantPower(ctx)
	// The profile's article (内乡 第四十一条) is the authority's power; the providing department
	// acts under the 条例 alone.
	if step, ok := r.proc.Step(contract.StepSuspend); ok && r.isAuthority(u.Actor) {
		basis = append(basis, step.LegalBasis...)
	}
	if len(basis) > 0 {
		data["legal_basis"], data["local_default"] = basis, false
	}
	// Timeline first: it takes its sequence number before blocking (see humanTask.changed).
	if err := r.record(ctx, kind, u.Actor, u.Reason, data); err != nil {
		return contract.ShareRequestState{}, err
	}
	if err := r.projectGrant(ctx); err != nil {
		return contract.ShareRequestState{}, err
	}
	if err := r.followGrant(ctx); err != nil {
		return contract.ShareRequestState{}, err
	}
	return r.st, nil
}
