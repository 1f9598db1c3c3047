package models_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

func catalogUpdateAt(id, dept string, rev int, status string, due time.Time) models.CatalogUpdate {
	created := time.Date(2026, 3, 2, 10, 0, 0, 0, cstZone)
	return models.CatalogUpdate{
		ID: id, DepartmentID: dept, FormJSON: `{"trigger":"law_revised","basis":"《某条例》修订","changed_on":"2026-03-02"}`,
		InitiatorSubject: "alice", Status: status, CurrentStep: "update", DueAt: &due,
		LegalBasisJSON: `["《辽宁省政务数据资源共享管理办法》第九条第二款"]`, WorkflowID: "catalog-update-" + id,
		Revision: rev, CreatedAt: created, UpdatedAt: created.Add(time.Duration(rev) * time.Minute),
	}
}

// A projection applies only over a lower revision; lists are scoped to the department unless
// the caller sees all, filter by status and overdue, and page newest first.
func TestCatalogUpdateProjectionAndList(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		due := time.Date(2026, 3, 16, 23, 59, 59, 0, cstZone)
		for _, tc := range []struct {
			rev         int
			status      string
			wantApplied bool
		}{{1, models.CatalogUpdateUpdating, true}, {3, models.CatalogUpdateReviewing, true}, {2, models.CatalogUpdateUpdating, false}, {3, models.CatalogUpdatePublished, false}} {
			applied, err := st.UpsertCatalogUpdate(ctx, catalogUpdateAt("CU-1", deptA, tc.rev, tc.status, due))
			if err != nil || applied != tc.wantApplied {
				t.Fatalf("upsert revision %d = %v, %v; want applied %v", tc.rev, applied, err, tc.wantApplied)
			}
		}
		got, err := st.GetCatalogUpdate(ctx, "CU-1")
		if err != nil || got.Revision != 3 || got.Status != models.CatalogUpdateReviewing || !got.DueAt.Equal(due) {
			t.Fatalf("stored = %+v, %v", got, err)
		}
		bad := catalogUpdateAt("CU-X", deptA, 1, "nonsense", due)
		_, err = st.UpsertCatalogUpdate(ctx, bad)
		wantFields(t, err, "status")

		later := time.Date(2026, 4, 30, 23, 59, 59, 0, cstZone)
		for i, u := range []models.CatalogUpdate{
			catalogUpdateAt("CU-2", deptB, 1, models.CatalogUpdateUpdating, later),
			catalogUpdateAt("CU-3", deptA, 1, models.CatalogUpdateUpdating, later),
			catalogUpdateAt("CU-4", deptA, 2, models.CatalogUpdatePublished, due), // past due but final
		} {
			if _, err := st.UpsertCatalogUpdate(ctx, u); err != nil {
				t.Fatalf("upsert %d: %v", i, err)
			}
		}
		ids := func(items []models.CatalogUpdate) string {
			out := ""
			for _, u := range items {
				out += u.ID + " "
			}
			return out
		}
		now := time.Date(2026, 3, 20, 9, 0, 0, 0, cstZone)
		yes, no := true, false
		for _, tc := range []struct {
			name string
			f    models.CatalogUpdateFilter
			want string
		}{
			{"own department", models.CatalogUpdateFilter{DepartmentID: deptA}, "CU-4 CU-3 CU-1 "},
			{"authority", models.CatalogUpdateFilter{SeesAll: true}, "CU-4 CU-3 CU-2 CU-1 "},
			{"status", models.CatalogUpdateFilter{SeesAll: true, Status: models.CatalogUpdateUpdating}, "CU-3 CU-2 "},
			{"overdue", models.CatalogUpdateFilter{DepartmentID: deptA, Overdue: &yes, Now: now}, "CU-1 "},
			{"not overdue", models.CatalogUpdateFilter{DepartmentID: deptA, Overdue: &no, Now: now}, "CU-4 CU-3 "},
			{"no department", models.CatalogUpdateFilter{}, ""},
		} {
			items, _, err := st.ListCatalogUpdates(ctx, tc.f)
			if err != nil || ids(items) != tc.want {
				t.Errorf("%s: %q, %v; want %q", tc.name, ids(items), err, tc.want)
			}
		}
		page, next, err := st.ListCatalogUpdates(ctx, models.CatalogUpdateFilter{SeesAll: true, Limit: 3})
		if err != nil || ids(page) != "CU-4 CU-3 CU-2 " || next == "" {
			t.Fatalf("first page %q next %q, %v", ids(page), next, err)
		}
		page, next, err = st.ListCatalogUpdates(ctx, models.CatalogUpdateFilter{SeesAll: true, Limit: 3, Cursor: next})
		if err != nil || ids(page) != "CU-1 " || next != "" {
			t.Fatalf("second page %q next %q, %v", ids(page), next, err)
		}
		_, _, err = st.ListCatalogUpdates(ctx, models.CatalogUpdateFilter{SeesAll: true, Status: "x", Cursor: "!!"})
		wantFields(t, err, "status", "cursor")
	})
}

// A submission submits the listed drafts and links the submitted revisions in one
// transaction; a repeat returns the same links; approval publishes every linked revision.
func TestLinkAndPublishCatalogUpdate(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		draft := createInStatus(t, st, "CU-DRAFT", deptA, models.StatusDraft)
		submitted := createInStatus(t, st, "CU-SUB", deptA, models.StatusSubmitted)
		versions := []models.ResourceVersion{{ResourceID: draft.ID, Version: draft.Version}, {ResourceID: submitted.ID, Version: submitted.Version}}

		links, err := st.LinkCatalogUpdate(ctx, "CU-1", 1, deptA, "alice", versions)
		if err != nil || len(links) != 2 {
			t.Fatalf("link = %+v, %v", links, err)
		}
		want := map[int64]int{draft.ID: draft.Version + 1, submitted.ID: submitted.Version}
		for _, l := range links {
			if want[l.ResourceID] != l.Version || l.Round != 1 {
				t.Errorf("link %+v, want version %d", l, want[l.ResourceID])
			}
		}
		if r, _ := st.GetResource(ctx, draft.ID); r.Status != models.StatusSubmitted || r.Version != draft.Version+1 {
			t.Fatalf("draft after link = %s v%d", r.Status, r.Version)
		}
		again, err := st.LinkCatalogUpdate(ctx, "CU-1", 1, deptA, "alice", versions)
		if err != nil || len(again) != 2 {
			t.Fatalf("repeated link = %+v, %v", again, err)
		}

		published, err := st.PublishCatalogUpdate(ctx, "CU-1", 1, "carol")
		if err != nil || len(published) != 2 {
			t.Fatalf("publish = %+v, %v", published, err)
		}
		for _, id := range []int64{draft.ID, submitted.ID} {
			r, _ := st.GetResource(ctx, id)
			if r.Status != models.StatusPublished || r.Version != want[id]+1 {
				t.Errorf("resource %d after approval = %s v%d, want published v%d", id, r.Status, r.Version, want[id]+1)
			}
		}
		// A retried publish changes nothing.
		if _, err := st.PublishCatalogUpdate(ctx, "CU-1", 1, "carol"); err != nil {
			t.Fatalf("repeated publish: %v", err)
		}
		if r, _ := st.GetResource(ctx, draft.ID); r.Version != want[draft.ID]+1 {
			t.Errorf("repeated publish moved the version to %d", r.Version)
		}
		stored, err := st.ListCatalogUpdateResources(ctx, "CU-1")
		if err != nil || len(stored) != 2 || stored[0].PublishedAt == nil || stored[1].PublishedAt == nil {
			t.Fatalf("links after approval = %+v, %v", stored, err)
		}
	})
}

// Nothing is submitted or linked when one listed revision is refused: another department's,
// a stale version, a published resource without a revision, or a resource that does not exist.
func TestLinkCatalogUpdateRefusesAll(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		draft := createInStatus(t, st, "CU-OK", deptA, models.StatusDraft)
		others := createInStatus(t, st, "CU-B", deptB, models.StatusDraft)
		published := createInStatus(t, st, "CU-PUB", deptA, models.StatusPublished)
		for name, bad := range map[string]models.ResourceVersion{
			"other department": {ResourceID: others.ID, Version: others.Version},
			"stale version":    {ResourceID: draft.ID, Version: draft.Version + 5},
			"published":        {ResourceID: published.ID, Version: published.Version},
			"missing":          {ResourceID: 99999, Version: 1},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := st.LinkCatalogUpdate(ctx, "CU-1", 1, deptA, "alice",
					[]models.ResourceVersion{{ResourceID: draft.ID, Version: draft.Version}, bad})
				wantFields(t, err, "resource_versions")
				if r, _ := st.GetResource(ctx, draft.ID); r.Status != models.StatusDraft || r.Version != draft.Version {
					t.Errorf("the good draft was submitted anyway: %s v%d", r.Status, r.Version)
				}
				if links, _ := st.ListCatalogUpdateResources(ctx, "CU-1"); len(links) != 0 {
					t.Errorf("links = %+v", links)
				}
			})
		}
	})
}

// A return sends every linked revision back as a draft with the reason; a publish that finds a
// linked revision changed outside the update publishes nothing.
func TestReturnAndAtomicPublish(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		a := createInStatus(t, st, "CU-A", deptA, models.StatusDraft)
		b := createInStatus(t, st, "CU-B2", deptA, models.StatusDraft)
		vs := []models.ResourceVersion{{ResourceID: a.ID, Version: a.Version}, {ResourceID: b.ID, Version: b.Version}}
		if _, err := st.LinkCatalogUpdate(ctx, "CU-1", 1, deptA, "alice", vs); err != nil {
			t.Fatal(err)
		}
		if _, err := st.ReturnCatalogUpdate(ctx, "CU-1", 1, "carol", " "); err == nil {
			t.Fatal("a return without a reason was accepted")
		}
		if _, err := st.ReturnCatalogUpdate(ctx, "CU-1", 1, "carol", "共享条件未写明"); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{a.ID, b.ID} {
			r, _ := st.GetResource(ctx, id)
			if r.Status != models.StatusDraft || r.ReturnReason != "共享条件未写明" || r.Version != 3 {
				t.Errorf("resource %d after return = %s v%d %q", id, r.Status, r.Version, r.ReturnReason)
			}
		}

		// Round 2: one of the two is returned through the catalog API before the approval.
		vs = []models.ResourceVersion{{ResourceID: a.ID, Version: 3}, {ResourceID: b.ID, Version: 3}}
		if _, err := st.LinkCatalogUpdate(ctx, "CU-1", 2, deptA, "alice", vs); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Return(ctx, b.ID, 4, "carol", "直接退回"); err != nil {
			t.Fatal(err)
		}
		_, err := st.PublishCatalogUpdate(ctx, "CU-1", 2, "carol")
		wantFields(t, err, "resource_versions")
		if r, _ := st.GetResource(ctx, a.ID); r.Status != models.StatusSubmitted || r.Version != 4 {
			t.Errorf("resource a was published alone: %s v%d", r.Status, r.Version)
		}
		// The fallback return takes back what is still the update's and leaves b alone.
		if _, err := st.ReturnCatalogUpdate(ctx, "CU-1", 2, "carol", "未能发布"); err != nil {
			t.Fatalf("return after a refused publication: %v", err)
		}
		ra, _ := st.GetResource(ctx, a.ID)
		rb, _ := st.GetResource(ctx, b.ID)
		if ra.Status != models.StatusDraft || ra.Version != 5 || rb.Version != 5 || rb.ReturnReason != "直接退回" {
			t.Errorf("after the fallback return: a %s v%d, b v%d %q", ra.Status, ra.Version, rb.Version, rb.ReturnReason)
		}
	})
}

// A published resource under revision stays published with its content, for everyone, while
// its department edits the revision; the update submits and publishes the revision.
func TestRevisionOfPublishedResource(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		pub := createInStatus(t, st, "CU-REV", deptA, models.StatusPublished)
		oldName := pub.Name

		if _, err := st.Revise(ctx, pub.ID, pub.Version, ""); err == nil {
			t.Fatal("a revision without an actor was accepted")
		}
		rev, err := st.Revise(ctx, pub.ID, pub.Version, "alice")
		if err != nil || rev.Status != models.StatusPublished || rev.RevisionStatus != models.StatusDraft || rev.Version != pub.Version+1 {
			t.Fatalf("revise = %+v, %v", rev, err)
		}
		_, err = st.Revise(ctx, pub.ID, 0, "alice")
		wantErr(t, err, models.ErrInvalidState, "already draft")

		edited, err := st.UpdateDraft(ctx, pub.ID, rev.Version, func(r *models.CatalogResource) { r.Name = "修订后的名称" }, "alice")
		if err != nil || edited.Name != oldName || edited.Status != models.StatusPublished {
			t.Fatalf("edit revision = %+v, %v; the published content must stay", edited, err)
		}
		content, ok, err := edited.Revision()
		if err != nil || !ok || content.Name != "修订后的名称" {
			t.Fatalf("revision = %+v %v %v", content, ok, err)
		}
		_, err = st.UpdateDraft(ctx, pub.ID, 0, func(r *models.CatalogResource) { r.Code = "OTHER" }, "alice")
		wantFields(t, err, "code")
		// Other departments list the published content.
		items, _, err := st.ListResources(ctx, models.ResourceFilter{Viewer: models.Viewer{DepartmentID: deptB}, Status: models.StatusPublished})
		if err != nil || len(items) != 1 || items[0].Name != oldName {
			t.Fatalf("published list for another department = %+v, %v", items, err)
		}

		links, err := st.LinkCatalogUpdate(ctx, "CU-9", 1, deptA, "alice", []models.ResourceVersion{{ResourceID: pub.ID, Version: edited.Version}})
		if err != nil || len(links) != 1 || links[0].Version != edited.Version+1 {
			t.Fatalf("link revision = %+v, %v", links, err)
		}
		if r, _ := st.GetResource(ctx, pub.ID); r.RevisionStatus != models.StatusSubmitted || r.Name != oldName {
			t.Fatalf("after submission: revision %s, name %q", r.RevisionStatus, r.Name)
		}
		if _, err := st.PublishCatalogUpdate(ctx, "CU-9", 1, "carol"); err != nil {
			t.Fatal(err)
		}
		after, _ := st.GetResource(ctx, pub.ID)
		if after.Name != "修订后的名称" || after.RevisionStatus != "" || after.RevisionContent != nil || after.Status != models.StatusPublished {
			t.Fatalf("after approval = %+v", after)
		}
		versions, err := st.ListResourceVersions(ctx, pub.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions string
		for _, v := range versions[pub.Version:] {
			c, _ := v.Content()
			actions += fmt.Sprintf("%s/%s/%s ", v.Action, v.Status, c.Name)
		}
		want := fmt.Sprintf("revised/draft/%[1]s rev_updated/draft/修订后的名称 rev_submitted/submitted/修订后的名称 published/published/修订后的名称 ", oldName)
		if actions != want {
			t.Errorf("revisions = %q, want %q", actions, want)
		}

		// Retiring an entry drops a revision in progress.
		if _, err := st.Revise(ctx, pub.ID, 0, "alice"); err != nil {
			t.Fatal(err)
		}
		retired, err := st.Retire(ctx, pub.ID, 0, "carol", "职能调整")
		if err != nil || retired.RevisionStatus != "" || retired.RevisionContent != nil {
			t.Fatalf("retire = %+v, %v", retired, err)
		}
	})
}
