package worker

import (
	"context"
	"encoding/json"
	"fmt"

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
	var lists [3]string
	for i, l := range [][]string{in.ViolationBasis, in.LegalBasis, in.ConsequenceBasis} {
		if l == nil {
			l = []string{}
		}
		b, err := json.Marshal(l)
		if err != nil {
			return fmt.Errorf("%w: encode citations: %v", activities.ErrRejected, err)
		}
		lists[i] = string(b)
	}
	_, err := p.store.UpsertRectification(ctx, models.Rectification{
		ID: in.ID, WorkflowID: in.WorkflowID, DepartmentID: in.DepartmentID, AuthorityDeptID: in.AuthorityDeptID,
		IssuedBy: in.IssuedBy, ViolationCode: in.ViolationCode, ViolationTitle: in.ViolationTitle,
		ViolationBasisJSON: lists[0], Description: in.Description, Workdays: in.Workdays, DueAt: in.DueAt,
		LegalBasisJSON: lists[1], Status: in.Status, CurrentStep: in.CurrentStep,
		ConsequenceCode: in.ConsequenceCode, ConsequenceTitle: in.ConsequenceTitle, ConsequenceBasisJSON: lists[2],
		ConsequenceLocalDefault: in.ConsequenceLocalDefault, ConsequenceRecordedAt: in.ConsequenceRecordedAt,
		ConsequenceDone: in.ConsequenceDone, LinkedTaskID: in.LinkedTaskID, LinkedRequestID: in.LinkedRequestID,
		Revision: in.Revision, CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt, ClosedAt: in.ClosedAt,
	})
	return rejected(err)
}

func (p rectificationProjection) OrderedWorkdays(ctx context.Context, workflowID string) (int, bool, error) {
	return p.store.RectificationWorkdays(ctx, workflowID)
}
