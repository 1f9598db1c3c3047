package activities

import (
	"context"
	"time"
)

// CorrectionStore writes the read model of data corrections. The worker supplies one backed by
// the database, as it does ShareStore.
type CorrectionStore interface {
	// SaveCorrection upserts a correction, applying it only over a lower stored revision.
	SaveCorrection(ctx context.Context, in ProjectCorrectionInput) error
}

// CorrectionActivities are the projections of CorrectionWorkflow, on their own struct because
// they need their own store; deadline and timeline activities stay on Activities.
type CorrectionActivities struct {
	Store CorrectionStore
}

// ProjectCorrectionInput is the whole current state of a correction (数据校核纠错) as lists and
// the catalog's "under verification" flag read it.
type ProjectCorrectionInput struct {
	// ID is the correction's id (DC-…), the unique key of the projection.
	ID string `json:"id"`
	// Revision grows with every change; a lower or equal one never overwrites the stored row.
	Revision        int      `json:"revision"`
	WorkflowID      string   `json:"workflow_id"`
	ResourceID      int64    `json:"resource_id"`
	ResourceCode    string   `json:"resource_code"`
	ResourceName    string   `json:"resource_name"`
	ReporterDeptID  string   `json:"reporter_dept_id"`
	ReporterSubject string   `json:"reporter_subject"`
	ProviderDeptID  string   `json:"provider_dept_id"`
	ProducerDeptID  string   `json:"producer_dept_id"`
	Fields          []string `json:"fields"`
	Description     string   `json:"description"`
	Attachments     []string `json:"attachments,omitempty"`
	EvidenceText    string   `json:"evidence_text,omitempty"`
	// CitizenSource is set when the report relays a citizen's objection (辽宁 第十八条第二款).
	CitizenObjection bool       `json:"citizen_objection"`
	CitizenSource    string     `json:"citizen_source,omitempty"`
	Status           string     `json:"status"`
	CurrentStep      string     `json:"current_step"`
	Result           string     `json:"result,omitempty"`
	ResultText       string     `json:"result_text,omitempty"`
	Disputed         bool       `json:"disputed"`
	DueAt            *time.Time `json:"due_at,omitempty"`
	// LocalDefault: DueAt is a local default, not a statutory deadline.
	LocalDefault bool      `json:"local_default,omitempty"`
	LegalBasis   []string  `json:"legal_basis,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	// ClosedAt is set once the correction is final; until then the resource is under
	// verification.
	ClosedAt *time.Time `json:"closed_at,omitempty"`
}

// ProjectCorrectionResult is empty: the row is the effect.
type ProjectCorrectionResult struct{}

// ProjectCorrection upserts a correction into the read model, guarded by Revision, so a retried
// or reordered call is harmless. A row the read model rejects is a non-retryable "invalid"
// error; a database failure is retried.
func (a *CorrectionActivities) ProjectCorrection(ctx context.Context, in ProjectCorrectionInput) (ProjectCorrectionResult, error) {
	if err := a.Store.SaveCorrection(ctx, in); err != nil {
		return ProjectCorrectionResult{}, storeError(err, "project correction %s revision %d", in.ID, in.Revision)
	}
	return ProjectCorrectionResult{}, nil
}

// Timeline event kinds of corrections, besides the task events of task.go.
const (
	// EventCorrectionReported: the report reached the workflow (问题数据反馈).
	EventCorrectionReported = "correction_reported"
	// EventDispatched: the technical service unit sent the report to a department (分发).
	EventDispatched = "dispatched"
	// EventVerified: the department decided whether the data is wrong (校核结果).
	EventVerified = "verified"
	// EventDataCorrected: the data was corrected at source (更正).
	EventDataCorrected = "data_corrected"
	// EventResultAccepted: the reporter accepted the result.
	EventResultAccepted = "result_accepted"
	// EventResultDisputed: the reporter disputed the result; coordination follows.
	EventResultDisputed = "result_disputed"
	// EventCoordinated: the authority's final decision on the dispute.
	EventCoordinated = "coordinated"
)
