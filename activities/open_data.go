package activities

import (
	"context"
	"time"
)

// OpenDataStore writes the read model of open-data requests. The worker supplies one backed by
// the database, as it does CorrectionStore.
type OpenDataStore interface {
	// SaveOpenDataRequest upserts a request, applying it only over a lower stored revision.
	SaveOpenDataRequest(ctx context.Context, in ProjectOpenDataRequestInput) error
}

// OpenDataActivities are the projections of OpenDataRequestWorkflow, on their own struct
// because they need their own store; deadline and timeline activities stay on Activities.
type OpenDataActivities struct {
	Store OpenDataStore
}

// ProjectOpenDataRequestInput is the whole current state of an open-data request
// (有条件开放申请) as lists and its detail read it. It carries no personal data beyond the
// applicant's subject, which the citizen's own list needs.
type ProjectOpenDataRequestInput struct {
	// ID is the request's id (OD-…), the unique key of the projection.
	ID string `json:"id"`
	// Revision grows with every change; a lower or equal one never overwrites the stored row.
	Revision         int    `json:"revision"`
	WorkflowID       string `json:"workflow_id"`
	ResourceID       int64  `json:"resource_id"`
	ResourceCode     string `json:"resource_code"`
	ResourceName     string `json:"resource_name"`
	OpenType         string `json:"open_type"`
	ApplicantSubject string `json:"applicant_subject"`
	ProviderDeptID   string `json:"provider_dept_id"`
	// Form is what the applicant wrote (the workflow's contract.OpenDataForm), stored whole as
	// JSON: the projection writes it without knowing its fields.
	Form        any    `json:"form"`
	Status      string `json:"status"`
	CurrentStep string `json:"current_step"`
	// Conditions of use of an approval; Reason and RefusalBasis of a refusal.
	Conditions   string `json:"conditions,omitempty"`
	Reason       string `json:"reason,omitempty"`
	RefusalBasis string `json:"refusal_basis,omitempty"`
	// ExtensionWorkdays and ExtensionReason: the extension granted (延期), 0 and "" without.
	ExtensionWorkdays int        `json:"extension_workdays"`
	ExtensionReason   string     `json:"extension_reason,omitempty"`
	OriginalDueAt     *time.Time `json:"original_due_at,omitempty"`
	DueAt             *time.Time `json:"due_at,omitempty"`
	LegalBasis        []string   `json:"legal_basis,omitempty"`
	CreatedAt         time.Time  `json:"created_at"`
	UpdatedAt         time.Time  `json:"updated_at"`
	ClosedAt          *time.Time `json:"closed_at,omitempty"`
}

// ProjectOpenDataRequestResult is empty: the row is the effect.
type ProjectOpenDataRequestResult struct{}

// ProjectOpenDataRequest upserts an open-data request into the read model, guarded by
// Revision, so a retried or reordered call is harmless. A row the read model rejects is a
// non-retryable "invalid" error; a database failure is retried.
func (a *OpenDataActivities) ProjectOpenDataRequest(ctx context.Context, in ProjectOpenDataRequestInput) (ProjectOpenDataRequestResult, error) {
	if err := a.Store.SaveOpenDataRequest(ctx, in); err != nil {
		return ProjectOpenDataRequestResult{}, storeError(err, "project open-data request %s revision %d", in.ID, in.Revision)
	}
	return ProjectOpenDataRequestResult{}, nil
}

// Timeline event kinds of open-data requests, besides the task events of task.go and
// EventSubmitted.
const (
	// EventDataOpened: unconditionally open data was opened to the applicant after the identity
	// check (内乡 第四十六条第三款).
	EventDataOpened = "data_opened"
	// EventOpenDataApproved: the producer opened the data on conditions of use.
	EventOpenDataApproved = "open_data_approved"
	// EventOpenDataRefused: the producer refused, with reasons and basis (第四十六条第二款).
	EventOpenDataRefused = "open_data_refused"
)
