package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// CreateResource stores r as a new draft at version 1 and records the "created" revision.
// On return r holds the stored row, including its id. Invalid content is a *ValidationError;
// a taken code is ErrConflict.
func (s *Store) CreateResource(ctx context.Context, r *CatalogResource, actor string) error {
	if isBlank(actor) {
		return fmt.Errorf("create catalog resource: actor is required: %w", ErrInvalid)
	}
	if err := r.validationError(); err != nil {
		return fmt.Errorf("create catalog resource: %w", err)
	}
	t := now()
	rec := CatalogResource{
		ResourceContent: r.ResourceContent,
		Status:          StatusDraft,
		Version:         1,
		CreatedBy:       actor,
		UpdatedBy:       actor,
		CreatedAt:       t,
		UpdatedAt:       t,
	}
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := checkProvider(ctx, tx, rec.ProviderDeptID); err != nil {
			return err
		}
		if err := tx.Create(&rec).Error; err != nil {
			if isDuplicateKey(err) {
				return fmt.Errorf("code %q already exists: %w", rec.Code, ErrConflict)
			}
			return dbError(err, "insert")
		}
		return appendVersion(tx, &rec, ActionCreated, actor, "", t)
	})
	if err != nil {
		return fmt.Errorf("create catalog resource %q: %w", r.Code, err)
	}
	*r = rec
	return nil
}

// GetResource returns the catalog resource with the given id, or ErrNotFound. It applies no
// visibility rule; see Viewer.CanSee.
func (s *Store) GetResource(ctx context.Context, id int64) (*CatalogResource, error) {
	var r CatalogResource
	if err := s.db.WithContext(ctx).Where("id = ?", id).Take(&r).Error; err != nil {
		return nil, dbError(err, "load catalog resource %d", id)
	}
	return &r, nil
}

// UpdateDraft changes the content of a draft. patch receives a copy of the current row; only
// its content fields (ResourceContent) are kept, so status, version and audit fields cannot
// be changed through it. expectedVersion 0 skips the optimistic check; a different current
// version is ErrConflict. A patch that changes nothing creates no revision.
func (s *Store) UpdateDraft(ctx context.Context, id int64, expectedVersion int, patch func(*CatalogResource), actor string) (*CatalogResource, error) {
	if patch == nil {
		return nil, fmt.Errorf("update catalog resource %d: nil patch: %w", id, ErrInvalid)
	}
	if rev, err := s.underRevision(ctx, id); err != nil || rev {
		if err != nil {
			return nil, fmt.Errorf("update catalog resource %d: %w", id, err)
		}
		return s.transition(ctx, updateRevisionTransition(ctx, id, expectedVersion, patch, actor))
	}
	return s.transition(ctx, transition{
		id: id, expectedVersion: expectedVersion, actor: actor,
		verb: "update", action: ActionUpdated, from: StatusDraft, to: StatusDraft,
		apply: func(tx *gorm.DB, r *CatalogResource, _ time.Time) (bool, error) {
			edited := *r
			patch(&edited)
			if edited.ResourceContent == r.ResourceContent {
				return false, nil
			}
			if edited.ProviderDeptID != r.ProviderDeptID {
				if err := checkProvider(ctx, tx, edited.ProviderDeptID); err != nil {
					return false, err
				}
			}
			r.ResourceContent = edited.ResourceContent
			return true, r.validationError()
		},
	})
}

// Submit sends a draft to the data authority for review (draft → submitted), or the draft
// revision of a published resource.
func (s *Store) Submit(ctx context.Context, id int64, expectedVersion int, actor string) (*CatalogResource, error) {
	return s.eitherTransition(ctx, id, submitTransition(id, expectedVersion, actor), submitRevisionTransition(id, expectedVersion, actor))
}

func submitTransition(id int64, expectedVersion int, actor string) transition {
	return transition{
		id: id, expectedVersion: expectedVersion, actor: actor,
		verb: "submit", action: ActionSubmitted, from: StatusDraft, to: StatusSubmitted,
		apply: func(_ *gorm.DB, r *CatalogResource, t time.Time) (bool, error) {
			r.SubmittedAt = &t
			// Drafts were validated when written, but rules may have tightened since.
			return true, r.validationError()
		},
	}
}

// Publish puts a submitted resource into the catalog (submitted → published); it is the
// authority's approval of the entry (辽宁 第十条). A published resource's submitted revision
// becomes its published content.
func (s *Store) Publish(ctx context.Context, id int64, expectedVersion int, actor string) (*CatalogResource, error) {
	return s.eitherTransition(ctx, id, publishTransition(id, expectedVersion, actor), publishRevisionTransition(id, expectedVersion, actor))
}

func publishTransition(id int64, expectedVersion int, actor string) transition {
	return transition{
		id: id, expectedVersion: expectedVersion, actor: actor,
		verb: "publish", action: ActionPublished, from: StatusSubmitted, to: StatusPublished,
		apply: func(_ *gorm.DB, r *CatalogResource, t time.Time) (bool, error) {
			r.PublishedAt = &t
			return true, nil
		},
	}
}

// Return sends a submitted resource back to its department as a draft with the authority's
// reason (submitted → draft), or a published resource's submitted revision back to a draft
// revision. The reason is required.
func (s *Store) Return(ctx context.Context, id int64, expectedVersion int, actor, reason string) (*CatalogResource, error) {
	return s.eitherTransition(ctx, id, returnTransition(id, expectedVersion, actor, reason), returnRevisionTransition(id, expectedVersion, actor, reason))
}

func returnTransition(id int64, expectedVersion int, actor, reason string) transition {
	return transition{
		id: id, expectedVersion: expectedVersion, actor: actor, reason: reason, reasonRequired: true,
		verb: "return", action: ActionReturned, from: StatusSubmitted, to: StatusDraft,
		apply: func(_ *gorm.DB, r *CatalogResource, _ time.Time) (bool, error) {
			r.ReturnReason = reason
			return true, nil
		},
	}
}

// Retire withdraws a published resource from the catalog (published → retired). The reason
// is required.
func (s *Store) Retire(ctx context.Context, id int64, expectedVersion int, actor, reason string) (*CatalogResource, error) {
	return s.transition(ctx, transition{
		id: id, expectedVersion: expectedVersion, actor: actor, reason: reason, reasonRequired: true,
		verb: "retire", action: ActionRetired, from: StatusPublished, to: StatusRetired,
		apply: func(_ *gorm.DB, r *CatalogResource, _ time.Time) (bool, error) {
			// A revision in progress dies with the entry; an update that linked it finds the
			// resource retired and leaves it out.
			r.RevisionStatus, r.RevisionContent = "", nil
			return true, nil
		},
	})
}

// ListResourceVersions returns the revisions of a resource, oldest first, or ErrNotFound when
// the resource does not exist.
func (s *Store) ListResourceVersions(ctx context.Context, id int64) ([]CatalogResourceVersion, error) {
	if _, err := s.GetResource(ctx, id); err != nil {
		return nil, fmt.Errorf("list versions: %w", err)
	}
	var out []CatalogResourceVersion
	err := s.db.WithContext(ctx).Where("resource_id = ?", id).Order("version").Find(&out).Error
	if err != nil {
		return nil, dbError(err, "list versions of catalog resource %d", id)
	}
	return out, nil
}

// transition is one change of a catalog resource: guarded by status and expected version,
// applied under a row lock, and recorded as a new revision in the same transaction.
type transition struct {
	id              int64
	expectedVersion int
	actor           string
	reason          string
	reasonRequired  bool
	verb            string
	action          VersionAction
	from, to        ResourceStatus
	// apply changes r in place and reports whether anything changed.
	apply func(tx *gorm.DB, r *CatalogResource, t time.Time) (bool, error)
}

func (s *Store) transition(ctx context.Context, tr transition) (*CatalogResource, error) {
	wrap := func(err error) error {
		return fmt.Errorf("%s catalog resource %d: %w", tr.verb, tr.id, err)
	}
	switch {
	case isBlank(tr.actor):
		return nil, wrap(fmt.Errorf("actor is required: %w", ErrInvalid))
	case tr.expectedVersion < 0:
		return nil, wrap(invalidField("version", "版本号不能为负数"))
	case tr.reasonRequired && isBlank(tr.reason):
		return nil, wrap(invalidField("reason", "必须说明理由"))
	}
	if f := (map[string]string{}); checkText(f, "reason", tr.reason, maxReasonText, false) {
		return nil, wrap(&ValidationError{Fields: f})
	}

	var out CatalogResource
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var err error
		out, err = tr.applyIn(tx)
		return err
	})
	if err != nil {
		return nil, wrap(err)
	}
	return &out, nil
}

// eitherTransition applies the revision's transition to a published resource, the plain one
// to any other.
func (s *Store) eitherTransition(ctx context.Context, id int64, plain, revision transition) (*CatalogResource, error) {
	rev, err := s.underRevision(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("%s catalog resource %d: %w", plain.verb, id, err)
	}
	if rev {
		return s.transition(ctx, revision)
	}
	return s.transition(ctx, plain)
}

// applyIn applies the transition inside tx: the row is locked, the status and version
// checked, the change written and its revision recorded. A catalog update applies several in
// one transaction.
func (tr transition) applyIn(tx *gorm.DB) (CatalogResource, error) {
	var r CatalogResource
	if err := forUpdate(tx).Where("id = ?", tr.id).Take(&r).Error; err != nil {
		return CatalogResource{}, dbError(err, "load")
	}
	if tr.expectedVersion != 0 && r.Version != tr.expectedVersion {
		return CatalogResource{}, fmt.Errorf("expected version %d, current version is %d: %w", tr.expectedVersion, r.Version, ErrConflict)
	}
	if r.Status != tr.from {
		return CatalogResource{}, fmt.Errorf("status is %s, %s needs %s: %w", r.Status, tr.verb, tr.from, ErrInvalidState)
	}
	t := now()
	changed, err := tr.apply(tx, &r, t)
	if err != nil {
		return CatalogResource{}, err
	}
	if !changed {
		return r, nil
	}
	prev := r.Version
	r.Status = tr.to
	r.Version = prev + 1
	r.UpdatedBy = tr.actor
	r.UpdatedAt = t
	// The version guard is redundant with the row lock on MySQL and with SQLite's single
	// writer, but it makes a lost update impossible even if both were missing.
	res := tx.Model(&r).Select("*").Omit("id", "created_at", "created_by").
		Where("version = ?", prev).Updates(&r)
	if res.Error != nil {
		return CatalogResource{}, dbError(res.Error, "update")
	}
	if res.RowsAffected != 1 {
		return CatalogResource{}, fmt.Errorf("changed concurrently: %w", ErrConflict)
	}
	if err := appendVersion(tx, &r, tr.action, tr.actor, tr.reason, t); err != nil {
		return CatalogResource{}, err
	}
	return r, nil
}

// appendVersion records the revision r is now at; a revision action records the pending
// revision's content and status.
func appendVersion(tx *gorm.DB, r *CatalogResource, action VersionAction, actor, reason string, t time.Time) error {
	snap, err := r.snapshot()
	if err != nil {
		return err
	}
	status := r.Status
	if isRevisionAction(action) && r.RevisionContent != nil {
		snap, status = *r.RevisionContent, r.RevisionStatus
	}
	v := CatalogResourceVersion{
		ResourceID: r.ID,
		Version:    r.Version,
		Action:     action,
		Status:     status,
		Snapshot:   snap,
		Actor:      actor,
		Reason:     reason,
		CreatedAt:  t,
	}
	if err := tx.Create(&v).Error; err != nil {
		return dbError(err, "record version %d", r.Version)
	}
	return nil
}

// checkProvider turns an unknown providing department into a field error rather than a
// foreign-key failure.
func checkProvider(ctx context.Context, tx *gorm.DB, id string) error {
	ok, err := departmentExists(ctx, tx, id)
	if err != nil {
		return err
	}
	if !ok {
		return invalidField("provider_dept_id", fmt.Sprintf("提供单位 %q 不存在", id))
	}
	return nil
}
