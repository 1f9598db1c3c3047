package worker

import (
	"context"
	"encoding/json"
	"fmt"

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
	basis, err := legalBasisJSON(in.LegalBasis)
	if err != nil {
		return err
	}
	_, err = p.store.UpsertOpenCatalogCorrection(ctx, models.OpenCatalogCorrection{
		ID: in.ID, WorkflowID: in.WorkflowID, ResourceID: in.ResourceID, ResourceCode: in.ResourceCode,
		ResourceName: in.ResourceName, ProviderDeptID: in.ProviderDeptID, CitizenSubject: in.CitizenSubject,
		Field: in.Field, CurrentValue: in.CurrentValue, ProposedValue: in.ProposedValue, Reason: in.Reason,
		Status: in.Status, CurrentStep: in.CurrentStep, Answer: in.Answer, AnswerBasis: in.AnswerBasis,
		CatalogVersion: in.CatalogVersion, DueAt: in.DueAt, LocalDefault: in.LocalDefault, LegalBasisJSON: basis,
		Revision: in.Revision, CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt, ClosedAt: in.ClosedAt,
	})
	return rejected(err)
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
	basis, err := legalBasisJSON(in.LegalBasis)
	if err != nil {
		return err
	}
	_, err = p.store.UpsertInterfaceRequirement(ctx, models.InterfaceRequirement{
		ID: in.ID, WorkflowID: in.WorkflowID, DepartmentID: in.DepartmentID, AuthorityDeptID: in.AuthorityDeptID,
		RequestedBy: in.RequestedBy, Description: in.Description, AgreedDue: in.AgreedDue, Status: in.Status,
		CurrentStep: in.CurrentStep, DueAt: in.DueAt, ExtensionWorkdays: in.ExtensionWorkdays,
		InterfaceDescription: in.InterfaceDescription, Documentation: in.Documentation, LegalBasisJSON: basis,
		Revision: in.Revision, CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt, ClosedAt: in.ClosedAt,
	})
	return rejected(err)
}

// legalBasisJSON encodes citations as the JSON list the read model stores.
func legalBasisJSON(l []string) (string, error) {
	if l == nil {
		l = []string{}
	}
	b, err := json.Marshal(l)
	if err != nil {
		return "", fmt.Errorf("%w: encode legal basis: %v", activities.ErrRejected, err)
	}
	return string(b), nil
}
