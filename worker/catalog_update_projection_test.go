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

// The catalog-update activities over the database: projections are idempotent, a submission
// links and a review publishes, and a revision that moved on is a non-retryable failure the
// workflow can answer (a new update task), not an endless retry.
func TestCatalogUpdateActivitiesOverTheDatabase(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		for _, d := range []models.Department{
			{ID: "dept-a", Name: "甲", Kind: models.KindDepartment, Jurisdiction: "ningxia"},
			{ID: "dept-b", Name: "乙", Kind: models.KindDepartment, Jurisdiction: "ningxia"},
		} {
			if err := st.UpsertDepartment(ctx, &d); err != nil {
				t.Fatal(err)
			}
		}
		a := &activities.CatalogUpdateActivities{Store: catalogUpdateProjection{store: st}}
		due := cst("2026-03-16T23:59:59+08:00")
		for _, rev := range []int{1, 2, 1} {
			in := activities.ProjectCatalogUpdateInput{ID: "CU-1", Revision: rev, WorkflowID: "catalog-update-CU-1",
				DepartmentID: "dept-a", Form: contract.CatalogUpdateForm{Trigger: "law_revised", Basis: "《某条例》", ChangedOn: "2026-03-02"},
				Status: []string{"", "updating", "reviewing"}[rev], CurrentStep: "update", DueAt: &due,
				LegalBasis: []string{"《辽宁省政务数据资源共享管理办法》第九条第二款"},
				CreatedAt:  cst("2026-03-03T10:00:00+08:00"), UpdatedAt: cst("2026-03-03T10:00:00+08:00")}
			if _, err := a.ProjectCatalogUpdate(ctx, in); err != nil {
				t.Fatalf("project revision %d: %v", rev, err)
			}
		}
		u, err := st.GetCatalogUpdate(ctx, "CU-1")
		if err != nil || u.Revision != 2 || u.Status != "reviewing" || u.LegalBasisJSON != `["《辽宁省政务数据资源共享管理办法》第九条第二款"]` {
			t.Fatalf("stored update = %+v, %v", u, err)
		}

		r := &models.CatalogResource{ResourceContent: models.ResourceContent{Code: "A-1", Name: "资源", Format: "表",
			ShareType: models.ShareUnconditional, ProviderDeptID: "dept-a", OpenType: models.OpenUnconditional}}
		if err := st.CreateResource(ctx, r, "alice"); err != nil {
			t.Fatal(err)
		}
		// Another department's resource: refused for good.
		_, err = a.LinkCatalogUpdate(ctx, activities.LinkCatalogUpdateInput{UpdateID: "CU-1", Round: 1, DepartmentID: "dept-b",
			Actor: "bob", Versions: []activities.LinkedVersion{{ResourceID: r.ID, Version: 1}}})
		var appErr *temporal.ApplicationError
		if !errors.As(err, &appErr) || !appErr.NonRetryable() || appErr.Type() != activities.ErrTypeInvalid {
			t.Fatalf("foreign link: err = %v, want a non-retryable %q error", err, activities.ErrTypeInvalid)
		}
		linked, err := a.LinkCatalogUpdate(ctx, activities.LinkCatalogUpdateInput{UpdateID: "CU-1", Round: 1, DepartmentID: "dept-a",
			Actor: "alice", Versions: []activities.LinkedVersion{{ResourceID: r.ID, Version: 1}}})
		if err != nil || len(linked.Linked) != 1 || linked.Linked[0].Version != 2 {
			t.Fatalf("link = %+v, %v", linked, err)
		}
		published, err := a.PublishCatalogUpdate(ctx, activities.CatalogReviewInput{UpdateID: "CU-1", Round: 1, Actor: "carol"})
		if err != nil || len(published.Published) != 1 {
			t.Fatalf("publish = %+v, %v", published, err)
		}
		if got, _ := st.GetResource(ctx, r.ID); got.Status != models.StatusPublished {
			t.Errorf("resource is %s after approval", got.Status)
		}
	})
}
