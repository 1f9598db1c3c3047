package activities

import (
	"context"
	"fmt"
	"time"
)

// CorrectionStore writes the read model of data corrections. The worker supplies one backed by
// the database, as it does ShareStore.
type CorrectionStore interface {
	// SaveCorrection upserts a correction, applying it only over a lower stored revision.
	SaveCorrection(ctx context.Context, in ProjectCorrectionInput) error
}

// DepartmentLookup finds a department's kind, for checking where a report is dispatched.
type DepartmentLookup interface {
	// DepartmentKind returns the department's kind (department, authority, tech_service);
	// found is false for an unknown id.
	DepartmentKind(ctx context.Context, id string) (kind string, found bool, err error)
}

// CorrectionActivities are the projections and checks of CorrectionWorkflow, on their own
// struct because they need their own store; deadline and timeline activities stay on
// Activities.
type CorrectionActivities struct {
	Store       CorrectionStore
	Departments DepartmentLookup
}

// CheckDispatchTargetInput names the department the technical service unit dispatched a report
// to.
type CheckDispatchTargetInput struct {
	DepartmentID string `json:"department_id"`
}

// CheckDispatchTargetResult says whether the department can verify data, and why not.
type CheckDispatchTargetResult struct {
	Valid  bool   `json:"valid"`
	Reason string `json:"reason,omitempty"`
}

// CheckDispatchTarget checks that a dispatched report goes to an existing government
// department (数据生产部门), not to an unknown id or to the authority or the technical service
// unit itself. The workflow's update validator cannot look the department up; this activity
// runs right after the decision.
func (a *CorrectionActivities) CheckDispatchTarget(ctx context.Context, in CheckDispatchTargetInput) (CheckDispatchTargetResult, error) {
	kind, found, err := a.Departments.DepartmentKind(ctx, in.DepartmentID)
	switch {
	case err != nil:
		return CheckDispatchTargetResult{}, fmt.Errorf("look up department %s: %w", in.DepartmentID, err)
	case !found:
		return CheckDispatchTargetResult{Reason: "department " + in.DepartmentID + " does not exist"}, nil
	case kind != "department": // models.KindDepartment, not linked here

		return CheckDispatchTargetResult{Reason: "department " + in.DepartmentID + " is a " + kind + ", not a producing department"}, nil
	}
	return CheckDispatchTargetResult{Valid: true}, nil
}

// ProjectCorrectionInput is the whole current state of a correction (数据校核纠错) as lists and
// the catalog's "under verification" flag read it.
type ProjectCorrectionInput struct {
	// ID is the correction's id (DC-…), the unique key of the projection.
	ID string `json:"id"`
	// Revision grows with every change; a lower or equal one never overwrites the stored row.
	Revision        int    `json:"revision"`
	WorkflowID      string `json:"workflow_id"`
	ResourceID      int64  `json:"resource_id"`
	ResourceCode    string `json:"resource_code"`
	ResourceName    string `json:"resource_name"`
	ReporterDeptID  string `json:"reporter_dept_id"`
	ReporterSubject string `json:"reporter_subject"`
	ProviderDeptID  string `json:"provider_dept_id"`
	ProducerDeptID  string `json:"producer_dept_id"`
	// Form is what the reporter wrote (the workflow's contract.CorrectionForm: fields,
	// description, evidence, citizen_objection), stored whole as JSON: the projection writes
	// it without knowing its fields.
	Form        any        `json:"form"`
	Status      string     `json:"status"`
	CurrentStep string     `json:"current_step"`
	Result      string     `json:"result,omitempty"`
	ResultText  string     `json:"result_text,omitempty"`
	Disputed    bool       `json:"disputed"`
	DueAt       *time.Time `json:"due_at,omitempty"`
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
	// EventDispatchRefused: the dispatch named no producing department; the unit dispatches
	// again.
	EventDispatchRefused = "dispatch_refused"
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
