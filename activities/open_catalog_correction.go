package activities

import (
	"context"
	"time"
)

// OpenCatalogStore writes the read model of open-catalog corrections and changes the catalog.
// The worker supplies one backed by the database.
type OpenCatalogStore interface {
	// SaveOpenCatalogCorrection upserts an application, applying it only over a lower stored
	// revision.
	SaveOpenCatalogCorrection(ctx context.Context, in ProjectOpenCatalogCorrectionInput) error
	// ApplyOpenCatalogCorrection makes the resource's published content carry value in field,
	// through the catalog's revision path, and returns the version that carries it. Called
	// again after it succeeded, it changes nothing and returns that version.
	ApplyOpenCatalogCorrection(ctx context.Context, in ApplyOpenCatalogCorrectionInput) (version int, err error)
}

// OpenCatalogActivities are the projection and the catalog change of
// OpenCatalogCorrectionWorkflow (开放目录更正).
type OpenCatalogActivities struct {
	Store OpenCatalogStore
}

// ProjectOpenCatalogCorrectionInput is the whole current state of an open-catalog correction as
// the lists read it.
type ProjectOpenCatalogCorrectionInput struct {
	ID             string `json:"id"`
	Revision       int    `json:"revision"`
	WorkflowID     string `json:"workflow_id"`
	ResourceID     int64  `json:"resource_id"`
	ResourceCode   string `json:"resource_code"`
	ResourceName   string `json:"resource_name"`
	ProviderDeptID string `json:"provider_dept_id"`
	// CitizenSubject lets the citizen find its own applications; nobody else lists by it.
	CitizenSubject string `json:"citizen_subject"`
	// Form is what the citizen wrote (the workflow's contract.OpenCatalogCorrectionForm:
	// field, proposed_value, reason), stored whole as JSON: the projection writes it without
	// knowing its fields.
	Form           any        `json:"form"`
	CurrentValue   string     `json:"current_value"`
	Status         string     `json:"status"`
	CurrentStep    string     `json:"current_step"`
	Answer         string     `json:"answer,omitempty"`
	AnswerBasis    string     `json:"answer_basis,omitempty"`
	CatalogVersion int        `json:"catalog_version,omitempty"`
	DueAt          *time.Time `json:"due_at,omitempty"`
	LocalDefault   bool       `json:"local_default,omitempty"`
	LegalBasis     []string   `json:"legal_basis,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	ClosedAt       *time.Time `json:"closed_at,omitempty"`
}

// ProjectOpenCatalogCorrection upserts an application into the read model, guarded by
// Revision.
func (a *OpenCatalogActivities) ProjectOpenCatalogCorrection(ctx context.Context, in ProjectOpenCatalogCorrectionInput) error {
	if err := a.Store.SaveOpenCatalogCorrection(ctx, in); err != nil {
		return storeError(err, "project open-catalog correction %s revision %d", in.ID, in.Revision)
	}
	return nil
}

// ApplyOpenCatalogCorrectionInput is the approved change: one field of one resource.
type ApplyOpenCatalogCorrectionInput struct {
	CorrectionID  string `json:"correction_id"`
	ResourceID    int64  `json:"resource_id"`
	Field         string `json:"field"`
	ProposedValue string `json:"proposed_value"`
	Actor         string `json:"actor"`
}

// ApplyOpenCatalogCorrectionResult is the catalog version that carries the change.
type ApplyOpenCatalogCorrectionResult struct {
	Version int `json:"version"`
}

// ApplyOpenCatalogCorrection writes the change of the open catalog the city authority made
// as a new catalog version of the resource (变更开放目录, 内乡 第四十五条第三款), idempotently. A change
// the catalog refuses is non-retryable; a database failure is retried.
func (a *OpenCatalogActivities) ApplyOpenCatalogCorrection(ctx context.Context, in ApplyOpenCatalogCorrectionInput) (ApplyOpenCatalogCorrectionResult, error) {
	v, err := a.Store.ApplyOpenCatalogCorrection(ctx, in)
	if err != nil {
		return ApplyOpenCatalogCorrectionResult{}, storeError(err, "apply open-catalog correction %s to resource %d", in.CorrectionID, in.ResourceID)
	}
	return ApplyOpenCatalogCorrectionResult{Version: v}, nil
}

// Timeline event kinds of open-catalog corrections.
const (
	EventOpenCatalogCorrectionFiled = "open_catalog_correction_filed" // the citizen's application (更正申请)
	EventOpenCatalogAgreed          = "open_catalog_agreed"           // the producer agreed
	EventOpenCatalogDisagreed       = "open_catalog_disagreed"        // the producer did not, with reasons and basis
	EventOpenCatalogUpdated         = "open_catalog_updated"          // a new catalog version carries the change
	EventOpenCatalogUpdateRejected  = "open_catalog_update_rejected"  // the city authority refused the change
	EventOpenCatalogUpdateFailed    = "open_catalog_update_failed"    // the catalog refused the approved value
)
