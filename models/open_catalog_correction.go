package models

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Open-catalog correction statuses (开放目录更正), as OpenCatalogCorrectionWorkflow projects them.
const (
	OpenCatalogReplying  = "replying"         // the producer answers (内乡 第四十五条第三款)
	OpenCatalogUpdating  = "updating_catalog" // the producer has the city authority change the open catalog
	OpenCatalogDisagreed = "disagreed"        // final: the producer disagreed, with reasons and basis
	OpenCatalogUpdated   = "catalog_updated"  // final: a new catalog version carries the change
	OpenCatalogRejected  = "update_rejected"  // final: the authority refused the change
	// OpenCatalogUpdateFailed is final: the catalog refused the approved value.
	OpenCatalogUpdateFailed = "update_failed"
)

var openCatalogStatuses = map[string]bool{OpenCatalogReplying: true, OpenCatalogUpdating: true,
	OpenCatalogDisagreed: true, OpenCatalogUpdated: true, OpenCatalogRejected: true, OpenCatalogUpdateFailed: true}

// OpenCatalogFields are the content fields of the open catalog a citizen may dispute, by JSON
// name: what the open catalog shows of a resource, without its code and provider, which name
// the entry, and without the sharing fields, which belong to the government-only catalog.
var OpenCatalogFields = []string{"name", "description", "format", "update_frequency", "timeliness",
	"provision_method", "open_type", "open_conditions", "legal_basis"}

// OpenCatalogField returns the pointer to field in c, or nil when field is not one of
// OpenCatalogFields. open_type is set as a string; Validate checks its value.
func OpenCatalogField(c *ResourceContent, field string) *string {
	switch field {
	case "name":
		return &c.Name
	case "description":
		return &c.Description
	case "format":
		return &c.Format
	case "update_frequency":
		return &c.UpdateFrequency
	case "timeliness":
		return &c.Timeliness
	case "provision_method":
		return &c.ProvisionMethod
	case "open_type":
		return (*string)(&c.OpenType)
	case "open_conditions":
		return &c.OpenConditions
	case "legal_basis":
		return &c.LegalBasis
	}
	return nil
}

// InOpenCatalog reports whether the resource is in the open catalog (政务数据开放目录, 内乡
// 第四十五条): published, and open unconditionally or on conditions.
func (r *CatalogResource) InOpenCatalog() bool {
	return r.Status == StatusPublished && (r.OpenType == OpenUnconditional || r.OpenType == OpenConditional)
}

// CheckOpenCatalogChange returns the invalid fields of r's published content with value in
// field, by JSON name; empty when the catalog would take it.
func CheckOpenCatalogChange(r *CatalogResource, field, value string) map[string]string {
	changed := *r
	p := OpenCatalogField(&changed.ResourceContent, field)
	if p == nil {
		return map[string]string{"field": "不是开放目录的内容字段"}
	}
	*p = value
	return changed.Validate()
}

// OpenCatalogCorrection is a citizen's application to correct the open catalog: the projection
// of its workflow's state, written only by activities, replaced whole by a higher Revision.
type OpenCatalogCorrection struct {
	ID             string `gorm:"column:id;primaryKey"`
	WorkflowID     string `gorm:"column:workflow_id"`
	ResourceID     int64  `gorm:"column:resource_id"`
	ResourceCode   string `gorm:"column:resource_code"`
	ResourceName   string `gorm:"column:resource_name"`
	ProviderDeptID string `gorm:"column:provider_dept_id"`
	CitizenSubject string `gorm:"column:citizen_subject"`
	// FormJSON is what the citizen wrote (field, proposed_value, reason), a JSON object the
	// API reads whole: the read model neither filters nor sorts by it.
	FormJSON string `gorm:"column:form"`
	// CurrentValue is the field's published value at the application.
	CurrentValue   string     `gorm:"column:current_value"`
	Status         string     `gorm:"column:status"`
	CurrentStep    string     `gorm:"column:current_step"`
	Answer         string     `gorm:"column:answer"`
	AnswerBasis    string     `gorm:"column:answer_basis"`
	CatalogVersion int        `gorm:"column:catalog_version"`
	DueAt          *time.Time `gorm:"column:due_at"`
	LocalDefault   bool       `gorm:"column:local_default"`
	// LegalBasisJSON is the current step's citations, a JSON list of strings.
	LegalBasisJSON string     `gorm:"column:legal_basis"`
	Revision       int        `gorm:"column:revision"`
	CreatedAt      time.Time  `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt      time.Time  `gorm:"column:updated_at;autoUpdateTime:false"`
	ClosedAt       *time.Time `gorm:"column:closed_at"`
}

// TableName pins the table name independently of GORM's naming strategy.
func (OpenCatalogCorrection) TableName() string { return "open_catalog_corrections" }

// Validate returns invalid fields by column name.
func (r *OpenCatalogCorrection) Validate() map[string]string {
	f := map[string]string{}
	checkCase(f, r.ID, r.Revision, r.WorkflowID, r.CurrentStep, r.CreatedAt)
	checkText(f, "resource_code", r.ResourceCode, 64, false)
	checkText(f, "resource_name", r.ResourceName, 255, false)
	checkText(f, "provider_dept_id", r.ProviderDeptID, 64, true)
	checkText(f, "citizen_subject", r.CitizenSubject, 128, true)
	if !openCatalogStatuses[r.Status] {
		f["status"] = "未知状态"
	}
	return f
}

// GetOpenCatalogCorrection returns the application with the id, or ErrNotFound.
func (s *Store) GetOpenCatalogCorrection(ctx context.Context, id string) (*OpenCatalogCorrection, error) {
	return openCatalogCorrections.get(ctx, s, id)
}

// UpsertOpenCatalogCorrection stores r unless the stored row has the same or a higher
// revision; applied reports whether r was written.
func (s *Store) UpsertOpenCatalogCorrection(ctx context.Context, r OpenCatalogCorrection) (applied bool, err error) {
	return openCatalogCorrections.upsert(ctx, s, &r)
}

var openCatalogCorrections = caseTable[OpenCatalogCorrection, *OpenCatalogCorrection]{what: "open-catalog correction",
	cursor: "oc1:", statuses: openCatalogStatuses, unknownStatus: "未知的更正申请状态",
	emptyJSON: map[string]string{"legal_basis": "[]", "form": "{}"}}

// OpenCatalogCorrectionFilter selects the applications a principal may see: a citizen's own
// (CitizenSubject), those of a department's resources (DepartmentID), or all (SeesAll).
type OpenCatalogCorrectionFilter struct {
	CitizenSubject string
	DepartmentID   string
	SeesAll        bool
	Status         string
	Limit          int
	Cursor         string
}

// ListOpenCatalogCorrections returns one page of the applications matching f, newest first,
// and the cursor of the next page. A principal that is none of the three sees nothing.
func (s *Store) ListOpenCatalogCorrections(ctx context.Context, f OpenCatalogCorrectionFilter) ([]OpenCatalogCorrection, string, error) {
	// A citizen sees its own applications only, whatever department it is also given.
	sees := []columnValue{{"citizen_subject", f.CitizenSubject}}
	if f.CitizenSubject == "" {
		sees = []columnValue{{"provider_dept_id", f.DepartmentID}}
	}
	return openCatalogCorrections.list(ctx, s, caseQuery{seesAll: f.SeesAll, sees: sees, status: f.Status,
		limit: f.Limit, cursor: f.Cursor})
}

// ApplyOpenCatalogChange writes value into field of the published resource through the
// catalog's revision path (Revise, UpdateDraft, Submit, Publish), so that the change is a new
// catalog version like any other. It is idempotent: each step resumes from the state a failed
// earlier call left, and once the published content carries the value it returns the current
// version without writing. A revision opened by someone else is not overwritten: that is
// ErrInvalidState, for the caller to retry after it was published.
func (s *Store) ApplyOpenCatalogChange(ctx context.Context, resourceID int64, field, value, actor string) (int, error) {
	for range 5 { // at most revise, update, submit, publish, then the check that it is done
		r, err := s.GetResource(ctx, resourceID)
		if err != nil {
			return 0, err
		}
		published := r.ResourceContent
		target := published
		p := OpenCatalogField(&target, field)
		if p == nil {
			return 0, fmt.Errorf("change open catalog of resource %d: %w", resourceID, &ValidationError{Fields: map[string]string{"field": "不是开放目录的内容字段"}})
		}
		*p = value
		rev, pending, err := r.Revision()
		if err != nil {
			return 0, err
		}
		switch {
		case r.Status != StatusPublished:
			// Retrying will not publish it again: the change cannot be made.
			return 0, fmt.Errorf("change open catalog of resource %d: it is %s, not published: %w", resourceID, r.Status, ErrInvalid)
		case !pending && published == target:
			return r.Version, nil
		case !pending:
			_, err = s.Revise(ctx, resourceID, r.Version, actor)
		case rev != target && rev != published:
			return 0, fmt.Errorf("change open catalog of resource %d: another revision is %s: %w", resourceID, r.RevisionStatus, ErrInvalidState)
		case r.RevisionStatus == StatusDraft && rev != target:
			_, err = s.UpdateDraft(ctx, resourceID, r.Version, func(c *CatalogResource) { *OpenCatalogField(&c.ResourceContent, field) = value }, actor)
		case r.RevisionStatus == StatusDraft:
			_, err = s.Submit(ctx, resourceID, r.Version, actor)
		case r.RevisionStatus == StatusSubmitted && rev == target:
			_, err = s.Publish(ctx, resourceID, r.Version, actor)
		default:
			return 0, fmt.Errorf("change open catalog of resource %d: a submitted revision without the change: %w", resourceID, ErrInvalidState)
		}
		// A concurrent writer moved the version: read again and resume.
		if err != nil && !errors.Is(err, ErrConflict) {
			return 0, err
		}
	}
	return 0, fmt.Errorf("change open catalog of resource %d: still not published after every step: %w", resourceID, ErrConflict)
}
