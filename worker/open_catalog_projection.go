package worker

import (
	"context"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/models"
)

// openCatalogProjection writes open-catalog corrections (开放目录更正) and the approved change
// of the open catalog through the models store.
type openCatalogProjection struct {
	store *models.Store
}

var _ activities.OpenCatalogStore = openCatalogProjection{}

func (p openCatalogProjection) SaveOpenCatalogCorrection(ctx context.Context, in activities.ProjectOpenCatalogCorrectionInput) error {
	return saveRow(ctx, in, p.store.UpsertOpenCatalogCorrection)
}

// ApplyOpenCatalogCorrection: a catalog that refuses the value (ErrInvalid) will refuse it on
// every retry; a revision of someone else's in the way (ErrInvalidState) may be published
// meanwhile, so that one is retried.
func (p openCatalogProjection) ApplyOpenCatalogCorrection(ctx context.Context, in activities.ApplyOpenCatalogCorrectionInput) (int, error) {
	v, err := p.store.ApplyOpenCatalogChange(ctx, in.ResourceID, in.Field, in.ProposedValue, in.Actor)
	return v, rejected(err)
}

// interfaceProjection writes interface requirements (服务接口, 内乡 第十三条).
type interfaceProjection struct {
	store *models.Store
}

var _ activities.InterfaceStore = interfaceProjection{}

func (p interfaceProjection) SaveInterfaceRequirement(ctx context.Context, in activities.ProjectInterfaceRequirementInput) error {
	return saveRow(ctx, in, p.store.UpsertInterfaceRequirement)
}
