package api

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// LocalDefaultNote is what a deadline that no regulation sets says of itself (docs/regulations.md:
// policies are data).
const LocalDefaultNote = "local default, no statutory deadline"

// CatalogUpdateInput reports (approver) or orders (authority) a catalog update (目录更新) after
// a law was revised or the department's duties changed. DepartmentID is only for the
// authority, naming the department it orders to update; ResourceIDs are the department's
// resources concerned, none when new resources must be added.
type CatalogUpdateInput struct {
	contract.CatalogUpdateForm
	ResourceIDs  []int64 `json:"resource_ids" binding:"max=200,dive,gte=1"`
	DepartmentID string  `json:"department_id" binding:"max=64"`
}

// CatalogUpdateStatus is where an update stands, as its workflow reports it: the answer to a
// report or order. Overdue says the open step's deadline has passed (a changed_on far in the
// past makes the update overdue at once).
type CatalogUpdateStatus struct {
	ID          string  `json:"id"`
	Status      string  `json:"status"`
	WorkflowID  string  `json:"workflow_id"`
	CurrentStep string  `json:"current_step"`
	DueAt       *string `json:"due_at"`
	// LegalBasis cites the article that sets the open step's deadline (or creates the step,
	// when DeadlineNote says the deadline is a local default).
	LegalBasis   []string `json:"legal_basis"`
	LocalDefault bool     `json:"local_default"`
	DeadlineNote string   `json:"deadline_note,omitempty"`
	Overdue      bool     `json:"overdue"`
}

// CatalogUpdateView is a catalog update as the list shows it.
type CatalogUpdateView struct {
	DepartmentID string `json:"department_id"`
	contract.CatalogUpdateForm
	InitiatorSubject   string `json:"initiator_subject"`
	OrderedByAuthority bool   `json:"ordered_by_authority"`
	CatalogUpdateStatus
	// ResponsibilityListUpdated: the authority updated the 责任清单 with the catalog (内乡
	// 第二十二条).
	ResponsibilityListUpdated bool    `json:"responsibility_list_updated"`
	CreatedAt                 string  `json:"created_at"`
	UpdatedAt                 string  `json:"updated_at"`
	ClosedAt                  *string `json:"closed_at,omitempty"`
}

// CatalogUpdateList is one page of catalog updates, newest first.
type CatalogUpdateList struct {
	Items      []CatalogUpdateView `json:"items"`
	NextCursor string              `json:"next_cursor,omitempty"`
}

// LinkedResourceView is one resource revision a submission linked to the update.
type LinkedResourceView struct {
	Round       int     `json:"round"`
	ResourceID  int64   `json:"resource_id"`
	Version     int     `json:"version"`
	PublishedAt *string `json:"published_at,omitempty"`
	ReturnedAt  *string `json:"returned_at,omitempty"`
}

// CatalogUpdateDetail is an update with its timeline (办理记录), its open tasks and the
// revisions its submissions linked.
type CatalogUpdateDetail struct {
	CatalogUpdateView
	caseActivity
	Resources []LinkedResourceView `json:"resources"`
}

// ResourceVersionInput names one revision of a catalog resource.
type ResourceVersionInput struct {
	ResourceID int64 `json:"resource_id" binding:"required,gte=1"`
	Version    int   `json:"version" binding:"required,gte=1"`
}

// CatalogSubmitInput submits the department's edited resources as one update: each draft (or
// draft revision of a published resource) at the version the department last saw.
type CatalogSubmitInput struct {
	ResourceVersions []ResourceVersionInput `json:"resource_versions" binding:"required,min=1,max=200,dive"`
	Comment          string                 `json:"comment" binding:"max=2000" text:"multiline"`
}

func toCatalogUpdateStatus(st contract.CatalogUpdateState, workflowID string, now time.Time) CatalogUpdateStatus {
	out := CatalogUpdateStatus{
		ID: st.Input.UpdateID, Status: st.Status, WorkflowID: workflowID, CurrentStep: st.CurrentStep,
		DueAt: formatTimePtr(st.DueAt), LegalBasis: st.LegalBasis, LocalDefault: st.LocalDefault,
		Overdue: st.DueAt != nil && !st.Final && now.After(*st.DueAt),
	}
	if out.LegalBasis == nil {
		out.LegalBasis = []string{}
	}
	if out.LocalDefault {
		out.DeadlineNote = LocalDefaultNote
	}
	return out
}

func toCatalogUpdateView(u *models.CatalogUpdate, now time.Time) (CatalogUpdateView, error) {
	v := CatalogUpdateView{
		DepartmentID: u.DepartmentID, InitiatorSubject: u.InitiatorSubject, OrderedByAuthority: u.OrderedByAuthority,
		CatalogUpdateStatus: CatalogUpdateStatus{
			ID: u.ID, Status: u.Status, WorkflowID: u.WorkflowID, CurrentStep: u.CurrentStep,
			DueAt: formatTimePtr(u.DueAt), LegalBasis: []string{}, LocalDefault: u.LocalDefault,
			Overdue: u.DueAt != nil && u.ClosedAt == nil && now.After(*u.DueAt),
		},
		ResponsibilityListUpdated: u.ResponsibilityListUpdated,
		CreatedAt:                 formatTime(u.CreatedAt), UpdatedAt: formatTime(u.UpdatedAt), ClosedAt: formatTimePtr(u.ClosedAt),
	}
	if u.LocalDefault {
		v.DeadlineNote = LocalDefaultNote
	}
	var err error
	if v.LegalBasis, err = decodeStrings(u.LegalBasisJSON); err != nil {
		return CatalogUpdateView{}, fmt.Errorf("catalog update %s: legal basis: %w", u.ID, err)
	}
	if err := json.Unmarshal([]byte(u.FormJSON), &v.CatalogUpdateForm); err != nil {
		return CatalogUpdateView{}, fmt.Errorf("catalog update %s: form: %w", u.ID, err)
	}
	return v, nil
}
