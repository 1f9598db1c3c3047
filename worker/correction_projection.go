package worker

import (
	"context"
	"errors"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/models"
)

// correctionProjection writes corrections through the models store, for the same reason
// projection exists: workflow code never links GORM.
type correctionProjection struct {
	store *models.Store
}

var (
	_ activities.CorrectionStore  = correctionProjection{}
	_ activities.DepartmentLookup = correctionProjection{}
)

func (p correctionProjection) DepartmentKind(ctx context.Context, id string) (string, bool, error) {
	d, err := p.store.GetDepartment(ctx, id)
	switch {
	case errors.Is(err, models.ErrNotFound):
		return "", false, nil
	case err != nil:
		return "", false, err
	}
	return string(d.Kind), true, nil
}

func (p correctionProjection) SaveCorrection(ctx context.Context, in activities.ProjectCorrectionInput) error {
	return saveRow(ctx, in, p.store.UpsertCorrection)
}
