package activities

import (
	"context"
	"time"

	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/policy"
)

// ShareStore writes the read model of share requests and grants. The worker supplies one
// backed by the database, as it does ProjectionStore, so this package never links GORM.
type ShareStore interface {
	// SaveShareRequest upserts a request, applying it only over a lower stored revision.
	SaveShareRequest(ctx context.Context, in ProjectShareRequestInput) error
	// SaveGrant upserts a grant, applying it only over a lower stored revision.
	SaveGrant(ctx context.Context, in ProjectGrantInput) error
}

// ShareActivities are the projections of ShareRequestWorkflow. They hang off their own struct
// because they need their own store; the deadline and timeline activities stay on Activities.
type ShareActivities struct {
	Store ShareStore
}

// ProjectShareRequestInput is the whole current state of a share request as lists show it.
type ProjectShareRequestInput struct {
	// ID is the request's id (SR-…), the unique key of the projection.
	ID string `json:"id"`
	// Revision grows with every change; a lower or equal one never overwrites the stored row.
	Revision         int    `json:"revision"`
	WorkflowID       string `json:"workflow_id"`
	ResourceID       int64  `json:"resource_id"`
	ResourceCode     string `json:"resource_code"`
	ResourceName     string `json:"resource_name"`
	ApplicantDeptID  string `json:"applicant_dept_id"`
	ApplicantSubject string `json:"applicant_subject"`
	ProviderDeptID   string `json:"provider_dept_id"`
	DecidingDeptID   string `json:"deciding_dept_id"`
	// Form is what the applicant wrote (the workflow's contract.ShareForm), stored whole as
	// JSON: the projection writes it without knowing its fields.
	Form        any        `json:"form"`
	Status      string     `json:"status"`
	CurrentStep string     `json:"current_step"`
	DueAt       *time.Time `json:"due_at,omitempty"`
	// LegalBasis cites the articles of the current step (or of the final decision).
	LegalBasis []string   `json:"legal_basis,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	ClosedAt   *time.Time `json:"closed_at,omitempty"`
}

// ProjectShareRequestResult is empty: the row is the effect.
type ProjectShareRequestResult struct{}

// ProjectShareRequest upserts a share request into the read model, guarded by Revision, so a
// retried or reordered call is harmless. A request the read model rejects is a non-retryable
// "invalid" error; a database failure is retried.
func (a *ShareActivities) ProjectShareRequest(ctx context.Context, in ProjectShareRequestInput) (ProjectShareRequestResult, error) {
	if err := a.Store.SaveShareRequest(ctx, in); err != nil {
		return ProjectShareRequestResult{}, storeError(err, "project share request %s revision %d", in.ID, in.Revision)
	}
	return ProjectShareRequestResult{}, nil
}

// Grant statuses in the read model.
const (
	GrantActive    = "active"
	GrantSuspended = "suspended"
	GrantRevoked   = "revoked"
	GrantExpired   = "expired"
)

// ProjectGrantInput is the whole current state of a grant (共享授权).
type ProjectGrantInput struct {
	ID             string    `json:"id"`
	RequestID      string    `json:"request_id"`
	Revision       int       `json:"revision"`
	ResourceID     int64     `json:"resource_id"`
	ConsumerDeptID string    `json:"consumer_dept_id"`
	ProviderDeptID string    `json:"provider_dept_id"`
	Scope          string    `json:"scope"`
	UsagePurpose   string    `json:"usage_purpose"`
	Conditions     string    `json:"conditions"`
	ValidFrom      time.Time `json:"valid_from"`
	ValidUntil     time.Time `json:"valid_until"`
	Status         string    `json:"status"`
	StatusReason   string    `json:"status_reason,omitempty"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// ProjectGrantResult is empty: the row is the effect.
type ProjectGrantResult struct{}

// ProjectGrant upserts a grant into the read model, guarded by Revision. A grant the read model
// rejects (a second grant for the request) is a non-retryable "invalid" error.
func (a *ShareActivities) ProjectGrant(ctx context.Context, in ProjectGrantInput) (ProjectGrantResult, error) {
	if err := a.Store.SaveGrant(ctx, in); err != nil {
		return ProjectGrantResult{}, storeError(err, "project grant %s revision %d", in.ID, in.Revision)
	}
	return ProjectGrantResult{}, nil
}

// DescribeProcedureInput names a procedure of the profile in force.
type DescribeProcedureInput struct {
	Procedure string `json:"procedure"`
}

// StepInfo is what a workflow needs to know of a policy step to route a case.
type StepInfo struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// ActorRole and ActorDepartment (a policy.Dept* kind) say who acts.
	ActorRole       string   `json:"actor_role"`
	ActorDepartment string   `json:"actor_department"`
	LegalBasis      []string `json:"legal_basis,omitempty"`
	LocalDefault    bool     `json:"local_default,omitempty"`
	// DepartmentTransfer: the authority may transfer the step's task to another department.
	DepartmentTransfer bool `json:"department_transfer,omitempty"`
	// Effective (YYYY-MM-DD, China) is the first day of receipt of a case the step applies to,
	// for a step a national regulation adds (policy.Step.Effective); empty for the profile's own
	// steps and in histories recorded before it.
	Effective string `json:"effective,omitempty"`
	// Resumes, for a step that interrupts another (the supplement of the 条例's 第二十一条第二款),
	// is how the interrupted step resumes (policy.Step.Resumes): which step, from when its time
	// limit counts, and whether that is local practice.
	Resumes *policy.Resumption `json:"resumes,omitempty"`
}

// AppliesTo reports whether the step applies to a case received at receivedAt: always for a
// step without an effective date, else from that date on (China time).
func (s StepInfo) AppliesTo(receivedAt time.Time) bool {
	return s.Effective == "" || receivedAt.In(calendar.Location()).Format(time.DateOnly) >= s.Effective
}

// DescribeProcedureResult lists the procedure's steps in the profile, and the profile's id.
type DescribeProcedureResult struct {
	Jurisdiction string     `json:"jurisdiction"`
	Applies      bool       `json:"applies"`
	LegalBasis   []string   `json:"legal_basis,omitempty"`
	Steps        []StepInfo `json:"steps"`
	// RefusalReasons are the codes of the profile's refusal reason catalogue; empty in
	// histories recorded before the catalogue existed (then any code is taken).
	RefusalReasons []string `json:"refusal_reasons,omitempty"`
	// Powers are the national regulations' powers over the procedure's cases, each with the
	// day it applies from; empty in histories recorded before the national layer had them.
	Powers []PowerInfo `json:"powers,omitempty"`
}

// PowerInfo is a power a national regulation gives over a procedure's cases (PowerSuspendGrant).
type PowerInfo struct {
	Power string `json:"power"`
	// Citation renders the article, 《政务数据共享条例》第二十七条第二款.
	Citation string `json:"citation"`
	// Effective (YYYY-MM-DD, China) is the first day an action cites it.
	Effective string `json:"effective"`
}

// PowerSuspendGrant: suspending, resuming and revoking a share request's grant.
const PowerSuspendGrant = policy.PowerSuspendGrant

// Cites reports the citations of the power in force on day (YYYY-MM-DD, China).
func (r DescribeProcedureResult) Cites(power, day string) []string {
	var out []string
	for _, p := range r.Powers {
		if p.Power == power && p.Effective != "" && day >= p.Effective {
			out = append(out, p.Citation)
		}
	}
	return out
}

// Step returns the step with the code.
func (r DescribeProcedureResult) Step(code string) (StepInfo, bool) {
	for _, s := range r.Steps {
		if s.Code == code {
			return s, true
		}
	}
	return StepInfo{}, false
}

// DescribeProcedure tells a workflow which steps the jurisdiction's profile has for a
// procedure (辽宁 and 内乡 have no negotiation step, for instance), so the routing follows the
// profile while the workflow code stays deterministic: the answer is recorded in history.
func (a *Activities) DescribeProcedure(_ context.Context, in DescribeProcedureInput) (DescribeProcedureResult, error) {
	pr, ok := a.Policy.Procedure(in.Procedure)
	if !ok {
		return DescribeProcedureResult{}, invalid("profile %s has no procedure %s", a.Policy.ID, in.Procedure)
	}
	res := DescribeProcedureResult{Jurisdiction: a.Policy.ID, Applies: pr.Applies, LegalBasis: citations(pr.LegalBasis),
		RefusalReasons: a.Policy.RefusalReasonCodes()}
	for _, pw := range a.Policy.NationalPowers {
		if pw.Procedure == in.Procedure {
			res.Powers = append(res.Powers, PowerInfo{Power: pw.Power, Citation: pw.LegalBasis.String(), Effective: pw.Effective})
		}
	}
	for _, s := range pr.Steps {
		res.Steps = append(res.Steps, StepInfo{Code: s.Code, Name: s.Name, ActorRole: s.Actor.Role,
			ActorDepartment: s.Actor.Department, LegalBasis: citations(s.LegalBasis),
			LocalDefault: s.LocalDefault || s.Deadline.LocalDefault, DepartmentTransfer: s.DepartmentTransfer,
			Effective: s.Effective, Resumes: s.Resumes})
	}
	return res, nil
}

// Timeline event kinds of share requests, besides the task events of task.go.
const (
	// EventTaskClosed: a task ended undecided (its request was withdrawn).
	EventTaskClosed = "task_closed"
	// EventSubmitted: the request reached the workflow (申请提交).
	EventSubmitted = "submitted"
	// EventGranted: a grant was made, at once or by a decision.
	EventGranted = "granted"
	// EventRefused: the reply refused the request; negotiation may still be asked for.
	EventRefused = "refused"
	// EventNegotiationAsked: the applicant asked for negotiation (协商).
	EventNegotiationAsked = "negotiation_requested"
	// EventNegotiationFailed: the negotiation ended without agreement; coordination follows.
	EventNegotiationFailed = "negotiation_failed"
	// EventReferredToGovernment: the coordination ended without agreement and the authority
	// referred the dispute to the government of its level (条例 第二十八条第二款).
	EventReferredToGovernment = "referred_to_government"
	// EventGovernmentDecided: the authority recorded the government's decision on it.
	EventGovernmentDecided = "government_decided"
	// EventRefusalFinal: the refusal stands for good (window lapsed, or upheld by coordination).
	EventRefusalFinal = "refusal_final"
	// EventWithdrawn: the applicant withdrew the request (撤回).
	EventWithdrawn = "withdrawn"
	// EventGrantSuspended, EventGrantResumed, EventGrantRevoked: the authority's actions on a
	// grant (内乡 第四十一条); EventGrantExpired: the validity ended.
	EventGrantSuspended = "grant_suspended"
	EventGrantResumed   = "grant_resumed"
	EventGrantRevoked   = "grant_revoked"
	EventGrantExpired   = "grant_expired"
	// EventDataDelivered: the providing department shared the granted data (第二十二条 of the
	// 条例), with the method (interface, batch, file) and a reference.
	EventDataDelivered = "data_delivered"
	// EventSupplementRequested: the deciding department told the applicant, in one notice, of
	// every item its material lacks (条例 第二十一条第二款, 一次性告知): data missing, the list.
	EventSupplementRequested = "supplement_requested"
	// EventSupplemented: the applicant supplemented its material; the reply resumes, its time
	// limit counted as data reply_clock says (a local default, marked local_default).
	EventSupplemented = "supplemented"
)
