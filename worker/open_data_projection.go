package worker

import (
	"context"
	"encoding/json"
	"fmt"

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
	basis := in.LegalBasis
	if basis == nil {
		basis = []string{}
	}
	basisJSON, err := json.Marshal(basis)
	if err != nil {
		return fmt.Errorf("%w: encode legal basis: %v", activities.ErrRejected, err)
	}
	_, err = p.store.UpsertOpenDataRequest(ctx, models.OpenDataRequest{
		ID: in.ID, ResourceID: in.ResourceID, ResourceCode: in.ResourceCode, ResourceName: in.ResourceName,
		OpenType: in.OpenType, ApplicantSubject: in.ApplicantSubject, ProviderDeptID: in.ProviderDeptID,
		Purpose: in.Purpose, Scope: in.Scope, Status: in.Status, CurrentStep: in.CurrentStep,
		Conditions: in.Conditions, Reason: in.Reason, RefusalBasis: in.RefusalBasis,
		ExtensionWorkdays: in.ExtensionWorkdays, ExtensionReason: in.ExtensionReason,
		OriginalDueAt: in.OriginalDueAt, DueAt: in.DueAt, WorkflowID: in.WorkflowID, LegalBasisJSON: string(basisJSON),
		Revision: in.Revision, CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt, ClosedAt: in.ClosedAt,
	})
	return rejected(err)
}
