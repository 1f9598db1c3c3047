package worker

import (
	"context"
	"errors"
	"fmt"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/models"
)

// catalogUpdateProjection writes catalog updates and changes the catalog for them through
// the models store, for the same reason projection exists: workflow code never links GORM.
type catalogUpdateProjection struct {
	store *models.Store
}

var _ activities.CatalogUpdateStore = catalogUpdateProjection{}

func (p catalogUpdateProjection) SaveCatalogUpdate(ctx context.Context, in activities.ProjectCatalogUpdateInput) error {
	return saveRow(ctx, in, p.store.UpsertCatalogUpdate)
}

func (p catalogUpdateProjection) LinkCatalogUpdate(ctx context.Context, in activities.LinkCatalogUpdateInput) ([]activities.LinkedVersion, error) {
	versions := make([]models.ResourceVersion, 0, len(in.Versions))
	for _, v := range in.Versions {
		versions = append(versions, models.ResourceVersion{ResourceID: v.ResourceID, Version: v.Version})
	}
	links, err := p.store.LinkCatalogUpdate(ctx, in.UpdateID, in.Round, in.DepartmentID, in.Actor, versions)
	if err != nil {
		return nil, catalogRejected(err)
	}
	return linkedVersions(links), nil
}

func (p catalogUpdateProjection) PublishCatalogUpdate(ctx context.Context, in activities.CatalogReviewInput) ([]activities.LinkedVersion, error) {
	links, err := p.store.PublishCatalogUpdate(ctx, in.UpdateID, in.Round, in.Actor)
	if err != nil {
		return nil, catalogRejected(err)
	}
	return linkedVersions(links), nil
}

func (p catalogUpdateProjection) ReturnCatalogUpdate(ctx context.Context, in activities.CatalogReviewInput) error {
	_, err := p.store.ReturnCatalogUpdate(ctx, in.UpdateID, in.Round, in.Actor, in.Reason)
	return catalogRejected(err)
}

// catalogRejected marks what a retry cannot change: invalid input, and a resource whose
// state or version no longer allows the change.
func catalogRejected(err error) error {
	if err != nil && (errors.Is(err, models.ErrInvalid) || errors.Is(err, models.ErrInvalidState) || errors.Is(err, models.ErrConflict)) {
		return fmt.Errorf("%w: %w", activities.ErrRejected, err)
	}
	return err
}

func linkedVersions(links []models.CatalogUpdateResource) []activities.LinkedVersion {
	out := make([]activities.LinkedVersion, 0, len(links))
	for _, l := range links {
		out = append(out, activities.LinkedVersion{ResourceID: l.ResourceID, Version: l.Version})
	}
	return out
}
