package api

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// OpenDataRequestInput asks for a resource of the open catalog (有条件开放申请, 内乡 第四十六条):
// what it is for and which part of the data.
type OpenDataRequestInput struct {
	ResourceID int64 `json:"resource_id" binding:"required,gte=1"`
	contract.OpenDataForm
}

// OpenDataExtensionView is the extension the producer's head granted (延期, 第四十六条第二款).
type OpenDataExtensionView struct {
	Workdays int    `json:"workdays"`
	Reason   string `json:"reason"`
}

// OpenDataRequestStatus is where a request stands, as its workflow reports it: the answer to a
// submission. DueAt is the reply's deadline under the articles of LegalBasis.
type OpenDataRequestStatus struct {
	ID          string   `json:"id"`
	Status      string   `json:"status"`
	WorkflowID  string   `json:"workflow_id"`
	ResourceID  int64    `json:"resource_id"`
	OpenType    string   `json:"open_type"`
	CurrentStep string   `json:"current_step"`
	DueAt       *string  `json:"due_at"`
	LegalBasis  []string `json:"legal_basis"`
}

// OpenDataRequestView is a request as the list shows it. DueAt is the reply's current
// deadline, OriginalDueAt the one before an extension; LegalBasis cites the articles of both
// (第四十六条第二款) or, for data opened at once, 第四十六条第三款.
type OpenDataRequestView struct {
	ID               string `json:"id"`
	ResourceID       int64  `json:"resource_id"`
	ResourceCode     string `json:"resource_code"`
	ResourceName     string `json:"resource_name"`
	OpenType         string `json:"open_type"`
	ApplicantSubject string `json:"applicant_subject"`
	ProviderDeptID   string `json:"provider_dept_id"`
	contract.OpenDataForm
	Status        string                 `json:"status"`
	CurrentStep   string                 `json:"current_step"`
	Conditions    string                 `json:"conditions,omitempty"`
	Reason        string                 `json:"reason,omitempty"`
	RefusalBasis  string                 `json:"refusal_basis,omitempty"`
	Extension     *OpenDataExtensionView `json:"extension,omitempty"`
	OriginalDueAt *string                `json:"original_due_at"`
	DueAt         *string                `json:"due_at"`
	Overdue       bool                   `json:"overdue"`
	LegalBasis    []string               `json:"legal_basis"`
	WorkflowID    string                 `json:"workflow_id"`
	CreatedAt     string                 `json:"created_at"`
	UpdatedAt     string                 `json:"updated_at"`
	ClosedAt      *string                `json:"closed_at,omitempty"`
}

// OpenDataRequestList is one page of requests, newest first.
type OpenDataRequestList struct {
	Items      []OpenDataRequestView `json:"items"`
	NextCursor string                `json:"next_cursor,omitempty"`
}

// OpenDataRequestDetail is a request with its timeline (办理记录) and open tasks.
type OpenDataRequestDetail struct {
	OpenDataRequestView
	caseActivity
}

func toOpenDataRequestStatus(st contract.OpenDataRequestState, workflowID string) OpenDataRequestStatus {
	out := OpenDataRequestStatus{
		ID: st.Input.RequestID, Status: st.Status, WorkflowID: workflowID, ResourceID: st.Input.Resource.ID,
		OpenType: st.Input.Resource.OpenType, CurrentStep: st.CurrentStep, DueAt: formatTimePtr(st.DueAt), LegalBasis: st.LegalBasis,
	}
	if out.LegalBasis == nil {
		out.LegalBasis = []string{}
	}
	return out
}

func toOpenDataRequestView(r *models.OpenDataRequest, now time.Time) (OpenDataRequestView, error) {
	v := OpenDataRequestView{
		ID: r.ID, ResourceID: r.ResourceID, ResourceCode: r.ResourceCode, ResourceName: r.ResourceName, OpenType: r.OpenType,
		ApplicantSubject: r.ApplicantSubject, ProviderDeptID: r.ProviderDeptID,
		Status: r.Status, CurrentStep: r.CurrentStep, Conditions: r.Conditions, Reason: r.Reason, RefusalBasis: r.RefusalBasis,
		OriginalDueAt: formatTimePtr(r.OriginalDueAt), DueAt: formatTimePtr(r.DueAt), WorkflowID: r.WorkflowID,
		CreatedAt: formatTime(r.CreatedAt), UpdatedAt: formatTime(r.UpdatedAt), ClosedAt: formatTimePtr(r.ClosedAt),
		LegalBasis: []string{},
	}
	v.Overdue = r.DueAt != nil && r.ClosedAt == nil && now.After(*r.DueAt)
	if r.ExtensionWorkdays > 0 {
		v.Extension = &OpenDataExtensionView{Workdays: r.ExtensionWorkdays, Reason: r.ExtensionReason}
	}
	if r.LegalBasisJSON != "" {
		if err := json.Unmarshal([]byte(r.LegalBasisJSON), &v.LegalBasis); err != nil {
			return OpenDataRequestView{}, fmt.Errorf("open-data request %s: legal basis: %w", r.ID, err)
		}
	}
	if err := json.Unmarshal([]byte(r.FormJSON), &v.OpenDataForm); err != nil {
		return OpenDataRequestView{}, fmt.Errorf("open-data request %s: form: %w", r.ID, err)
	}
	return v, nil
}
