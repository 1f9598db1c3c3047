package models_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

func openDataAt(id, subject string, rev int, status string) models.OpenDataRequest {
	created := time.Date(2026, 9, 28, 10, 0, 0, 0, cstZone)
	due := time.Date(2026, 10, 16, 23, 59, 59, 0, cstZone)
	r := models.OpenDataRequest{
		ID: id, ResourceID: 4, ResourceCode: "NEIXIANG-SCJG-0004", ResourceName: "企业年报", OpenType: "conditional",
		ApplicantSubject: subject, ProviderDeptID: deptA, FormJSON: `{"purpose":"研究","scope":"2025年"}`, Status: status,
		CurrentStep: "reply", OriginalDueAt: &due, DueAt: &due, WorkflowID: "open-data-" + id,
		Revision: rev, CreatedAt: created, UpdatedAt: created.Add(time.Duration(rev) * time.Minute),
	}
	if status != models.OpenDataPending {
		at := created.Add(48 * time.Hour)
		r.ClosedAt, r.DueAt, r.CurrentStep = &at, nil, ""
	}
	return r
}

// An open-data request is projected by revision, and each principal lists only what it may
// see: a citizen its own requests, a producing department those of its resources, the
// authority all.
func TestOpenDataRequestsUpsertAndList(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		ext := openDataAt("OD-1", "citizen-a", 2, models.OpenDataPending)
		moved := time.Date(2026, 10, 23, 23, 59, 59, 0, cstZone)
		ext.DueAt, ext.ExtensionWorkdays, ext.ExtensionReason = &moved, 5, "需核对历史档案"
		other := openDataAt("OD-3", "citizen-b", 1, models.OpenDataPending)
		other.ProviderDeptID = deptB
		for _, r := range []models.OpenDataRequest{
			openDataAt("OD-1", "citizen-a", 1, models.OpenDataPending), ext,
			openDataAt("OD-1", "citizen-a", 1, models.OpenDataPending), // a late retry
			openDataAt("OD-2", "citizen-a", 1, models.OpenDataOpened), other,
		} {
			if _, err := st.UpsertOpenDataRequest(ctx, r); err != nil {
				t.Fatalf("upsert %s revision %d: %v", r.ID, r.Revision, err)
			}
		}
		got, err := st.GetOpenDataRequest(ctx, "OD-1")
		if err != nil || got.Revision != 2 || got.ExtensionWorkdays != 5 || got.ExtensionReason != "需核对历史档案" ||
			!got.DueAt.Equal(moved) || !got.OriginalDueAt.Equal(*openDataAt("", "", 1, models.OpenDataPending).DueAt) {
			t.Fatalf("OD-1 = %+v, %v", got, err)
		}
		ids := func(f models.OpenDataFilter) []string {
			t.Helper()
			items, _, err := st.ListOpenDataRequests(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, r := range items {
				out = append(out, r.ID)
			}
			return out
		}
		yes := true
		for name, c := range map[string]struct {
			f    models.OpenDataFilter
			want []string
		}{
			"citizen a":          {models.OpenDataFilter{ApplicantSubject: "citizen-a"}, []string{"OD-2", "OD-1"}},
			"citizen b":          {models.OpenDataFilter{ApplicantSubject: "citizen-b"}, []string{"OD-3"}},
			"producer":           {models.OpenDataFilter{ProviderDeptID: deptA}, []string{"OD-2", "OD-1"}},
			"authority":          {models.OpenDataFilter{SeesAll: true}, []string{"OD-3", "OD-2", "OD-1"}},
			"nobody":             {models.OpenDataFilter{}, nil},
			"status":             {models.OpenDataFilter{SeesAll: true, Status: models.OpenDataOpened}, []string{"OD-2"}},
			"overdue after due":  {models.OpenDataFilter{SeesAll: true, Overdue: &yes, Now: moved.Add(time.Hour)}, []string{"OD-3", "OD-1"}},
			"overdue before due": {models.OpenDataFilter{SeesAll: true, Overdue: &yes, Now: moved.Add(-time.Hour)}, []string{"OD-3"}},
		} {
			if got := ids(c.f); !slices.Equal(got, c.want) {
				t.Errorf("%s: %v, want %v", name, got, c.want)
			}
		}
		if _, err := st.UpsertOpenDataRequest(ctx, openDataAt("OD-4", "citizen-a", 1, "bogus")); err == nil {
			t.Error("an unknown status was stored")
		}
		if _, _, err := st.ListOpenDataRequests(ctx, models.OpenDataFilter{SeesAll: true, Status: "bogus"}); err == nil {
			t.Error("an unknown status filter was accepted")
		}
	})
}

// A citizen sees the open catalog (开放目录) only: published resources open unconditionally or
// on conditions, never a not-open, a draft or a retired one.
func TestOpenCatalogViewer(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		open := createInStatus(t, st, "OPEN", deptA, models.StatusPublished)
		createInStatus(t, st, "DRAFT", deptA, models.StatusDraft)
		createInStatus(t, st, "RETIRED", deptA, models.StatusRetired)
		var byType = map[models.OpenType]*models.CatalogResource{}
		for _, ot := range []models.OpenType{models.OpenConditional, models.OpenNone} {
			r := validResource("OT-"+string(ot), deptA)
			r.OpenType, r.LegalBasis = ot, "《中华人民共和国统计法》第三十九条"
			if ot == models.OpenConditional {
				r.OpenConditions = "实名申请，限于研究用途"
			}
			mustCreate(t, st, r, "u")
			if _, err := st.Submit(ctx, r.ID, 0, "u"); err != nil {
				t.Fatal(err)
			}
			p, err := st.Publish(ctx, r.ID, 0, "u")
			if err != nil {
				t.Fatal(err)
			}
			byType[ot] = p
		}
		citizen := models.Viewer{OpenCatalog: true}
		items, _, err := st.ListResources(ctx, models.ResourceFilter{Viewer: citizen})
		if err != nil {
			t.Fatal(err)
		}
		if got := codes(items); !slices.Equal(got, []string{"OPEN", "OT-conditional"}) {
			t.Errorf("open catalog = %v, want OPEN and OT-conditional", got)
		}
		for r, want := range map[*models.CatalogResource]bool{open: true, byType[models.OpenConditional]: true, byType[models.OpenNone]: false} {
			if got := citizen.CanSee(r); got != want {
				t.Errorf("CanSee(%s) = %v, want %v", r.Code, got, want)
			}
		}
		// A department's viewer still sees the not-open published resource.
		if !(models.Viewer{DepartmentID: deptB}).CanSee(byType[models.OpenNone]) {
			t.Error("a department lost sight of a published resource that is not open")
		}
	})
}
