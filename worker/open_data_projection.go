package worker

import (
	"context"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/models"
)

// openDataProjection writes open-data requests through the models store, for the same reason
// projection exists: workflow code never links GORM.
type openDataProjection struct {
	store *models.Store
}

var _ activities.OpenDataStore = openDataProjection{}

func (p openDataProjection) SaveOpenDataRequest(ctx context.Context, in activities.ProjectOpenDataRequestInput) error {
	return saveRow(ctx, in, p.store.UpsertOpenDataRequest)
}
