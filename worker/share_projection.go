package worker

import (
	"context"
	"errors"
	"fmt"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/models"
)

// shareProjection writes share requests and grants through the models store, for the same
// reason projection exists: workflow code never links GORM.
type shareProjection struct {
	store *models.Store
}

var _ activities.ShareStore = shareProjection{}

func (p shareProjection) SaveShareRequest(ctx context.Context, in activities.ProjectShareRequestInput) error {
	return saveRow(ctx, in, p.store.UpsertShareRequest)
}

func (p shareProjection) SaveGrant(ctx context.Context, in activities.ProjectGrantInput) error {
	g, err := rowOf[models.Grant](in)
	if err != nil {
		return err
	}
	_, err = p.store.UpsertGrant(ctx, g)
	// A second grant for the same request can never succeed on retry either.
	if err != nil && errors.Is(err, models.ErrConflict) {
		return fmt.Errorf("%w: %w", activities.ErrRejected, err)
	}
	return rejected(err)
}
