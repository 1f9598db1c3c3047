package worker

import (
	"context"
	"errors"
	"testing"

	"go.temporal.io/sdk/temporal"
	"gorm.io/gorm"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
	"github.com/datashare/datashare/workflows/contract"
)

func shareRequestInput(rev int, status string) activities.ProjectShareRequestInput {
	due := cst("2026-03-04T23:59:59+08:00")
	return activities.ProjectShareRequestInput{
		ID: "SR-1", Revision: rev, WorkflowID: "share-request-SR-1", ResourceID: 7, ResourceCode: "NX-1",
		ResourceName: "企业年报信息", ApplicantDeptID: "dept-b", ApplicantSubject: "bob", ProviderDeptID: "dept-a",
		DecidingDeptID: "dept-a", Form: map[string]any{"purpose": "信用监管", "scope": "名称", "requested_validity_days": 180},
		Status: status, CurrentStep: "reply", DueAt: &due, LegalBasis: []string{"《办法》第十一条第三款"},
		CreatedAt: cst("2026-02-12T10:00:00+08:00"), UpdatedAt: cst("2026-02-12T10:00:01+08:00"),
	}
}

func grantInput(rev int, status string) activities.ProjectGrantInput {
	from := cst("2026-02-13T10:00:00+08:00")
	return activities.ProjectGrantInput{
		ID: "G-SR-1", RequestID: "SR-1", Revision: rev, ResourceID: 7, ConsumerDeptID: "dept-b",
		ProviderDeptID: "dept-a", Scope: "名称", UsagePurpose: "信用监管", ValidFrom: from,
		ValidUntil: from.AddDate(0, 0, 30), Status: status, UpdatedAt: from,
	}
}

// Retried and reordered projections of a request and its grant leave one row each, at the
// highest revision, on both dialects.
func TestShareProjectionsAreIdempotent(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		st := models.NewStore(db)
		a := &activities.ShareActivities{Store: shareProjection{store: st}}
		ctx := context.Background()
		for _, in := range []activities.ProjectShareRequestInput{
			shareRequestInput(1, "pending"), shareRequestInput(1, "pending"),
			shareRequestInput(3, "granted"), shareRequestInput(2, "refused"),
		} {
			if _, err := a.ProjectShareRequest(ctx, in); err != nil {
				t.Fatalf("project request revision %d: %v", in.Revision, err)
			}
		}
		if n := countRows(t, db, &models.ShareRequest{}); n != 1 {
			t.Fatalf("request rows = %d, want 1", n)
		}
		r, err := st.GetShareRequest(ctx, "SR-1")
		if err != nil || r.Revision != 3 || r.Status != "granted" || r.LegalBasisJSON != `["《办法》第十一条第三款"]` {
			t.Errorf("stored request = %+v, %v", r, err)
		}

		for _, in := range []activities.ProjectGrantInput{
			grantInput(1, activities.GrantActive), grantInput(2, activities.GrantSuspended), grantInput(1, activities.GrantActive),
		} {
			if _, err := a.ProjectGrant(ctx, in); err != nil {
				t.Fatalf("project grant revision %d: %v", in.Revision, err)
			}
		}
		g, err := st.GetGrantByRequest(ctx, "SR-1")
		if err != nil || g.Revision != 2 || g.Status != activities.GrantSuspended {
			t.Errorf("stored grant = %+v, %v", g, err)
		}

		// A second grant for the request is a business failure: non-retryable.
		other := grantInput(1, activities.GrantActive)
		other.ID = "G-other"
		_, err = a.ProjectGrant(ctx, other)
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) || !appErr.NonRetryable() || appErr.Type() != activities.ErrTypeInvalid {
			t.Errorf("second grant: err = %v, want a non-retryable %q error", err, activities.ErrTypeInvalid)
		}
	})
}

// Retried and reordered projections of a correction leave one row at the highest revision,
// its lists stored as JSON, on both dialects.
func TestCorrectionProjectionIsIdempotent(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		st := models.NewStore(db)
		a := &activities.CorrectionActivities{Store: correctionProjection{store: st}}
		ctx := context.Background()
		in := func(rev int, status string) activities.ProjectCorrectionInput {
			return activities.ProjectCorrectionInput{ID: "DC-1", Revision: rev, WorkflowID: "correction-DC-1", ResourceID: 7,
				ResourceCode: "NX-1", ResourceName: "企业年报信息", ReporterDeptID: "dept-b", ReporterSubject: "bob",
				ProviderDeptID: "dept-a", ProducerDeptID: "dept-a",
				Form: contract.CorrectionForm{Fields: []string{"注册资本"}, Description: "不一致",
					CitizenObjection: &contract.CitizenObjection{Source: "窗口受理 2026-001"}},
				Status:    status,
				CreatedAt: cst("2026-02-12T10:00:00+08:00"), UpdatedAt: cst("2026-02-12T10:00:01+08:00")}
		}
		for _, p := range []activities.ProjectCorrectionInput{in(1, "verifying"), in(1, "verifying"), in(3, "answered"), in(2, "correcting")} {
			if _, err := a.ProjectCorrection(ctx, p); err != nil {
				t.Fatalf("project revision %d: %v", p.Revision, err)
			}
		}
		if n := countRows(t, db, &models.Correction{}); n != 1 {
			t.Fatalf("rows = %d, want 1", n)
		}
		c, err := st.GetCorrection(ctx, "DC-1")
		if err != nil || c.Revision != 3 || c.Status != "answered" || c.FormJSON != `{"fields":["注册资本"],"description":"不一致","evidence":{"attachments":null,"text":""},"citizen_objection":{"source":"窗口受理 2026-001"}}` {
			t.Errorf("stored = %+v, %v", c, err)
		}
		// A status the read model does not know is a business failure: non-retryable.
		_, err = a.ProjectCorrection(ctx, in(4, "bogus"))
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) || !appErr.NonRetryable() {
			t.Errorf("bogus status: err = %v, want a non-retryable error", err)
		}
	})
}
