package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/workflows/contract"
)

// directAccessArticle is where 内乡 lets unconditionally open data be obtained directly after
// identity authentication: the request is recorded and opened at once, nobody decides.
const directAccessArticle = "第四十六条第三款"

// maxOpenDataText bounds the conditions, reasons and basis a reply carries, which the read
// model stores as text.
const maxOpenDataText = 4000

// OpenDataRequestWorkflow runs one citizen's open-data request (有条件开放申请, 内乡 第四十六条):
// unconditionally open data is opened at once, the verified token being the identity check
// (第三款); for conditionally open data the producing department answers within the step's
// working days (10 WD, 第二款), approving on conditions of use or refusing with reasons and
// basis. The human task offers one extension approved by the producer's head and hands an
// overdue reply to the authority's supervision. Data not open is refused by the API before a
// workflow starts.
func OpenDataRequestWorkflow(ctx workflow.Context, in contract.OpenDataRequestInput) (contract.OpenDataRequestState, error) {
	r := &openDataRequest{st: contract.OpenDataRequestState{Input: in, CaseState: contract.CaseState{Status: contract.OpenDataStatusPending}}}
	return runCase[contract.OpenDataRequestState](ctx, r,
		caseKind{procedure: policy.ProcOpenData, noun: "open-data request", timeline: "request"},
		in.RequestID, &r.st.CaseState, contract.QueryOpenDataRequest)
}

// openDataRequest is the runner behind OpenDataRequestWorkflow.
type openDataRequest struct {
	caseRunner
	st     contract.OpenDataRequestState
	odActs *activities.OpenDataActivities // method references only
	// task is the live state of the running reply task, nil otherwise; asked is the last
	// extension request seen on it, whose reason the applicant is shown once it is approved.
	task  *TaskState
	asked *PendingExtension
	// cancelTask closes the running reply task (withdrawal); nil between tasks.
	cancelTask workflow.CancelFunc
}

func (r *openDataRequest) state() contract.OpenDataRequestState { return r.st }

// setup registers the applicant's withdrawal.
func (r *openDataRequest) setup(ctx workflow.Context) error {
	if err := workflow.SetUpdateHandlerWithOptions(ctx, contract.UpdateWithdraw, handled(r.writes, r.withdraw),
		workflow.UpdateHandlerOptions{Validator: r.validateWithdraw}); err != nil {
		return fmt.Errorf("register update %s: %w", contract.UpdateWithdraw, err)
	}
	return nil
}

func (r *openDataRequest) run(ctx workflow.Context) (contract.OpenDataRequestState, error) {
	if err := r.describe(ctx); err != nil {
		return contract.OpenDataRequestState{}, err
	}
	in := r.st.Input
	// The memo names the resource only: the applicant is a private person.
	if err := setMemoTitle(ctx, r.writes, in.Resource.Name+" / 开放申请"); err != nil {
		return contract.OpenDataRequestState{}, fmt.Errorf("upsert memo: %w", err)
	}
	r.st.LegalBasis = r.proc.LegalBasis
	if err := r.project(ctx); err != nil {
		return contract.OpenDataRequestState{}, err
	}
	if err := r.record(ctx, activities.EventSubmitted, contract.Actor{Subject: in.Applicant.Subject}, in.Purpose,
		map[string]any{"open_type": in.Resource.OpenType, "resource_code": in.Resource.Code, "resource_id": in.Resource.ID,
			"scope": in.Scope}); err != nil {
		return contract.OpenDataRequestState{}, err
	}
	var err error
	switch in.Resource.OpenType {
	case contract.OpenUnconditional:
		err = r.open(ctx)
	case contract.OpenConditional:
		err = r.reply(ctx)
	default:
		err = temporal.NewNonRetryableApplicationError(fmt.Sprintf("catalog resource %s is not open (open type %q)", in.Resource.Code, in.Resource.OpenType),
			contract.ErrTypeRuleViolated, nil)
	}
	if err != nil {
		return contract.OpenDataRequestState{}, err
	}
	// A withdrawal may still be writing its projection.
	if err := r.writes.sync(ctx); err != nil {
		return contract.OpenDataRequestState{}, err
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return contract.OpenDataRequestState{}, err
	}
	return r.st, nil
}

// open opens unconditionally open data at once: the API verified the applicant's token, which
// is the identity authentication 第四十六条第三款 asks for.
func (r *openDataRequest) open(ctx workflow.Context) error {
	basis := r.directAccessBasis()
	r.st.LegalBasis = []string{basis}
	r.end(ctx, contract.OpenDataStatusOpened)
	return r.changed(ctx, activities.EventDataOpened, contract.Actor{Subject: r.st.Input.Applicant.Subject}, "",
		map[string]any{"resource_id": r.st.Input.Resource.ID, "identity_check": "verified token", "legal_basis": []string{basis}})
}

// directAccessBasis cites 第四十六条第三款 of the document the procedure's own citation names.
func (r *openDataRequest) directAccessBasis() string {
	for _, c := range r.proc.LegalBasis {
		if i := strings.Index(c, "》"); strings.HasPrefix(c, "《") && i > 0 {
			return c[:i+len("》")] + directAccessArticle
		}
	}
	return directAccessArticle
}

// reply is the producing department's answer to a conditionally open resource.
func (r *openDataRequest) reply(ctx workflow.Context) error {
	in := r.st.Input
	step, ok := r.proc.Step(contract.StepReply)
	if !ok {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("profile %s has no open_data/reply step", r.st.Jurisdiction), contract.ErrTypeInvalid, nil)
	}
	taskID := r.nextTaskID(contract.StepReply)
	r.st.CurrentStep = contract.StepReply
	spec := TaskSpec{
		TaskID: taskID, RequestID: in.RequestID,
		Procedure: policy.ProcOpenData, Step: contract.StepReply,
		Candidate: Party{DepartmentID: in.Resource.ProviderDeptID, Role: step.ActorRole},
		// A citizen belongs to no department, so only the authority watches and urges.
		Watchers: []Party{{DepartmentID: in.AuthorityDeptID, Role: policy.RoleAuthority}},
		Decisions: []activities.DecisionOption{
			{Code: contract.DecisionApprove, RequiredFields: []string{contract.FieldConditions}},
			// Reasons and basis, both (第四十六条第二款).
			{Code: contract.DecisionRefuse, RequiredFields: []string{contract.FieldReason, contract.FieldLegalBasis}},
		},
		ReceivedAt: in.ReceivedAt,
		Departments: map[string]string{policy.DeptProvider: in.Resource.ProviderDeptID, policy.DeptProducer: in.Resource.ProviderDeptID,
			policy.DeptAuthority: in.AuthorityDeptID},
	}
	r.followExtensionRequests(ctx)
	taskCtx, cancel := workflow.WithCancel(ctx)
	r.cancelTask = cancel
	out, err := runHumanTask(taskCtx, spec, taskObserver{
		started:       func(st *TaskState) { r.task = st },
		checkDecision: checkOpenDataReply,
		deadlineSet:   r.deadlineSet,
	})
	cancel()
	r.task, r.cancelTask = nil, nil
	switch {
	case err != nil && temporal.IsCanceledError(err) && r.st.Withdrawn != nil:
		return nil // the withdrawal closed the request; the task closed itself
	case err != nil:
		return err
	}
	r.st.Decisions = append(r.st.Decisions, out)
	if out.Decision == contract.DecisionApprove {
		r.st.Conditions = text(out.Fields[contract.FieldConditions])
		r.end(ctx, contract.OpenDataStatusApproved)
		return r.changed(ctx, activities.EventOpenDataApproved, out.DecidedBy, out.Comment,
			map[string]any{"resource_id": in.Resource.ID, "conditions": r.st.Conditions, "overdue": out.Overdue})
	}
	r.st.Reason, r.st.RefusalBasis = text(out.Fields[contract.FieldReason]), text(out.Fields[contract.FieldLegalBasis])
	r.end(ctx, contract.OpenDataStatusRefused)
	return r.changed(ctx, activities.EventOpenDataRefused, out.DecidedBy, r.st.Reason,
		map[string]any{"resource_id": in.Resource.ID, "legal_basis": r.st.RefusalBasis, "overdue": out.Overdue})
}

// followExtensionRequests keeps the latest extension request of the reply task: the task's
// handlers own it and drop it once decided, but the applicant must see the reason of the
// extension that moved the deadline. It only reads state, so it adds nothing to history.
func (r *openDataRequest) followExtensionRequests(ctx workflow.Context) {
	workflow.Go(ctx, func(ctx workflow.Context) {
		seen := 0
		for {
			if err := workflow.Await(ctx, func() bool {
				return r.task != nil && r.task.PendingExtension != nil && r.task.PendingExtension.N != seen
			}); err != nil {
				return
			}
			p := *r.task.PendingExtension
			r.asked, seen = &p, p.N
		}
	})
}

// deadlineSet follows the reply's deadline onto the request: the first is the original
// deadline, a later one moved by an approved extension (or a calendar change).
func (r *openDataRequest) deadlineSet(ctx workflow.Context, d activities.DeadlineResult) error {
	if r.st.Final { // withdrawn meanwhile: the task is about to close
		return nil
	}
	r.st.DueAt = nil
	if !d.NoDeadline {
		due := d.DueAt
		r.st.DueAt = &due
		if r.st.OriginalDueAt == nil {
			first := due
			r.st.OriginalDueAt = &first
		}
	}
	r.st.LegalBasis = d.LegalBasis
	if t := r.task; t != nil && t.ExtensionsGranted > 0 && r.st.Extension == nil {
		ext := &contract.OpenDataExtension{Workdays: t.ExtensionWorkdays, ApprovedAt: workflow.Now(ctx)}
		if r.asked != nil {
			ext.Reason = r.asked.Reason
		}
		r.st.Extension = ext
	}
	return r.project(ctx)
}

// validateWithdraw lets the applicant, and nobody else, withdraw a request still waiting for
// its reply; a reply accepted first wins.
func (r *openDataRequest) validateWithdraw(_ workflow.Context, u contract.WithdrawUpdate) error {
	if blank(u.Actor.Subject) {
		return invalidField("actor.subject", "the actor has no subject")
	}
	if u.Actor.Subject != r.st.Input.Applicant.Subject || !u.Actor.HasRole(policy.RoleCitizen) {
		return rejectf(contract.ErrTypeForbidden, "only the applicant may withdraw this request")
	}
	if r.st.Final || r.st.Withdrawn != nil {
		return rejectf(contract.ErrTypeConflict, "the request is already %s", r.st.Status)
	}
	if r.task == nil || r.task.Status != TaskStatusOpen {
		return rejectf(contract.ErrTypeConflict, "the request is being answered")
	}
	return nil
}

// withdraw closes the request (撤回) and its open reply task, extension and supervision
// included.
func (r *openDataRequest) withdraw(ctx workflow.Context, u contract.WithdrawUpdate) (contract.OpenDataRequestState, error) {
	r.st.Withdrawn = &contract.ActionRecord{By: u.Actor, At: workflow.Now(ctx), Reason: u.Reason}
	step := r.st.CurrentStep
	r.end(ctx, contract.OpenDataStatusWithdrawn)
	if r.cancelTask != nil {
		r.cancelTask() // the task projects itself closed
	}
	if err := r.changed(ctx, activities.EventWithdrawn, u.Actor, u.Reason,
		map[string]any{"step": step, "resource_id": r.st.Input.Resource.ID}); err != nil {
		return contract.OpenDataRequestState{}, err
	}
	return r.st, nil
}

// project writes the request's current state to the read model and brings the search
// attributes up to date.
func (r *openDataRequest) project(ctx workflow.Context) error {
	// The applicant department stays unset: a citizen has none, and no personal data goes
	// into search attributes.
	rev, err := r.nextRevision(ctx, "", r.st.Input.Resource.ProviderDeptID)
	if err != nil {
		return err
	}
	in, st := r.st.Input, r.st
	p := activities.ProjectOpenDataRequestInput{
		ID: in.RequestID, Revision: rev, WorkflowID: r.workflowID, ResourceID: in.Resource.ID,
		ResourceCode: in.Resource.Code, ResourceName: in.Resource.Name, OpenType: in.Resource.OpenType,
		ApplicantSubject: in.Applicant.Subject, ProviderDeptID: in.Resource.ProviderDeptID,
		Form: in.OpenDataForm, Status: st.Status, CurrentStep: st.CurrentStep,
		Conditions: st.Conditions, Reason: st.Reason, RefusalBasis: st.RefusalBasis,
		OriginalDueAt: st.OriginalDueAt, DueAt: st.DueAt, LegalBasis: st.LegalBasis,
		CreatedAt: in.ReceivedAt, UpdatedAt: workflow.Now(ctx), ClosedAt: st.ClosedAt,
	}
	if e := st.Extension; e != nil {
		p.ExtensionWorkdays, p.ExtensionReason = e.Workdays, e.Reason
	}
	if err := r.writes.write(ctx, activities.Write{OpenDataRequest: &p}, r.odActs.ProjectOpenDataRequest, p); err != nil {
		return fmt.Errorf("project open-data request %s: %w", in.RequestID, err)
	}
	return nil
}

// checkOpenDataReply rejects a reply whose conditions, reasons or basis are not text, or too
// long to keep: the applicant must be able to read them.
func checkOpenDataReply(u contract.CompleteUpdate) error {
	for _, f := range []string{contract.FieldConditions, contract.FieldReason, contract.FieldLegalBasis} {
		v, ok := u.Fields[f]
		if !ok || v == nil {
			continue
		}
		s, isText := v.(string)
		if !isText || len(s) > maxOpenDataText {
			return invalidField(f, "%s must be text of at most %d bytes", f, maxOpenDataText)
		}
	}
	return nil
}
