package worker

import (
	"context"
	"encoding/json"
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
	legalBasis := in.LegalBasis
	if legalBasis == nil {
		legalBasis = []string{}
	}
	lb, err := json.Marshal(legalBasis)
	if err != nil {
		return fmt.Errorf("%w: encode legal basis: %v", activities.ErrRejected, err)
	}
	_, err = p.store.UpsertShareRequest(ctx, models.ShareRequest{
		ID: in.ID, ResourceID: in.ResourceID, ResourceCode: in.ResourceCode, ResourceName: in.ResourceName,
		ApplicantDeptID: in.ApplicantDeptID, ApplicantSubject: in.ApplicantSubject,
		ProviderDeptID: in.ProviderDeptID, DecidingDeptID: in.DecidingDeptID, Purpose: in.Purpose,
		Scope: in.Scope, DutyBasis: in.DutyBasis, RequestedValidityDays: in.RequestedValidityDays,
		Status: in.Status, CurrentStep: in.CurrentStep, DueAt: in.DueAt, WorkflowID: in.WorkflowID,
		LegalBasisJSON: string(lb), Revision: in.Revision, CreatedAt: in.CreatedAt,
		UpdatedAt: in.UpdatedAt, ClosedAt: in.ClosedAt,
	})
	return rejected(err)
}

func (p shareProjection) SaveGrant(ctx context.Context, in activities.ProjectGrantInput) error {
	_, err := p.store.UpsertGrant(ctx, models.Grant{
		ID: in.ID, RequestID: in.RequestID, ResourceID: in.ResourceID, ConsumerDeptID: in.ConsumerDeptID,
		ProviderDeptID: in.ProviderDeptID, Scope: in.Scope, UsagePurpose: in.UsagePurpose,
		Conditions: in.Conditions, ValidFrom: in.ValidFrom, ValidUntil: in.ValidUntil,
		Status: in.Status, StatusReason: in.StatusReason, Revision: in.Revision, UpdatedAt: in.UpdatedAt,
	})
	// A second grant for the same request can never succeed on retry either.
	if err != nil && errors.Is(err, models.ErrConflict) {
		return fmt.Errorf("%w: %w", activities.ErrRejected, err)
	}
	return rejected(err)
}
