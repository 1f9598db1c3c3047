package worker

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
	"github.com/datashare/datashare/workflows/contract"
)

// The worker runs OpenDataRequestWorkflow under the contract's name, with its projection over
// the database.
func TestRegisterOpenData(t *testing.T) {
	r := &recordingRegistry{}
	register(r, Deps{DB: modelstest.NewSQLite(t)})
	if !slices.Contains(r.workflows, contract.OpenDataRequestWorkflowType) || contract.OpenDataRequestWorkflowType != "OpenDataRequestWorkflow" {
		t.Errorf("workflows = %v, want %s", r.workflows, contract.OpenDataRequestWorkflowType)
	}
	found := false
	for _, a := range r.activities {
		if c, ok := a.(*activities.OpenDataActivities); ok {
			_, found = c.Store.(openDataProjection)
		}
	}
	if !found {
		t.Errorf("activities = %v, want *activities.OpenDataActivities over openDataProjection", r.activities)
	}
}

// The projection stores the request with its moved deadline and the extension's reason, and
// refuses a row the read model rejects without retrying.
func TestOpenDataProjection(t *testing.T) {
	db := modelstest.NewSQLite(t)
	p := openDataProjection{store: models.NewStore(db)}
	ctx := context.Background()
	at := time.Date(2026, 9, 28, 2, 0, 0, 0, time.UTC)
	first, moved := at.AddDate(0, 0, 18), at.AddDate(0, 0, 25)
	in := activities.ProjectOpenDataRequestInput{ID: "OD-1", Revision: 3, WorkflowID: "open-data-OD-1", ResourceID: 4,
		ResourceCode: "NEIXIANG-SCJG-0004", OpenType: "conditional", ApplicantSubject: "demo-citizen", ProviderDeptID: "neixiang-scjg",
		Status: "pending", CurrentStep: "reply", ExtensionWorkdays: 5, ExtensionReason: "需调取档案", OriginalDueAt: &first, DueAt: &moved,
		LegalBasis: []string{"《内乡县政务信息资源数据共享管理实施办法》第四十六条第二款"}, CreatedAt: at, UpdatedAt: at}
	if err := p.SaveOpenDataRequest(ctx, in); err != nil {
		t.Fatal(err)
	}
	got, err := models.NewStore(db).GetOpenDataRequest(ctx, "OD-1")
	if err != nil || got.ExtensionWorkdays != 5 || got.ExtensionReason != "需调取档案" || !got.DueAt.Equal(moved) ||
		!got.OriginalDueAt.Equal(first) || got.LegalBasisJSON != `["《内乡县政务信息资源数据共享管理实施办法》第四十六条第二款"]` {
		t.Fatalf("stored %+v, %v", got, err)
	}
	in.ID, in.Status = "OD-2", "bogus"
	if err := p.SaveOpenDataRequest(ctx, in); !errors.Is(err, activities.ErrRejected) {
		t.Errorf("bad status: %v, want a rejection", err)
	}
}
