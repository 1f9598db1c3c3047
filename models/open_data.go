package models

import (
	"context"
	"time"
)

// Open-data request statuses (有条件开放申请状态), as OpenDataRequestWorkflow projects them.
const (
	OpenDataPending   = "pending"   // the producing department replies (内乡 第四十六条第二款)
	OpenDataApproved  = "approved"  // final: opened on conditions of use
	OpenDataRefused   = "refused"   // final: refused with reasons and basis
	OpenDataOpened    = "opened"    // final: unconditionally open, opened at once (第四十六条第三款)
	OpenDataWithdrawn = "withdrawn" // final: withdrawn by the applicant (撤回)
)

var openDataStatuses = map[string]bool{OpenDataPending: true, OpenDataApproved: true, OpenDataRefused: true, OpenDataOpened: true, OpenDataWithdrawn: true}

// OpenDataRequest is a citizen's request for open data (有条件开放申请): the projection of its
// workflow's state, written only by activities. A row is replaced whole, and only by a higher
// Revision.
type OpenDataRequest struct {
	ID         string `gorm:"column:id;primaryKey"`
	ResourceID int64  `gorm:"column:resource_id"`
	// ResourceCode, ResourceName and OpenType are a snapshot taken at submission.
	ResourceCode string `gorm:"column:resource_code"`
	ResourceName string `gorm:"column:resource_name"`
	OpenType     string `gorm:"column:open_type"`
	// ApplicantSubject is the citizen's token subject: the only key to its own requests.
	ApplicantSubject string `gorm:"column:applicant_subject"`
	ProviderDeptID   string `gorm:"column:provider_dept_id"`
	// FormJSON is what the applicant wrote (purpose, scope), a JSON object the API reads
	// whole: the read model neither filters nor sorts by it.
	FormJSON     string `gorm:"column:form"`
	Status       string `gorm:"column:status"`
	CurrentStep  string `gorm:"column:current_step"`
	Conditions   string `gorm:"column:conditions"`
	Reason       string `gorm:"column:reason"`
	RefusalBasis string `gorm:"column:refusal_basis"`
	// ExtensionWorkdays and ExtensionReason: the extension granted (延期), 0 and "" without.
	ExtensionWorkdays int        `gorm:"column:extension_workdays"`
	ExtensionReason   string     `gorm:"column:extension_reason"`
	OriginalDueAt     *time.Time `gorm:"column:original_due_at"`
	DueAt             *time.Time `gorm:"column:due_at"`
	WorkflowID        string     `gorm:"column:workflow_id"`
	// LegalBasisJSON is the current step's citations, a JSON list of strings.
	LegalBasisJSON string     `gorm:"column:legal_basis"`
	Revision       int        `gorm:"column:revision"`
	CreatedAt      time.Time  `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt      time.Time  `gorm:"column:updated_at;autoUpdateTime:false"`
	ClosedAt       *time.Time `gorm:"column:closed_at"`
}

// TableName pins the table name independently of GORM's naming strategy.
func (OpenDataRequest) TableName() string { return "open_data_requests" }

// Validate returns invalid fields by column name.
func (r *OpenDataRequest) Validate() map[string]string {
	f := map[string]string{}
	checkCase(f, r.ID, r.Revision, r.WorkflowID, r.CurrentStep, r.CreatedAt)
	checkText(f, "resource_code", r.ResourceCode, 64, false)
	checkText(f, "resource_name", r.ResourceName, 255, false)
	checkText(f, "open_type", r.OpenType, 32, true)
	checkText(f, "applicant_subject", r.ApplicantSubject, 128, true)
	checkText(f, "provider_dept_id", r.ProviderDeptID, 64, true)
	if !openDataStatuses[r.Status] {
		f["status"] = "未知状态"
	}
	checkText(f, "extension_reason", r.ExtensionReason, 2000, false)
	if r.ExtensionWorkdays < 0 {
		f["extension_workdays"] = "不能为负数"
	}
	return f
}

// GetOpenDataRequest returns the open-data request with the given id, or ErrNotFound.
func (s *Store) GetOpenDataRequest(ctx context.Context, id string) (*OpenDataRequest, error) {
	return openDataRequests.get(ctx, s, id)
}

// UpsertOpenDataRequest stores r unless the stored row has the same or a higher revision;
// applied reports whether r was written. Invalid fields are a *ValidationError.
func (s *Store) UpsertOpenDataRequest(ctx context.Context, r OpenDataRequest) (applied bool, err error) {
	return openDataRequests.upsert(ctx, s, &r)
}

// A closed request is never overdue.
var openDataRequests = caseTable[OpenDataRequest, *OpenDataRequest]{what: "open-data request", cursor: "o1:",
	statuses: openDataStatuses, unknownStatus: "未知的开放申请状态", emptyJSON: map[string]string{"legal_basis": "[]", "form": "{}"}}

// OpenDataFilter selects open-data requests a principal may see: a citizen its own
// (ApplicantSubject), a producing department those of its resources (ProviderDeptID), the
// authority every one (SeesAll). A filter naming none of them selects nothing.
type OpenDataFilter struct {
	ApplicantSubject string
	ProviderDeptID   string
	SeesAll          bool

	Status string // one of the OpenData* statuses; "" for every status
	// Overdue selects requests whose reply is past its deadline (true) or not (false); nil
	// for both. Now is the instant compared with; zero means the current time.
	Overdue *bool
	Now     time.Time
	Limit   int
	Cursor  string
}

// ListOpenDataRequests returns one page of the requests matching f, newest first (ids sort by
// time of submission), and the cursor of the next page. A malformed status or cursor is a
// *ValidationError.
func (s *Store) ListOpenDataRequests(ctx context.Context, f OpenDataFilter) (items []OpenDataRequest, next string, err error) {
	return openDataRequests.list(ctx, s, caseQuery{seesAll: f.SeesAll,
		sees:   []columnValue{{"applicant_subject", f.ApplicantSubject}, {"provider_dept_id", f.ProviderDeptID}},
		status: f.Status, overdue: f.Overdue, now: f.Now, limit: f.Limit, cursor: f.Cursor})
}
