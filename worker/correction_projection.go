package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

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
	lists := map[string][]string{"fields": in.Fields, "attachments": in.Attachments, "legal_basis": in.LegalBasis}
	encoded := map[string]string{}
	for name, l := range lists {
		if l == nil {
			l = []string{}
		}
		b, err := json.Marshal(l)
		if err != nil {
			return fmt.Errorf("%w: encode %s: %v", activities.ErrRejected, name, err)
		}
		encoded[name] = string(b)
	}
	_, err := p.store.UpsertCorrection(ctx, models.Correction{
		ID: in.ID, ResourceID: in.ResourceID, ResourceCode: in.ResourceCode, ResourceName: in.ResourceName,
		ReporterDeptID: in.ReporterDeptID, ReporterSubject: in.ReporterSubject, ProviderDeptID: in.ProviderDeptID,
		ProducerDeptID: in.ProducerDeptID, FieldsJSON: encoded["fields"], Description: in.Description,
		AttachmentsJSON: encoded["attachments"], EvidenceText: in.EvidenceText, CitizenObjection: in.CitizenObjection,
		CitizenSource: in.CitizenSource, Status: in.Status, CurrentStep: in.CurrentStep, Result: in.Result,
		ResultText: in.ResultText, Disputed: in.Disputed, DueAt: in.DueAt, LocalDefault: in.LocalDefault, WorkflowID: in.WorkflowID,
		LegalBasisJSON: encoded["legal_basis"], Revision: in.Revision, CreatedAt: in.CreatedAt,
		UpdatedAt: in.UpdatedAt, ClosedAt: in.ClosedAt,
	})
	return rejected(err)
}
