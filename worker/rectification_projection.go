package worker

import (
	"context"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/models"
)

// rectificationProjection writes rectification notices through the models store and reads
// back the time limit a notice fixed, for the deadline activity.
type rectificationProjection struct {
	store *models.Store
}

var (
	_ activities.RectificationStore = rectificationProjection{}
	_ activities.OrderedTimeLimits  = rectificationProjection{}
)

func (p rectificationProjection) SaveRectification(ctx context.Context, in activities.ProjectRectificationInput) error {
	return saveRow(ctx, in, p.store.UpsertRectification)
}

func (p rectificationProjection) OrderedWorkdays(ctx context.Context, workflowID string) (int, bool, error) {
	return p.store.RectificationWorkdays(ctx, workflowID)
}
