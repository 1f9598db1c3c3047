package activities

import (
	"context"
	"time"
)

// CatalogUpdateStore writes the read model of catalog updates and changes the catalog for
// them. The worker supplies one backed by the database, so this package never links GORM.
type CatalogUpdateStore interface {
	// SaveCatalogUpdate upserts an update, applying it only over a lower stored revision.
	SaveCatalogUpdate(ctx context.Context, in ProjectCatalogUpdateInput) error
	// LinkCatalogUpdate submits the listed drafts of the department and links the submitted
	// revisions to the update's round, in one transaction; a repeat of a round returns the
	// links already made. A version that is not the resource's current draft or submitted
	// revision of the department wraps ErrRejected.
	LinkCatalogUpdate(ctx context.Context, in LinkCatalogUpdateInput) ([]LinkedVersion, error)
	// PublishCatalogUpdate publishes every revision linked to the round, in one transaction;
	// already published links are left as they are.
	PublishCatalogUpdate(ctx context.Context, in CatalogReviewInput) ([]LinkedVersion, error)
	// ReturnCatalogUpdate returns every revision linked to the round to its department as a
	// draft with the reason, in one transaction; already returned links are left as they are.
	ReturnCatalogUpdate(ctx context.Context, in CatalogReviewInput) error
}

// CatalogUpdateActivities are the projection and catalog activities of CatalogUpdateWorkflow;
// the deadline and timeline activities stay on Activities.
type CatalogUpdateActivities struct {
	Store CatalogUpdateStore
}

// ProjectCatalogUpdateInput is the whole current state of a catalog update as lists show it.
type ProjectCatalogUpdateInput struct {
	ID           string `json:"id"`
	Revision     int    `json:"revision"`
	WorkflowID   string `json:"workflow_id"`
	DepartmentID string `json:"department_id"`
	// Form is what the reporter wrote (the workflow's contract.CatalogUpdateForm: trigger,
	// basis, changed_on), stored whole as JSON: the projection writes it without knowing its
	// fields.
	Form               any        `json:"form"`
	InitiatorSubject   string     `json:"initiator_subject"`
	OrderedByAuthority bool       `json:"ordered_by_authority"`
	Status             string     `json:"status"`
	CurrentStep        string     `json:"current_step"`
	DueAt              *time.Time `json:"due_at,omitempty"`
	LegalBasis         []string   `json:"legal_basis,omitempty"`
	LocalDefault       bool       `json:"local_default,omitempty"`
	// ResponsibilityListUpdated: the authority updated the 责任清单 with the catalog (内乡
	// 第二十二条).
	ResponsibilityListUpdated bool       `json:"responsibility_list_updated,omitempty"`
	CreatedAt                 time.Time  `json:"created_at"`
	UpdatedAt                 time.Time  `json:"updated_at"`
	ClosedAt                  *time.Time `json:"closed_at,omitempty"`
}

// ProjectCatalogUpdateResult is empty: the row is the effect.
type ProjectCatalogUpdateResult struct{}

// ProjectCatalogUpdate upserts a catalog update into the read model, guarded by Revision, so
// a retried or reordered call is harmless.
func (a *CatalogUpdateActivities) ProjectCatalogUpdate(ctx context.Context, in ProjectCatalogUpdateInput) (ProjectCatalogUpdateResult, error) {
	if err := a.Store.SaveCatalogUpdate(ctx, in); err != nil {
		return ProjectCatalogUpdateResult{}, storeError(err, "project catalog update %s revision %d", in.ID, in.Revision)
	}
	return ProjectCatalogUpdateResult{}, nil
}

// LinkedVersion is one resource revision linked to an update.
type LinkedVersion struct {
	ResourceID int64 `json:"resource_id"`
	// Version is the resource's revision once submitted (the draft's version + 1 when the
	// link submitted it).
	Version int `json:"version"`
}

// LinkCatalogUpdateInput is one submission of an update: the department's resource
// revisions as the department listed them.
type LinkCatalogUpdateInput struct {
	UpdateID     string          `json:"update_id"`
	Round        int             `json:"round"`
	DepartmentID string          `json:"department_id"`
	Actor        string          `json:"actor"`
	Versions     []LinkedVersion `json:"versions"`
}

// LinkCatalogUpdateResult lists the linked (submitted) revisions.
type LinkCatalogUpdateResult struct {
	Linked []LinkedVersion `json:"linked"`
}

// LinkCatalogUpdate submits and links the round's revisions. A revision that moved on or is
// not the department's is a non-retryable "invalid" error: the department must submit again.
func (a *CatalogUpdateActivities) LinkCatalogUpdate(ctx context.Context, in LinkCatalogUpdateInput) (LinkCatalogUpdateResult, error) {
	linked, err := a.Store.LinkCatalogUpdate(ctx, in)
	if err != nil {
		return LinkCatalogUpdateResult{}, storeError(err, "link round %d of catalog update %s", in.Round, in.UpdateID)
	}
	return LinkCatalogUpdateResult{Linked: linked}, nil
}

// CatalogReviewInput is the authority's decision on a round: approve (publish) or return.
type CatalogReviewInput struct {
	UpdateID string `json:"update_id"`
	Round    int    `json:"round"`
	Actor    string `json:"actor"`
	Reason   string `json:"reason,omitempty"`
}

// PublishCatalogUpdateResult lists the published revisions.
type PublishCatalogUpdateResult struct {
	Published []LinkedVersion `json:"published"`
}

// PublishCatalogUpdate publishes every revision of the round at once: other departments see
// the whole update or none of it.
func (a *CatalogUpdateActivities) PublishCatalogUpdate(ctx context.Context, in CatalogReviewInput) (PublishCatalogUpdateResult, error) {
	published, err := a.Store.PublishCatalogUpdate(ctx, in)
	if err != nil {
		return PublishCatalogUpdateResult{}, storeError(err, "publish round %d of catalog update %s", in.Round, in.UpdateID)
	}
	return PublishCatalogUpdateResult{Published: published}, nil
}

// ReturnCatalogUpdateResult is empty: the drafts are the effect.
type ReturnCatalogUpdateResult struct{}

// ReturnCatalogUpdate sends the round's revisions back to the department as drafts.
func (a *CatalogUpdateActivities) ReturnCatalogUpdate(ctx context.Context, in CatalogReviewInput) (ReturnCatalogUpdateResult, error) {
	if err := a.Store.ReturnCatalogUpdate(ctx, in); err != nil {
		return ReturnCatalogUpdateResult{}, storeError(err, "return round %d of catalog update %s", in.Round, in.UpdateID)
	}
	return ReturnCatalogUpdateResult{}, nil
}

// Timeline event kinds of catalog updates, besides the task events of task.go.
const (
	// EventCatalogUpdateOpened: the change was reported or ordered (目录更新启动).
	EventCatalogUpdateOpened = "catalog_update_opened"
	// EventCatalogSubmitted: the department submitted its revisions, linked to the update.
	EventCatalogSubmitted = "catalog_submitted"
	// EventCatalogSubmissionRefused: the listed revisions could not be linked (moved on, not
	// the department's); the department submits again under the same deadline.
	EventCatalogSubmissionRefused = "catalog_submission_refused"
	// EventCatalogReturned: the authority returned the update with a reason.
	EventCatalogReturned = "catalog_returned"
	// EventCatalogPublishRefused: the approval could not publish (a linked revision was
	// changed outside the update); the rest went back to the department.
	EventCatalogPublishRefused = "catalog_publish_refused"
	// EventCatalogPublished: every linked revision was published at once.
	EventCatalogPublished = "catalog_published"
	// EventResponsibilityListUpdated: the 责任清单 was updated with the catalog (内乡 第二十二条).
	EventResponsibilityListUpdated = "responsibility_list_updated"
	// EventReportedToCity: the county reported the changed catalog to the city (内乡 第二十三条).
	EventReportedToCity = "reported_to_city"
)
