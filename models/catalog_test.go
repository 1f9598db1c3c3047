package models_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

func TestCatalogLifecycle(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		start := time.Now().UTC().Add(-time.Second)

		r := validResource("NX-0001", deptA)
		r.Name = "原名称"
		if err := st.CreateResource(ctx, r, "u-author"); err != nil {
			t.Fatalf("create: %v", err)
		}
		if r.ID == 0 || r.Version != 1 || r.Status != models.StatusDraft || r.CreatedBy != "u-author" {
			t.Fatalf("created = id %d v%d %s by %q, want new id, v1 draft by u-author", r.ID, r.Version, r.Status, r.CreatedBy)
		}
		created, err := models.NewStore(db).ListResourceVersions(ctx, r.ID)
		if err != nil || len(created) != 1 {
			t.Fatalf("versions after create = %d, %v; want 1", len(created), err)
		}

		updated, err := st.UpdateDraft(ctx, r.ID, 1, func(c *models.CatalogResource) { c.Name = "新名称" }, "u-editor")
		if err != nil {
			t.Fatalf("update: %v", err)
		}
		submitted, err := st.Submit(ctx, r.ID, 2, "u-editor")
		if err != nil {
			t.Fatalf("submit: %v", err)
		}
		published, err := st.Publish(ctx, r.ID, 3, "u-authority")
		if err != nil {
			t.Fatalf("publish: %v", err)
		}

		steps := []struct {
			got     *models.CatalogResource
			version int
			status  models.ResourceStatus
		}{
			{updated, 2, models.StatusDraft},
			{submitted, 3, models.StatusSubmitted},
			{published, 4, models.StatusPublished},
		}
		for _, s := range steps {
			if s.got.Version != s.version || s.got.Status != s.status || s.got.Name != "新名称" {
				t.Errorf("step to %s: version %d status %s name %q, want %d %s 新名称", s.status, s.got.Version, s.got.Status, s.got.Name, s.version, s.status)
			}
		}
		if submitted.SubmittedAt == nil || published.PublishedAt == nil {
			t.Fatalf("submitted_at %v, published_at %v: want both set", submitted.SubmittedAt, published.PublishedAt)
		}

		stored, err := st.GetResource(ctx, r.ID)
		if err != nil {
			t.Fatalf("get: %v", err)
		}
		if stored.Version != 4 || stored.Status != models.StatusPublished || stored.UpdatedBy != "u-authority" || stored.CreatedBy != "u-author" {
			t.Errorf("stored = v%d %s updated_by %q created_by %q", stored.Version, stored.Status, stored.UpdatedBy, stored.CreatedBy)
		}
		if stored.PublishedAt == nil || stored.PublishedAt.Before(start) || stored.PublishedAt.Location() != time.UTC {
			t.Errorf("published_at = %v, want a recent UTC time", stored.PublishedAt)
		}
		if !stored.CreatedAt.Equal(r.CreatedAt) || stored.CreatedAt.Location() != time.UTC {
			t.Errorf("created_at = %v, want %v in UTC", stored.CreatedAt, r.CreatedAt)
		}

		versions, err := st.ListResourceVersions(ctx, r.ID)
		if err != nil {
			t.Fatalf("versions: %v", err)
		}
		want := []struct {
			action models.VersionAction
			status models.ResourceStatus
			actor  string
			name   string
		}{
			{models.ActionCreated, models.StatusDraft, "u-author", "原名称"},
			{models.ActionUpdated, models.StatusDraft, "u-editor", "新名称"},
			{models.ActionSubmitted, models.StatusSubmitted, "u-editor", "新名称"},
			{models.ActionPublished, models.StatusPublished, "u-authority", "新名称"},
		}
		if len(versions) != len(want) {
			t.Fatalf("%d versions, want %d", len(versions), len(want))
		}
		for i, w := range want {
			v := versions[i]
			content, err := v.Content()
			if err != nil {
				t.Fatalf("version %d: %v", v.Version, err)
			}
			if v.Version != i+1 || v.ResourceID != r.ID || v.Action != w.action || v.Status != w.status || v.Actor != w.actor || content.Name != w.name {
				t.Errorf("version row %d = v%d %s %s by %s name %q, want v%d %s %s by %s name %q",
					i, v.Version, v.Action, v.Status, v.Actor, content.Name, i+1, w.action, w.status, w.actor, w.name)
			}
			if content.Code != "NX-0001" || content.ProviderDeptID != deptA || content.ShareType != models.ShareUnconditional {
				t.Errorf("version %d snapshot lacks content fields: %+v", v.Version, content)
			}
		}
		// The created revision is untouched by later changes.
		if versions[0].Snapshot != created[0].Snapshot || !versions[0].CreatedAt.Equal(created[0].CreatedAt) {
			t.Errorf("version 1 changed: %q then %q", created[0].Snapshot, versions[0].Snapshot)
		}
	})
}

func TestReturnAndResubmit(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		r := createInStatus(t, st, "RET-1", deptA, models.StatusSubmitted) // v2

		_, err := st.Return(ctx, r.ID, 2, "u-authority", "  ")
		wantFields(t, err, "reason")

		returned, err := st.Return(ctx, r.ID, 2, "u-authority", "共享范围填写不完整")
		if err != nil {
			t.Fatalf("return: %v", err)
		}
		if returned.Status != models.StatusDraft || returned.Version != 3 || returned.ReturnReason != "共享范围填写不完整" {
			t.Errorf("returned = %s v%d reason %q", returned.Status, returned.Version, returned.ReturnReason)
		}
		if _, err := st.UpdateDraft(ctx, r.ID, 3, func(c *models.CatalogResource) { c.ShareScope = "全区政务部门及中央驻宁单位" }, "u-author"); err != nil {
			t.Fatalf("update returned draft: %v", err)
		}
		again, err := st.Submit(ctx, r.ID, 4, "u-author")
		if err != nil || again.Version != 5 || again.Status != models.StatusSubmitted {
			t.Fatalf("resubmit = %+v, %v", again, err)
		}
		versions, err := st.ListResourceVersions(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, v := range versions {
			actions = append(actions, string(v.Action))
		}
		if got := strings.Join(actions, ","); got != "created,submitted,returned,updated,submitted" {
			t.Errorf("actions = %s", got)
		}
		if versions[2].Reason != "共享范围填写不完整" || versions[2].Actor != "u-authority" {
			t.Errorf("returned revision = reason %q actor %q", versions[2].Reason, versions[2].Actor)
		}

		pub, err := st.Publish(ctx, r.ID, 5, "u-authority")
		if err != nil {
			t.Fatal(err)
		}
		retired, err := st.Retire(ctx, r.ID, pub.Version, "u-authority", "职能调整，资源停止提供")
		if err != nil || retired.Status != models.StatusRetired || retired.Version != 7 {
			t.Fatalf("retire = %+v, %v", retired, err)
		}
	})
}

func TestInvalidTransitions(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		type op func(id int64) error
		ops := map[string]op{
			"update": func(id int64) error {
				_, err := st.UpdateDraft(ctx, id, 0, func(c *models.CatalogResource) { c.Name = "改" }, "u")
				return err
			},
			"submit":  func(id int64) error { _, err := st.Submit(ctx, id, 0, "u"); return err },
			"publish": func(id int64) error { _, err := st.Publish(ctx, id, 0, "u"); return err },
			"return":  func(id int64) error { _, err := st.Return(ctx, id, 0, "u", "理由"); return err },
			"retire":  func(id int64) error { _, err := st.Retire(ctx, id, 0, "u", "理由"); return err },
		}
		tests := []struct {
			status    models.ResourceStatus
			forbidden []string
		}{
			{models.StatusDraft, []string{"publish", "return", "retire"}},
			{models.StatusSubmitted, []string{"update", "submit", "retire"}},
			{models.StatusPublished, []string{"update", "submit", "publish", "return"}},
			{models.StatusRetired, []string{"update", "submit", "publish", "return", "retire"}},
		}
		for i, tc := range tests {
			for _, name := range tc.forbidden {
				t.Run(string(tc.status)+"/"+name, func(t *testing.T) {
					r := createInStatus(t, st, fmt.Sprintf("BAD-%d-%s", i, name), deptA, tc.status)
					err := ops[name](r.ID)
					wantErr(t, err, models.ErrInvalidState, "status is "+string(tc.status))
					after, gerr := st.GetResource(ctx, r.ID)
					if gerr != nil {
						t.Fatal(gerr)
					}
					versions, _ := st.ListResourceVersions(ctx, r.ID)
					if after.Version != r.Version || after.Status != tc.status || len(versions) != r.Version {
						t.Errorf("after refused %s: v%d %s with %d revisions, want v%d %s with %d", name,
							after.Version, after.Status, len(versions), r.Version, tc.status, r.Version)
					}
				})
			}
		}
	})
}

func TestStaleVersionConflicts(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		r := mustCreate(t, st, validResource("STALE-1", deptA), "u")
		if _, err := st.UpdateDraft(ctx, r.ID, 1, func(c *models.CatalogResource) { c.Name = "第二版" }, "u"); err != nil {
			t.Fatal(err)
		}
		// A second editor still holding version 1.
		_, err := st.UpdateDraft(ctx, r.ID, 1, func(c *models.CatalogResource) { c.Name = "覆盖" }, "u2")
		wantErr(t, err, models.ErrConflict, "expected version 1", "current version is 2")
		_, err = st.Submit(ctx, r.ID, 3, "u")
		wantErr(t, err, models.ErrConflict)

		got, _ := st.GetResource(ctx, r.ID)
		if got.Name != "第二版" || got.Version != 2 {
			t.Errorf("after conflicts: %q v%d, want 第二版 v2", got.Name, got.Version)
		}
		// 0 skips the check.
		if sub, err := st.Submit(ctx, r.ID, 0, "u"); err != nil || sub.Version != 3 {
			t.Errorf("submit without expected version = %v, %v", sub, err)
		}
		_, err = st.Submit(ctx, r.ID, -1, "u")
		wantFields(t, err, "version")
	})
}

func TestDuplicateCodeConflicts(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		mustCreate(t, st, validResource("DUP-1", deptA), "u")
		err := st.CreateResource(ctx, validResource("DUP-1", deptB), "u")
		wantErr(t, err, models.ErrConflict, "DUP-1")

		// Codes are case-sensitive on both dialects (binary collation on MySQL).
		mustCreate(t, st, validResource("dup-1", deptA), "u")

		other := mustCreate(t, st, validResource("DUP-2", deptA), "u")
		_, err = st.UpdateDraft(ctx, other.ID, 1, func(c *models.CatalogResource) { c.Code = "DUP-1" }, "u")
		wantErr(t, err, models.ErrConflict)
		versions, _ := st.ListResourceVersions(ctx, other.ID)
		if len(versions) != 1 {
			t.Errorf("failed update left %d revisions, want 1", len(versions))
		}
		items, _, err := st.ListResources(ctx, models.ResourceFilter{Viewer: models.Viewer{SeesAll: true}})
		if err != nil || len(items) != 3 {
			t.Errorf("list = %d items, %v; want 3", len(items), err)
		}
	})
}

func TestCreateValidation(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := newStore(t, db)

		r := validResource("COND-1", deptA)
		r.ShareType = models.ShareConditional
		r.ShareConditions = "经审核后提供"
		err := st.CreateResource(ctx, r, "u")
		ve := wantFields(t, err, "legal_basis")
		if !strings.Contains(ve.Fields["legal_basis"], "辽宁 第十二条第二款") {
			t.Errorf("legal_basis message %q does not cite 辽宁 第十二条第二款", ve.Fields["legal_basis"])
		}

		err = st.CreateResource(ctx, validResource("NODEPT-1", "no-such-dept"), "u")
		wantFields(t, err, "provider_dept_id")

		err = st.CreateResource(ctx, validResource("NOACTOR-1", deptA), "")
		wantErr(t, err, models.ErrInvalid)

		items, _, _ := st.ListResources(ctx, models.ResourceFilter{Viewer: models.Viewer{SeesAll: true}})
		if len(items) != 0 {
			t.Errorf("rejected creates stored %d rows", len(items))
		}

		ok := mustCreate(t, st, validResource("OK-1", deptA), "u")
		_, err = st.UpdateDraft(ctx, ok.ID, 1, func(c *models.CatalogResource) { c.OpenType = models.OpenNone }, "u")
		wantFields(t, err, "legal_basis")
		_, err = st.UpdateDraft(ctx, ok.ID, 1, func(c *models.CatalogResource) { c.ProviderDeptID = "no-such-dept" }, "u")
		wantFields(t, err, "provider_dept_id")
		got, _ := st.GetResource(ctx, ok.ID)
		if got.Version != 1 || got.OpenType != models.OpenUnconditional {
			t.Errorf("rejected updates changed the row: v%d open %s", got.Version, got.OpenType)
		}
	})
}

func TestUpdateDraftKeepsBookkeeping(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		r := mustCreate(t, st, validResource("KEEP-1", deptA), "u-author")
		got, err := st.UpdateDraft(ctx, r.ID, 1, func(c *models.CatalogResource) {
			c.Status = models.StatusPublished
			c.Version = 99
			c.CreatedBy = "intruder"
			c.ID = 12345
			c.Description = "补充说明"
		}, "u-editor")
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := st.GetResource(ctx, r.ID)
		for _, c := range []*models.CatalogResource{got, stored} {
			if c.ID != r.ID || c.Status != models.StatusDraft || c.Version != 2 || c.CreatedBy != "u-author" || c.Description != "补充说明" {
				t.Errorf("after patch: id %d %s v%d created_by %q description %q", c.ID, c.Status, c.Version, c.CreatedBy, c.Description)
			}
		}

		// A patch that changes nothing is not a revision.
		same, err := st.UpdateDraft(ctx, r.ID, 2, func(c *models.CatalogResource) { c.Description = "补充说明" }, "u-editor")
		if err != nil || same.Version != 2 {
			t.Errorf("no-op update = v%d, %v; want v2", same.Version, err)
		}
		versions, _ := st.ListResourceVersions(ctx, r.ID)
		if len(versions) != 2 {
			t.Errorf("%d revisions after no-op update, want 2", len(versions))
		}
	})
}

func TestNotFound(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		_, err := st.GetResource(ctx, 4242)
		wantErr(t, err, models.ErrNotFound, "4242")
		_, err = st.Submit(ctx, 4242, 0, "u")
		wantErr(t, err, models.ErrNotFound, "4242")
		_, err = st.ListResourceVersions(ctx, 4242)
		wantErr(t, err, models.ErrNotFound)
		_, err = st.GetDepartment(ctx, "nope")
		wantErr(t, err, models.ErrNotFound, "nope")
		_, err = st.GetUser(ctx, "nope")
		wantErr(t, err, models.ErrNotFound, "nope")
	})
}

// Concurrent editors without an expected version must each get their own revision number.
func TestConcurrentUpdatesGetDistinctVersions(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		r := mustCreate(t, st, validResource("RACE-1", deptA), "u")
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				_, errs[i] = st.UpdateDraft(ctx, r.ID, 0, func(c *models.CatalogResource) {
					c.Description = fmt.Sprintf("编辑 %d", i)
				}, fmt.Sprintf("u%d", i))
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("editor %d: %v", i, err)
			}
		}
		got, _ := st.GetResource(ctx, r.ID)
		versions, _ := st.ListResourceVersions(ctx, r.ID)
		if got.Version != n+1 || len(versions) != n+1 {
			t.Fatalf("version %d with %d revisions, want %d", got.Version, len(versions), n+1)
		}
		for i, v := range versions {
			if v.Version != i+1 {
				t.Errorf("revision %d has version %d", i, v.Version)
			}
		}
		last, _ := versions[n].Content()
		if last.Description != got.Description {
			t.Errorf("last revision %q differs from row %q", last.Description, got.Description)
		}
	})
}

// The history is append-only: the unique key refuses a second row for a version.
func TestVersionRowsAreUnique(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		st := newStore(t, db)
		r := mustCreate(t, st, validResource("UNIQ-1", deptA), "u")
		dup := models.CatalogResourceVersion{
			ResourceID: r.ID, Version: 1, Action: models.ActionUpdated, Status: models.StatusDraft,
			Snapshot: "{}", Actor: "intruder", CreatedAt: time.Now().UTC(),
		}
		if err := db.Create(&dup).Error; err == nil {
			t.Fatal("second row for version 1 accepted")
		}
		versions, _ := st.ListResourceVersions(context.Background(), r.ID)
		if len(versions) != 1 || versions[0].Actor != "u" {
			t.Errorf("history = %+v", versions)
		}
	})
}

// TestCatalogEntriesListWhatTheRegulationAsks: 政务数据共享条例 第十五条第二款 — data not for sharing
// lists its reasons and its basis in a 法律、行政法规 or 国务院决定; conditionally shared data lists
// its conditions of use. A resource without them is refused naming the field and the article.
func TestCatalogEntriesListWhatTheRegulationAsks(t *testing.T) {
	none := validResource("NX-T-1", "dept-a")
	none.ShareType = models.ShareNone
	conditional := validResource("NX-T-2", "dept-a")
	conditional.ShareType, conditional.LegalBasis = models.ShareConditional, "《某条例》第十条"
	for _, c := range []struct {
		r     *models.CatalogResource
		field string
	}{{none, "legal_basis"}, {conditional, "share_conditions"}} {
		msg := c.r.Validate()[c.field]
		if !strings.Contains(msg, "《政务数据共享条例》第十五条第二款") {
			t.Errorf("%s %s: %q, want the article named", c.r.Code, c.field, msg)
		}
	}
	if msg := none.Validate()["legal_basis"]; !strings.Contains(msg, "国务院决定") || !strings.Contains(msg, "理由") {
		t.Errorf("not for sharing: %q, want its reasons and a 法律、行政法规 or 国务院决定 basis", msg)
	}
}
