package models

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// A published resource cannot become a draft again without vanishing from the catalog other
// departments read, so a change to it (a catalog update after a law was revised, 目录更新) is
// a revision (修订): a copy of the content that the department edits and submits while the
// resource stays published as it was; publishing the revision copies it over in one step. The
// draft-to-published cycle of a revision uses the same store calls as a new resource's:
// UpdateDraft, Submit, Publish and Return act on the revision when the resource is published.

// Revise opens a draft revision of a published resource, a copy of its published content.
func (s *Store) Revise(ctx context.Context, id int64, expectedVersion int, actor string) (*CatalogResource, error) {
	return s.transition(ctx, transition{
		id: id, expectedVersion: expectedVersion, actor: actor,
		verb: "revise", action: ActionRevised, from: StatusPublished, to: StatusPublished,
		apply: func(_ *gorm.DB, r *CatalogResource, _ time.Time) (bool, error) {
			if r.RevisionStatus != "" {
				return false, fmt.Errorf("a revision is already %s: %w", r.RevisionStatus, ErrInvalidState)
			}
			if err := r.setRevision(StatusDraft, r.ResourceContent); err != nil {
				return false, err
			}
			return true, nil
		},
	})
}

func (r *CatalogResource) setRevision(status ResourceStatus, c ResourceContent) error {
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode revision of catalog resource %d: %w", r.ID, err)
	}
	content := string(b)
	r.RevisionStatus, r.RevisionContent = status, &content
	return nil
}

// revisionIn reads the pending revision of r, which must be in status want.
func revisionIn(r *CatalogResource, want ResourceStatus, verb string) (ResourceContent, error) {
	c, ok, err := r.Revision()
	switch {
	case err != nil:
		return c, err
	case !ok:
		return c, fmt.Errorf("status is published with no revision, %s needs a %s revision: %w", verb, want, ErrInvalidState)
	case r.RevisionStatus != want:
		return c, fmt.Errorf("the revision is %s, %s needs %s: %w", r.RevisionStatus, verb, want, ErrInvalidState)
	}
	return c, nil
}

func updateRevisionTransition(ctx context.Context, id int64, expectedVersion int, patch func(*CatalogResource), actor string) transition {
	return transition{
		id: id, expectedVersion: expectedVersion, actor: actor,
		verb: "update", action: ActionRevisionUpdated, from: StatusPublished, to: StatusPublished,
		apply: func(tx *gorm.DB, r *CatalogResource, _ time.Time) (bool, error) {
			current, err := revisionIn(r, StatusDraft, "update")
			if err != nil {
				return false, err
			}
			edited := *r
			edited.ResourceContent = current
			patch(&edited)
			if edited.ResourceContent == current {
				return false, nil
			}
			// The code names the entry for good; a new code is a new resource.
			if edited.Code != r.Code {
				return false, invalidField("code", "修订不能改变资源代码")
			}
			if edited.ProviderDeptID != current.ProviderDeptID {
				if err := checkProvider(ctx, tx, edited.ProviderDeptID); err != nil {
					return false, err
				}
			}
			if err := edited.validationError(); err != nil {
				return false, err
			}
			return true, r.setRevision(StatusDraft, edited.ResourceContent)
		},
	}
}

func submitRevisionTransition(id int64, expectedVersion int, actor string) transition {
	return transition{
		id: id, expectedVersion: expectedVersion, actor: actor,
		verb: "submit", action: ActionRevisionSubmitted, from: StatusPublished, to: StatusPublished,
		apply: func(_ *gorm.DB, r *CatalogResource, t time.Time) (bool, error) {
			c, err := revisionIn(r, StatusDraft, "submit")
			if err != nil {
				return false, err
			}
			// Rules may have tightened since the revision was written.
			check := CatalogResource{ResourceContent: c}
			if err := check.validationError(); err != nil {
				return false, err
			}
			r.SubmittedAt = &t
			return true, r.setRevision(StatusSubmitted, c)
		},
	}
}

func publishRevisionTransition(id int64, expectedVersion int, actor string) transition {
	return transition{
		id: id, expectedVersion: expectedVersion, actor: actor,
		verb: "publish", action: ActionPublished, from: StatusPublished, to: StatusPublished,
		apply: func(_ *gorm.DB, r *CatalogResource, t time.Time) (bool, error) {
			c, err := revisionIn(r, StatusSubmitted, "publish")
			if err != nil {
				return false, err
			}
			r.ResourceContent = c
			r.RevisionStatus, r.RevisionContent = "", nil
			r.PublishedAt = &t
			return true, nil
		},
	}
}

func returnRevisionTransition(id int64, expectedVersion int, actor, reason string) transition {
	return transition{
		id: id, expectedVersion: expectedVersion, actor: actor, reason: reason, reasonRequired: true,
		verb: "return", action: ActionRevisionReturned, from: StatusPublished, to: StatusPublished,
		apply: func(_ *gorm.DB, r *CatalogResource, _ time.Time) (bool, error) {
			c, err := revisionIn(r, StatusSubmitted, "return")
			if err != nil {
				return false, err
			}
			r.ReturnReason = reason
			return true, r.setRevision(StatusDraft, c)
		},
	}
}

// underRevision reports whether the resource's next draft step acts on a revision: it is
// published. The transition checks again under the row lock.
func (s *Store) underRevision(ctx context.Context, id int64) (bool, error) {
	r, err := s.GetResource(ctx, id)
	if err != nil {
		return false, err
	}
	return r.Status == StatusPublished, nil
}
