package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

func openCatalogCorrectionAt(id, citizen string, rev int, status string) models.OpenCatalogCorrection {
	created := time.Date(2026, 9, 28, 10, 0, 0, 0, cstZone)
	due := time.Date(2026, 10, 19, 23, 59, 59, 0, cstZone)
	return models.OpenCatalogCorrection{
		ID: id, WorkflowID: "open-catalog-correction-" + id, ResourceID: 7, ResourceCode: "NX-1", ResourceName: "企业年报信息",
		ProviderDeptID: deptA, CitizenSubject: citizen,
		FormJSON: `{"field":"update_frequency","proposed_value":"每月","reason":"实际按月更新"}`, CurrentValue: "每年", Status: status, CurrentStep: "reply", DueAt: &due, LegalBasisJSON: `["第四十五条"]`,
		Revision: rev, CreatedAt: created, UpdatedAt: created.Add(time.Duration(rev) * time.Minute),
	}
}

// Applications are projected by revision, and each principal lists only what it may see: a
// citizen its own, the producing department those of its resources, the authority all.
func TestOpenCatalogCorrectionsProjectedAndListed(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		for _, r := range []models.OpenCatalogCorrection{
			openCatalogCorrectionAt("OC-1", "citizen-a", 1, models.OpenCatalogReplying),
			openCatalogCorrectionAt("OC-1", "citizen-a", 3, models.OpenCatalogUpdated),
			openCatalogCorrectionAt("OC-1", "citizen-a", 2, models.OpenCatalogUpdating),
			openCatalogCorrectionAt("OC-2", "citizen-b", 1, models.OpenCatalogReplying),
		} {
			if _, err := st.UpsertOpenCatalogCorrection(ctx, r); err != nil {
				t.Fatalf("upsert %s revision %d: %v", r.ID, r.Revision, err)
			}
		}
		got, err := st.GetOpenCatalogCorrection(ctx, "OC-1")
		if err != nil || got.Revision != 3 || got.Status != models.OpenCatalogUpdated {
			t.Fatalf("OC-1 = %+v, %v", got, err)
		}
		for _, c := range []struct {
			name string
			f    models.OpenCatalogCorrectionFilter
			want int
		}{
			{"citizen a", models.OpenCatalogCorrectionFilter{CitizenSubject: "citizen-a"}, 1},
			{"producer", models.OpenCatalogCorrectionFilter{DepartmentID: deptA}, 2},
			{"another department", models.OpenCatalogCorrectionFilter{DepartmentID: deptB}, 0},
			{"authority", models.OpenCatalogCorrectionFilter{SeesAll: true}, 2},
			{"nobody", models.OpenCatalogCorrectionFilter{}, 0},
		} {
			items, _, err := st.ListOpenCatalogCorrections(ctx, c.f)
			if err != nil || len(items) != c.want {
				t.Errorf("%s: %d items, %v; want %d", c.name, len(items), err, c.want)
			}
		}
		bad := openCatalogCorrectionAt("OC-3", "citizen-a", 1, "nonsense")
		if _, err := st.UpsertOpenCatalogCorrection(ctx, bad); err == nil {
			t.Error("an unknown status was stored")
		}
	})
}

// The authority's approved change goes through the catalog's revision path: one new published
// version carries the value, and a repeated call (an activity retried) writes nothing more.
func TestApplyOpenCatalogChangeWritesOneVersion(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		r := createInStatus(t, st, "OPEN-1", deptA, models.StatusPublished)
		v, err := st.ApplyOpenCatalogChange(ctx, r.ID, "update_frequency", "每月", "authority-1")
		if err != nil {
			t.Fatalf("apply: %v", err)
		}
		got, err := st.GetResource(ctx, r.ID)
		if err != nil || got.UpdateFrequency != "每月" || got.Version != v || v <= r.Version || got.RevisionStatus != "" {
			t.Fatalf("resource after the change = %+v (version %d), %v", got, v, err)
		}
		again, err := st.ApplyOpenCatalogChange(ctx, r.ID, "update_frequency", "每月", "authority-1")
		if err != nil || again != v {
			t.Errorf("second apply = %d, %v; want %d unchanged", again, err, v)
		}
		versions, err := st.ListResourceVersions(ctx, r.ID)
		if err != nil || versions[len(versions)-1].Version != v || versions[len(versions)-1].Action != models.ActionPublished {
			t.Errorf("versions = %+v, %v", versions, err)
		}
		// A revision of the department's own is not overwritten.
		if _, err := st.Revise(ctx, r.ID, v, "u-author"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UpdateDraft(ctx, r.ID, 0, func(c *models.CatalogResource) { c.Timeliness = "T+0" }, "u-author"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.ApplyOpenCatalogChange(ctx, r.ID, "format", "CSV", "authority-1"); !errors.Is(err, models.ErrInvalidState) {
			t.Errorf("apply over another revision: %v, want ErrInvalidState", err)
		}
		// A retired resource never takes the change: invalid for good, not a state to wait out.
		gone := createInStatus(t, st, "OPEN-2", deptA, models.StatusRetired)
		if _, err := st.ApplyOpenCatalogChange(ctx, gone.ID, "format", "CSV", "authority-1"); !errors.Is(err, models.ErrInvalid) {
			t.Errorf("apply to a retired resource: %v, want ErrInvalid", err)
		}
	})
}

func TestInterfaceRequirementsProjectedAndListed(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		created := time.Date(2026, 9, 21, 9, 0, 0, 0, cstZone)
		due := time.Date(2026, 9, 30, 23, 59, 59, 0, cstZone)
		req := func(id, dept string, rev int, status string) models.InterfaceRequirement {
			return models.InterfaceRequirement{ID: id, WorkflowID: "interface-requirement-" + id, DepartmentID: dept,
				AuthorityDeptID: authority, RequestedBy: "demo-authority",
				FormJSON: `{"description":"企业登记信息查询接口","agreed_due":"2026-09-30"}`, Status: status, CurrentStep: "request", DueAt: &due, Revision: rev, CreatedAt: created}
		}
		for _, r := range []models.InterfaceRequirement{req("IR-1", deptA, 2, models.InterfaceDelivered),
			req("IR-1", deptA, 1, models.InterfaceRequired), req("IR-2", deptB, 1, models.InterfaceRequired)} {
			if _, err := st.UpsertInterfaceRequirement(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := st.GetInterfaceRequirement(ctx, "IR-1"); err != nil || got.Status != models.InterfaceDelivered {
			t.Errorf("IR-1 = %+v, %v", got, err)
		}
		own, _, err := st.ListInterfaceRequirements(ctx, models.InterfaceRequirementFilter{DepartmentID: deptA})
		if err != nil || len(own) != 1 || own[0].ID != "IR-1" {
			t.Errorf("department A's = %+v, %v", own, err)
		}
		all, _, err := st.ListInterfaceRequirements(ctx, models.InterfaceRequirementFilter{SeesAll: true})
		if err != nil || len(all) != 2 {
			t.Errorf("all = %+v, %v", all, err)
		}
	})
}
