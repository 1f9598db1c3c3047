package models_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

func codes(items []models.CatalogResource) []string {
	out := make([]string, 0, len(items))
	for _, r := range items {
		out = append(out, r.Code)
	}
	return out
}

func TestListResourcesFiltersAndVisibility(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := newStore(t, db)

		// Department A: one resource per status, plus a conditional published one.
		createInStatus(t, st, "A-DRAFT", deptA, models.StatusDraft)
		createInStatus(t, st, "A-SUB", deptA, models.StatusSubmitted)
		createInStatus(t, st, "A-PUB", deptA, models.StatusPublished)
		createInStatus(t, st, "A-RET", deptA, models.StatusRetired)
		cond := validResource("A-COND", deptA)
		cond.Name = "GDP 季度统计_100%口径"
		cond.ShareType, cond.ShareConditions = models.ShareConditional, "经审核后提供"
		cond.OpenType, cond.LegalBasis = models.OpenNone, "《中华人民共和国统计法》第三十九条"
		mustCreate(t, st, cond, "u")
		for _, step := range []func() error{
			func() error { _, err := st.Submit(ctx, cond.ID, 0, "u"); return err },
			func() error { _, err := st.Publish(ctx, cond.ID, 0, "u"); return err },
		} {
			if err := step(); err != nil {
				t.Fatal(err)
			}
		}
		// Department B.
		createInStatus(t, st, "B-DRAFT", deptB, models.StatusDraft)
		b := createInStatus(t, st, "B-PUB", deptB, models.StatusPublished)
		if _, err := st.Retire(ctx, b.ID, 0, "u", "停止"); err != nil {
			t.Fatal(err)
		}
		bpub := validResource("B-PUB2", deptB)
		bpub.Name = "GDP10000 年鉴"
		bpub.Description = "含下划线 A_1 的描述"
		mustCreate(t, st, bpub, "u")
		if _, err := st.Submit(ctx, bpub.ID, 0, "u"); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Publish(ctx, bpub.ID, 0, "u"); err != nil {
			t.Fatal(err)
		}

		all := models.Viewer{SeesAll: true}
		tests := []struct {
			name   string
			filter models.ResourceFilter
			want   []string
		}{
			{"authority sees all", models.ResourceFilter{Viewer: all},
				[]string{"A-DRAFT", "A-SUB", "A-PUB", "A-RET", "A-COND", "B-DRAFT", "B-PUB", "B-PUB2"}},
			{"department B sees published and its own", models.ResourceFilter{Viewer: models.Viewer{DepartmentID: deptB}},
				[]string{"A-PUB", "A-COND", "B-DRAFT", "B-PUB", "B-PUB2"}},
			{"citizen sees published only", models.ResourceFilter{},
				[]string{"A-PUB", "A-COND", "B-PUB2"}},
			{"provider filter with visibility", models.ResourceFilter{ProviderDeptID: deptA, Viewer: models.Viewer{DepartmentID: deptB}},
				[]string{"A-PUB", "A-COND"}},
			{"provider filter, own department", models.ResourceFilter{ProviderDeptID: deptA, Viewer: models.Viewer{DepartmentID: deptA}},
				[]string{"A-DRAFT", "A-SUB", "A-PUB", "A-RET", "A-COND"}},
			{"status", models.ResourceFilter{Status: models.StatusRetired, Viewer: all},
				[]string{"A-RET", "B-PUB"}},
			{"share type", models.ResourceFilter{ShareType: models.ShareConditional, Viewer: all},
				[]string{"A-COND"}},
			{"open type", models.ResourceFilter{OpenType: models.OpenNone, Viewer: all},
				[]string{"A-COND"}},
			{"text in name, ASCII case-insensitive", models.ResourceFilter{Text: "gdp", Viewer: all},
				[]string{"A-COND", "B-PUB2"}},
			{"text in code", models.ResourceFilter{Text: "b-pub", Viewer: all},
				[]string{"B-PUB", "B-PUB2"}},
			{"percent is literal", models.ResourceFilter{Text: "100%", Viewer: all},
				[]string{"A-COND"}},
			{"underscore is literal", models.ResourceFilter{Text: "A_1", Viewer: all},
				[]string{"B-PUB2"}},
			{"Chinese text in description", models.ResourceFilter{Text: "下划线", Viewer: all},
				[]string{"B-PUB2"}},
			{"filters combine", models.ResourceFilter{Text: "gdp", ShareType: models.ShareUnconditional, Viewer: all},
				[]string{"B-PUB2"}},
			{"nothing matches", models.ResourceFilter{Text: "不存在的资源", Viewer: all}, []string{}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				items, next, err := st.ListResources(ctx, tc.filter)
				if err != nil {
					t.Fatal(err)
				}
				if got := codes(items); !slices.Equal(got, tc.want) {
					t.Errorf("codes = %v, want %v", got, tc.want)
				}
				if next != "" {
					t.Errorf("next cursor %q on a single page", next)
				}
				for _, r := range items {
					if !tc.filter.Viewer.CanSee(&r) {
						t.Errorf("listed %s, which CanSee refuses", r.Code)
					}
				}
			})
		}
	})
}

func TestListResourcesPagination(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		var want []string
		for i := range 7 {
			r := mustCreate(t, st, validResource(fmt.Sprintf("PAGE-%02d", i), deptA), "u")
			want = append(want, r.Code)
		}
		// A resource of another department in draft, invisible to deptA, between the others.
		mustCreate(t, st, validResource("HIDDEN", deptB), "u")
		r := mustCreate(t, st, validResource("PAGE-07", deptA), "u")
		want = append(want, r.Code)

		viewer := models.Viewer{DepartmentID: deptA}
		var got []string
		var pages []int
		cursor := ""
		for {
			items, next, err := st.ListResources(ctx, models.ResourceFilter{Viewer: viewer, Limit: 3, Cursor: cursor})
			if err != nil {
				t.Fatalf("page after %q: %v", cursor, err)
			}
			got = append(got, codes(items)...)
			pages = append(pages, len(items))
			if len(pages) == 1 {
				// Rows inserted after the first page show up at the end, never twice.
				late := mustCreate(t, st, validResource("PAGE-LATE", deptA), "u")
				want = append(want, late.Code)
			}
			if next == "" {
				break
			}
			if len(pages) > 10 {
				t.Fatal("pagination does not end")
			}
			cursor = next
		}
		if !slices.Equal(got, want) {
			t.Errorf("pages returned %v, want %v", got, want)
		}
		if !slices.Equal(pages, []int{3, 3, 3}) {
			t.Errorf("page sizes %v, want [3 3 3]", pages)
		}

		// The same cursor gives the same page.
		first, next, _ := st.ListResources(ctx, models.ResourceFilter{Viewer: viewer, Limit: 3})
		again, _, _ := st.ListResources(ctx, models.ResourceFilter{Viewer: viewer, Limit: 3, Cursor: next})
		again2, _, _ := st.ListResources(ctx, models.ResourceFilter{Viewer: viewer, Limit: 3, Cursor: next})
		if !slices.Equal(codes(again), codes(again2)) || slices.Contains(codes(again), first[2].Code) {
			t.Errorf("second page not stable: %v then %v", codes(again), codes(again2))
		}
	})
}

func TestListResourcesLimits(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		// Fixture rows straight into the table: the store's lifecycle is tested elsewhere.
		rows := make([]models.CatalogResource, 0, 105)
		for i := range 105 {
			r := validResource(fmt.Sprintf("BULK-%03d", i), deptA)
			r.Status, r.Version, r.CreatedBy, r.UpdatedBy = models.StatusPublished, 1, "u", "u"
			rows = append(rows, *r)
		}
		if err := db.CreateInBatches(rows, 50).Error; err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			limit, want int
		}{{0, models.DefaultPageSize}, {-5, models.DefaultPageSize}, {7, 7}, {1000, models.MaxPageSize}} {
			items, next, err := st.ListResources(ctx, models.ResourceFilter{Limit: tc.limit})
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != tc.want || next == "" {
				t.Errorf("limit %d: %d items, next %q; want %d and a next page", tc.limit, len(items), next, tc.want)
			}
		}
		items, _, _ := st.ListResources(ctx, models.ResourceFilter{Limit: 100})
		rest, next, err := st.ListResources(ctx, models.ResourceFilter{Limit: 100, Cursor: encodeAfter(items[99].ID)})
		if err != nil || len(rest) != 5 || next != "" {
			t.Errorf("last page = %d items, next %q, %v; want 5 and no next page", len(rest), next, err)
		}
	})
}

// encodeAfter builds a cursor the way the store does, to test that the format is checked.
func encodeAfter(id int64) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "r1:%d", id))
}

func TestListResourcesRejectsBadInput(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		mustCreate(t, st, validResource("X-1", deptA), "u")
		b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
		tests := []struct {
			name   string
			filter models.ResourceFilter
			field  string
		}{
			{"not base64", models.ResourceFilter{Cursor: "%%%"}, "cursor"},
			{"wrong prefix", models.ResourceFilter{Cursor: b64("x9:5")}, "cursor"},
			{"not a number", models.ResourceFilter{Cursor: b64("r1:abc")}, "cursor"},
			{"negative", models.ResourceFilter{Cursor: b64("r1:-5")}, "cursor"},
			{"share type", models.ResourceFilter{ShareType: "sometimes"}, "share_type"},
			{"open type", models.ResourceFilter{OpenType: "maybe"}, "open_type"},
			{"status", models.ResourceFilter{Status: "lost"}, "status"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := st.ListResources(ctx, tc.filter)
				wantFields(t, err, tc.field)
			})
		}
	})
}
