package models_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

// TestListShareRequestsScopesFiltersAndPages: a department sees its requests as applicant or
// provider, the authority all; status, resource and overdue filter; pages run newest first.
func TestListShareRequestsScopesFiltersAndPages(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		now := time.Date(2026, 3, 10, 12, 0, 0, 0, cstZone)
		past := now.Add(-time.Hour)
		rows := []struct {
			id, applicant, provider, status string
			resource                        int64
			due                             *time.Time
		}{
			{"SR-1", deptB, deptA, models.ShareRequestPending, 7, &past},
			{"SR-2", deptB, deptA, models.ShareRequestGranted, 7, &past},
			{"SR-3", "dept-c", deptA, models.ShareRequestPending, 8, nil},
			{"SR-4", "dept-c", "dept-d", models.ShareRequestPending, 9, nil},
		}
		for _, r := range rows {
			sr := shareRequestAt(1, r.status)
			sr.ID, sr.ApplicantDeptID, sr.ProviderDeptID, sr.DecidingDeptID = r.id, r.applicant, r.provider, r.provider
			sr.ResourceID, sr.DueAt, sr.WorkflowID = r.resource, r.due, "share-request-"+r.id
			if _, err := st.UpsertShareRequest(ctx, sr); err != nil {
				t.Fatal(err)
			}
		}
		ids := func(f models.ShareRequestFilter) []string {
			t.Helper()
			items, _, err := st.ListShareRequests(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			out := []string{}
			for _, it := range items {
				out = append(out, it.ID)
			}
			return out
		}
		yes, no := true, false
		cases := []struct {
			name string
			f    models.ShareRequestFilter
			want []string
		}{
			{"applicant", models.ShareRequestFilter{DepartmentID: deptB}, []string{"SR-2", "SR-1"}},
			{"provider", models.ShareRequestFilter{DepartmentID: deptA}, []string{"SR-3", "SR-2", "SR-1"}},
			{"authority", models.ShareRequestFilter{SeesAll: true}, []string{"SR-4", "SR-3", "SR-2", "SR-1"}},
			{"no department", models.ShareRequestFilter{}, []string{}},
			{"status", models.ShareRequestFilter{DepartmentID: deptA, Status: models.ShareRequestPending}, []string{"SR-3", "SR-1"}},
			{"resource", models.ShareRequestFilter{SeesAll: true, ResourceID: 7}, []string{"SR-2", "SR-1"}},
			{"overdue", models.ShareRequestFilter{SeesAll: true, Overdue: &yes, Now: now}, []string{"SR-1"}},
			{"not overdue", models.ShareRequestFilter{SeesAll: true, Overdue: &no, Now: now}, []string{"SR-4", "SR-3", "SR-2"}},
		}
		for _, tc := range cases {
			if got := ids(tc.f); !equalStrings(got, tc.want) {
				t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
			}
		}
		var seen []string
		cursor := ""
		for range 5 {
			items, next, err := st.ListShareRequests(ctx, models.ShareRequestFilter{SeesAll: true, Limit: 3, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range items {
				seen = append(seen, it.ID)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if !equalStrings(seen, []string{"SR-4", "SR-3", "SR-2", "SR-1"}) {
			t.Fatalf("pages = %v", seen)
		}
		if _, _, err := st.ListShareRequests(ctx, models.ShareRequestFilter{SeesAll: true, Cursor: "bad!", Status: "x"}); err == nil {
			t.Fatal("bad cursor and status accepted")
		} else {
			wantFields(t, err, "cursor", "status")
		}
	})
}

func TestListGrantsAndRequestTasks(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		g := grantAt(1, models.GrantActive)
		if _, err := st.UpsertGrant(ctx, g); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			f    models.GrantFilter
			want int
		}{
			{models.GrantFilter{DepartmentID: deptA}, 1},
			{models.GrantFilter{DepartmentID: deptB}, 1},
			{models.GrantFilter{DepartmentID: "dept-c"}, 0},
			{models.GrantFilter{SeesAll: true, Status: models.GrantSuspended}, 0},
			{models.GrantFilter{SeesAll: true, ResourceID: 7}, 1},
		} {
			items, _, err := st.ListGrants(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != tc.want {
				t.Errorf("%+v: %d grants, want %d", tc.f, len(items), tc.want)
			}
		}
		for i, status := range []string{"open", "completed"} {
			task := models.Task{TaskID: "share-request-SR-1/reply/" + itoaTest(i+1), Revision: 1, Kind: "step", WorkflowID: "share-request-SR-1",
				RequestID: "SR-1", Procedure: "share", Step: "reply", CandidateDepartmentID: deptA, CandidateRole: "approver",
				Status: status, ReceivedAt: time.Date(2026, 2, 12, 10, i, 0, 0, cstZone)}
			if _, err := st.UpsertTask(ctx, task); err != nil {
				t.Fatal(err)
			}
		}
		open, err := st.ListRequestTasks(ctx, "SR-1", "open")
		if err != nil {
			t.Fatal(err)
		}
		if len(open) != 1 || open[0].TaskID != "share-request-SR-1/reply/1" {
			t.Fatalf("open tasks = %+v", open)
		}
		all, err := st.ListRequestTasks(ctx, "SR-1", "")
		if err != nil || len(all) != 2 {
			t.Fatalf("all tasks = %d, %v", len(all), err)
		}
	})
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func itoaTest(n int) string { return string(rune('0' + n)) }
