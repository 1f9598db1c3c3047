package api

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// ShareRequestInput asks for a catalog resource (有条件共享申请) with the applicant's form.
// DutyBasis, the duty the data is needed for, is required for a resource not for sharing
// (不予共享), and for every request when the profile in force asks it (submission_requires:
// [duty_basis]; none shipped does).
type ShareRequestInput struct {
	ResourceID int64 `json:"resource_id" binding:"required,gte=1"`
	contract.ShareForm
}

// ShareRequestStatus is where a request stands, as its workflow reports it: the answer to a
// submission and to the applicant's actions.
type ShareRequestStatus struct {
	ID          string `json:"id"`
	Status      string `json:"status"`
	WorkflowID  string `json:"workflow_id"`
	CurrentStep string `json:"current_step"`
	// DueAt is the deadline of the open step, or the end of the negotiation window; null when
	// none runs.
	DueAt      *string  `json:"due_at"`
	LegalBasis []string `json:"legal_basis"`
}

// ShareRequestView is a share request as the list shows it.
type ShareRequestView struct {
	ID               string `json:"id"`
	ResourceID       int64  `json:"resource_id"`
	ResourceCode     string `json:"resource_code"`
	ResourceName     string `json:"resource_name"`
	ApplicantDeptID  string `json:"applicant_dept_id"`
	ApplicantSubject string `json:"applicant_subject"`
	ProviderDeptID   string `json:"provider_dept_id"`
	DecidingDeptID   string `json:"deciding_dept_id"`
	contract.ShareForm
	Status      string   `json:"status"`
	CurrentStep string   `json:"current_step"`
	DueAt       *string  `json:"due_at"`
	Overdue     bool     `json:"overdue"`
	WorkflowID  string   `json:"workflow_id"`
	LegalBasis  []string `json:"legal_basis"`
	CreatedAt   string   `json:"created_at"`
	UpdatedAt   string   `json:"updated_at"`
	ClosedAt    *string  `json:"closed_at,omitempty"`
}

// ShareRequestList is one page of share requests, newest first.
type ShareRequestList struct {
	Items      []ShareRequestView `json:"items"`
	NextCursor string             `json:"next_cursor,omitempty"`
}

// ShareRequestDetail is a request with its timeline (办理记录), its open tasks and its grant.
type ShareRequestDetail struct {
	ShareRequestView
	caseActivity
	Grant *GrantView `json:"grant,omitempty"`
}

// WithdrawInput withdraws a request (撤回); the reason is optional.
type WithdrawInput struct {
	Reason string `json:"reason" binding:"max=2000" text:"multiline"`
}

func (WithdrawInput) optionalBody() {}

// UrgeInput urges the deciding party (催办).
type UrgeInput struct {
	Text string `json:"text" binding:"max=2000" text:"multiline"`
}

func (UrgeInput) optionalBody() {}

// NegotiationInput asks for negotiation (协商) after a refusal: why the applicant disputes it.
type NegotiationInput struct {
	Reason string `json:"reason" binding:"required,max=2000" text:"multiline"`
}

// GrantActionInput suspends, resumes or revokes a grant; the reason is required (内乡 第四十一条).
type GrantActionInput struct {
	Reason string `json:"reason" binding:"required,max=2000" text:"multiline"`
}

// GrantView is a grant (共享授权).
type GrantView struct {
	ID             string `json:"id"`
	RequestID      string `json:"request_id"`
	ResourceID     int64  `json:"resource_id"`
	ConsumerDeptID string `json:"consumer_dept_id"`
	ProviderDeptID string `json:"provider_dept_id"`
	Scope          string `json:"scope"`
	UsagePurpose   string `json:"usage_purpose"`
	Conditions     string `json:"conditions,omitempty"`
	ValidFrom      string `json:"valid_from"`
	ValidUntil     string `json:"valid_until"`
	Status         string `json:"status"` // active, suspended, revoked, expired
	StatusReason   string `json:"status_reason,omitempty"`
	UpdatedAt      string `json:"updated_at"`
}

// GrantList is one page of grants, newest request first.
type GrantList struct {
	Items      []GrantView `json:"items"`
	NextCursor string      `json:"next_cursor,omitempty"`
}

func toShareRequestStatus(st contract.ShareRequestState, workflowID string) ShareRequestStatus {
	out := ShareRequestStatus{
		ID: st.Input.RequestID, Status: st.Status, WorkflowID: workflowID, CurrentStep: st.CurrentStep,
		DueAt: formatTimePtr(st.DueAt), LegalBasis: st.LegalBasis,
	}
	if out.LegalBasis == nil {
		out.LegalBasis = []string{}
	}
	return out
}

func toShareRequestView(r *models.ShareRequest, now time.Time) (ShareRequestView, error) {
	v := ShareRequestView{
		ID: r.ID, ResourceID: r.ResourceID, ResourceCode: r.ResourceCode, ResourceName: r.ResourceName,
		ApplicantDeptID: r.ApplicantDeptID, ApplicantSubject: r.ApplicantSubject, ProviderDeptID: r.ProviderDeptID,
		DecidingDeptID: r.DecidingDeptID, Status: r.Status, CurrentStep: r.CurrentStep,
		DueAt: formatTimePtr(r.DueAt), WorkflowID: r.WorkflowID, CreatedAt: formatTime(r.CreatedAt),
		UpdatedAt: formatTime(r.UpdatedAt), ClosedAt: formatTimePtr(r.ClosedAt), LegalBasis: []string{},
	}
	v.Overdue = r.DueAt != nil && r.ClosedAt == nil && now.After(*r.DueAt)
	var err error
	if v.LegalBasis, err = decodeStrings(r.LegalBasisJSON); err != nil {
		return ShareRequestView{}, fmt.Errorf("share request %s: legal basis: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(r.FormJSON), &v.ShareForm); err != nil {
		return ShareRequestView{}, fmt.Errorf("share request %s: form: %w", r.ID, err)
	}
	return v, nil
}

func toGrantView(g *models.Grant) GrantView {
	return GrantView{
		ID: g.ID, RequestID: g.RequestID, ResourceID: g.ResourceID, ConsumerDeptID: g.ConsumerDeptID,
		ProviderDeptID: g.ProviderDeptID, Scope: g.Scope, UsagePurpose: g.UsagePurpose, Conditions: g.Conditions,
		ValidFrom: formatTime(g.ValidFrom), ValidUntil: formatTime(g.ValidUntil), Status: g.Status,
		StatusReason: g.StatusReason, UpdatedAt: formatTime(g.UpdatedAt),
	}
}
