package models

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Catalog update statuses (目录更新状态), as CatalogUpdateWorkflow projects them.
const (
	CatalogUpdateUpdating  = "updating"  // the department edits and submits its catalog
	CatalogUpdateReviewing = "reviewing" // the authority reviews the submission
	CatalogUpdateReporting = "reporting" // published; the county reports it to the city (内乡 第二十三条)
	CatalogUpdatePublished = "published" // final
)

var catalogUpdateStatuses = map[string]bool{
	CatalogUpdateUpdating: true, CatalogUpdateReviewing: true, CatalogUpdateReporting: true, CatalogUpdatePublished: true,
}

// CatalogUpdate is a department's catalog update after a law was revised or its duties
// changed (目录更新): the projection of its workflow's state, written only by activities,
// replaced whole and only by a higher Revision.
type CatalogUpdate struct {
	ID           string `gorm:"column:id;primaryKey"`
	DepartmentID string `gorm:"column:department_id"`
	// FormJSON is what the reporter wrote (trigger, basis: the revised law or the decision
	// that changed the duties, changed_on: the day it took effect), a JSON object the API
	// reads whole: the read model neither filters nor sorts by it.
	FormJSON           string `gorm:"column:form"`
	InitiatorSubject   string `gorm:"column:initiator_subject"`
	OrderedByAuthority bool   `gorm:"column:ordered_by_authority"`
	Status             string `gorm:"column:status"`
	// CurrentStep is update, review or report_to_city.
	CurrentStep string     `gorm:"column:current_step"`
	DueAt       *time.Time `gorm:"column:due_at"`
	// LegalBasisJSON is the current step's citations, a JSON list of strings.
	LegalBasisJSON string `gorm:"column:legal_basis"`
	// LocalDefault: the open step's deadline is local practice, not law.
	LocalDefault bool `gorm:"column:local_default"`
	// ResponsibilityListUpdated: the authority updated the 责任清单 with the catalog (内乡
	// 第二十二条).
	ResponsibilityListUpdated bool       `gorm:"column:responsibility_list_updated"`
	WorkflowID                string     `gorm:"column:workflow_id"`
	Revision                  int        `gorm:"column:revision"`
	CreatedAt                 time.Time  `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt                 time.Time  `gorm:"column:updated_at;autoUpdateTime:false"`
	ClosedAt                  *time.Time `gorm:"column:closed_at"`
}

// TableName pins the table name independently of GORM's naming strategy.
func (CatalogUpdate) TableName() string { return "catalog_updates" }

// Validate returns invalid fields by column name.
func (u *CatalogUpdate) Validate() map[string]string {
	f := map[string]string{}
	checkCase(f, u.ID, u.Revision, u.WorkflowID, u.CurrentStep, u.CreatedAt)
	checkText(f, "department_id", u.DepartmentID, 64, true)
	checkText(f, "initiator_subject", u.InitiatorSubject, 128, false)
	if !catalogUpdateStatuses[u.Status] {
		f["status"] = "未知的目录更新状态"
	}
	return f
}

// CatalogUpdateResource links one catalog revision to a submission (round) of an update.
type CatalogUpdateResource struct {
	CatalogUpdateID string `gorm:"column:catalog_update_id;primaryKey"`
	Round           int    `gorm:"column:round;primaryKey"`
	ResourceID      int64  `gorm:"column:resource_id;primaryKey"`
	// Version is the submitted revision.
	Version     int        `gorm:"column:version"`
	CreatedAt   time.Time  `gorm:"column:created_at;autoCreateTime:false"`
	PublishedAt *time.Time `gorm:"column:published_at"`
	ReturnedAt  *time.Time `gorm:"column:returned_at"`
}

// TableName pins the table name independently of GORM's naming strategy.
func (CatalogUpdateResource) TableName() string { return "catalog_update_resources" }

// GetCatalogUpdate returns the update with the given id, or ErrNotFound.
func (s *Store) GetCatalogUpdate(ctx context.Context, id string) (*CatalogUpdate, error) {
	return catalogUpdates.get(ctx, s, id)
}

// UpsertCatalogUpdate stores u unless the stored row has the same or a higher revision;
// applied reports whether u was written. Invalid fields are a *ValidationError.
func (s *Store) UpsertCatalogUpdate(ctx context.Context, u CatalogUpdate) (applied bool, err error) {
	return catalogUpdates.upsert(ctx, s, &u)
}

// A published update is never overdue.
var catalogUpdates = caseTable[CatalogUpdate, *CatalogUpdate]{what: "catalog update", cursor: "u1:",
	statuses: catalogUpdateStatuses, unknownStatus: "未知的目录更新状态", final: []string{CatalogUpdatePublished},
	emptyJSON: map[string]string{"legal_basis": "[]", "form": "{}"}}

// ResourceVersion names one revision of a catalog resource.
type ResourceVersion struct {
	ResourceID int64
	Version    int
}

// LinkCatalogUpdate submits the department's listed revisions and links them to round of
// the update, in one transaction: a draft at the listed version is submitted (its version
// goes up by one, the revision the link names), a resource already submitted at the listed
// version is linked as it is. A round already linked returns its links, so a retried call is
// harmless. A resource that does not exist, is another department's, or is not at the listed
// version as a draft or submission is a *ValidationError naming resource_versions, and
// nothing is linked.
func (s *Store) LinkCatalogUpdate(ctx context.Context, updateID string, round int, departmentID, actor string, versions []ResourceVersion) ([]CatalogUpdateResource, error) {
	wrap := func(err error) error {
		return fmt.Errorf("link round %d of catalog update %q: %w", round, updateID, err)
	}
	if len(versions) == 0 {
		return nil, wrap(invalidField("resource_versions", "至少提交一个目录资源"))
	}
	var out []CatalogUpdateResource
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("catalog_update_id = ? AND round = ?", updateID, round).Order("resource_id").Find(&out).Error; err != nil {
			return dbError(err, "load links")
		}
		if len(out) > 0 {
			return nil
		}
		t := now()
		for _, v := range versions {
			var r CatalogResource
			err := forUpdate(tx).Where("id = ?", v.ResourceID).Take(&r).Error
			switch {
			case errors.Is(err, gorm.ErrRecordNotFound):
				return invalidField("resource_versions", fmt.Sprintf("目录资源 %d 不存在", v.ResourceID))
			case err != nil:
				return dbError(err, "load catalog resource %d", v.ResourceID)
			case r.ProviderDeptID != departmentID:
				return invalidField("resource_versions", fmt.Sprintf("目录资源 %d 不属于部门 %s", v.ResourceID, departmentID))
			case r.Version != v.Version:
				return invalidField("resource_versions", fmt.Sprintf("目录资源 %d 当前为第 %d 版，而非第 %d 版", v.ResourceID, r.Version, v.Version))
			}
			linked := r.Version
			switch r.Status {
			case StatusDraft:
				submitted, err := submitTransition(r.ID, v.Version, actor).applyIn(tx)
				if err != nil {
					return err
				}
				linked = submitted.Version
			case StatusSubmitted:
			case StatusPublished:
				// A published resource takes part through its revision (catalog_revision.go).
				switch r.RevisionStatus {
				case StatusDraft:
					submitted, err := submitRevisionTransition(r.ID, v.Version, actor).applyIn(tx)
					if err != nil {
						return err
					}
					linked = submitted.Version
				case StatusSubmitted:
				default:
					return invalidField("resource_versions", fmt.Sprintf("目录资源 %d 已发布且没有修订稿：先修订（revise）再提交", v.ResourceID))
				}
			default:
				return invalidField("resource_versions", fmt.Sprintf("目录资源 %d 的状态为 %s，只有草稿或已提交的版本可以作为目录更新提交", v.ResourceID, r.Status))
			}
			out = append(out, CatalogUpdateResource{CatalogUpdateID: updateID, Round: round, ResourceID: r.ID, Version: linked, CreatedAt: t})
		}
		if err := tx.Create(&out).Error; err != nil {
			return dbError(err, "insert links")
		}
		return nil
	})
	if err != nil {
		return nil, wrap(err)
	}
	return out, nil
}

// PublishCatalogUpdate publishes every revision linked to round of the update at once, in
// one transaction: other departments see the whole update or none of it. Links already
// published are skipped, so a retried call is harmless. A linked revision that is no longer
// the submitted one (changed outside the update) is a *ValidationError, and nothing is
// published.
func (s *Store) PublishCatalogUpdate(ctx context.Context, updateID string, round int, actor string) ([]CatalogUpdateResource, error) {
	return s.reviewLinks(ctx, updateID, round, "publish", func(tx *gorm.DB, l *CatalogUpdateResource, t time.Time) error {
		tr := publishTransition(l.ResourceID, l.Version, actor)
		if rev, err := revisionLinked(tx, l); err != nil {
			return err
		} else if rev {
			tr = publishRevisionTransition(l.ResourceID, l.Version, actor)
		}
		if _, err := tr.applyIn(tx); err != nil {
			return linkChanged(l, err)
		}
		l.PublishedAt = &t
		return nil
	})
}

// ReturnCatalogUpdate returns every revision linked to round of the update to the
// department as a draft with the reason, in one transaction; links already returned are
// skipped, and so is a revision changed outside the update meanwhile (returned or
// published through the catalog): it is no longer the update's to return. A return never
// fails on the catalog's state, so a refused publication can always fall back to it.
func (s *Store) ReturnCatalogUpdate(ctx context.Context, updateID string, round int, actor, reason string) ([]CatalogUpdateResource, error) {
	if f := (map[string]string{}); checkText(f, "reason", reason, maxReasonText, true) {
		return nil, fmt.Errorf("return round %d of catalog update %q: %w", round, updateID, &ValidationError{Fields: f})
	}
	return s.reviewLinks(ctx, updateID, round, "return", func(tx *gorm.DB, l *CatalogUpdateResource, t time.Time) error {
		tr := returnTransition(l.ResourceID, l.Version, actor, reason)
		if rev, err := revisionLinked(tx, l); err != nil {
			return err
		} else if rev {
			tr = returnRevisionTransition(l.ResourceID, l.Version, actor, reason)
		}
		if _, err := tr.applyIn(tx); err != nil && !movedOn(err) {
			return err
		}
		l.ReturnedAt = &t
		return nil
	})
}

// reviewLinks applies the authority's decision to each undecided link of a round in one
// transaction.
func (s *Store) reviewLinks(ctx context.Context, updateID string, round int, verb string,
	apply func(tx *gorm.DB, l *CatalogUpdateResource, t time.Time) error) ([]CatalogUpdateResource, error) {
	var links []CatalogUpdateResource
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := forUpdate(tx).Where("catalog_update_id = ? AND round = ?", updateID, round).Order("resource_id").Find(&links).Error; err != nil {
			return dbError(err, "load links")
		}
		if len(links) == 0 {
			return invalidField("round", fmt.Sprintf("第 %d 轮没有提交的目录资源", round))
		}
		t := now()
		for i := range links {
			l := &links[i]
			if l.PublishedAt != nil || l.ReturnedAt != nil {
				continue
			}
			if err := apply(tx, l, t); err != nil {
				return err
			}
			if err := tx.Model(l).Select("published_at", "returned_at").Updates(l).Error; err != nil {
				return dbError(err, "mark link of catalog resource %d", l.ResourceID)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s round %d of catalog update %q: %w", verb, round, updateID, err)
	}
	return links, nil
}

// revisionLinked reports whether the link is a published resource's revision: the resource
// is published. The transition checks the rest under the row lock.
func revisionLinked(tx *gorm.DB, l *CatalogUpdateResource) (bool, error) {
	var r CatalogResource
	if err := tx.Select("id", "status").Where("id = ?", l.ResourceID).Take(&r).Error; err != nil {
		return false, linkChanged(l, dbError(err, "load catalog resource %d", l.ResourceID))
	}
	return r.Status == StatusPublished, nil
}

// movedOn reports a transition refused because the revision is no longer the linked one.
func movedOn(err error) bool {
	return errors.Is(err, ErrConflict) || errors.Is(err, ErrInvalidState) || errors.Is(err, ErrNotFound)
}

// linkChanged turns a failed transition of a linked revision (edited, returned or published
// outside the update) into a field error: retrying cannot help.
func linkChanged(l *CatalogUpdateResource, err error) error {
	if movedOn(err) {
		return invalidField("resource_versions", fmt.Sprintf("目录资源 %d 第 %d 版已在本次更新之外被改动: %v", l.ResourceID, l.Version, err))
	}
	return err
}

// ListCatalogUpdateResources returns the links of an update, by round and resource.
func (s *Store) ListCatalogUpdateResources(ctx context.Context, updateID string) ([]CatalogUpdateResource, error) {
	var out []CatalogUpdateResource
	err := s.db.WithContext(ctx).Where("catalog_update_id = ?", updateID).Order("round").Order("resource_id").Find(&out).Error
	if err != nil {
		return nil, dbError(err, "list resources of catalog update %q", updateID)
	}
	return out, nil
}

// CatalogUpdateFilter selects the updates a principal may see: its department's, or every
// update (SeesAll: the data authority).
type CatalogUpdateFilter struct {
	DepartmentID string
	SeesAll      bool
	Status       string // one of the CatalogUpdate* statuses; "" for every status
	// Overdue selects updates whose open step is past its deadline (true) or not (false); nil
	// for both. Now is the instant compared with; the zero time means the current time.
	Overdue *bool
	Now     time.Time
	Limit   int
	Cursor  string
}

// ListCatalogUpdates returns one page of the updates matching f, newest first (ids sort by
// time of creation), and the cursor of the next page. A malformed status or cursor is a
// *ValidationError.
func (s *Store) ListCatalogUpdates(ctx context.Context, f CatalogUpdateFilter) (items []CatalogUpdate, next string, err error) {
	return catalogUpdates.list(ctx, s, caseQuery{seesAll: f.SeesAll, sees: sameValue(f.DepartmentID, "department_id"),
		status: f.Status, overdue: f.Overdue, now: f.Now, limit: f.Limit, cursor: f.Cursor})
}
