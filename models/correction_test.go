package models_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

func correctionAt(id string, resource int64, rev int, status string, closed bool) models.Correction {
	created := time.Date(2026, 2, 12, 10, 0, 0, 0, cstZone)
	due := time.Date(2026, 2, 26, 23, 59, 59, 0, cstZone)
	c := models.Correction{
		ID: id, ResourceID: resource, ResourceCode: "NX-1", ResourceName: "企业年报信息",
		ReporterDeptID: deptB, ReporterSubject: "bob", ProviderDeptID: deptA, ProducerDeptID: deptA,
		FormJSON: `{"fields":["注册资本"],"description":"注册资本与营业执照不一致","evidence":{"attachments":["att-1"],"text":""}}`,
		Status:   status, CurrentStep: "verify", DueAt: &due, WorkflowID: "correction-" + id,
		Revision: rev, CreatedAt: created, UpdatedAt: created.Add(time.Duration(rev) * time.Minute),
	}
	if closed {
		at := created.Add(48 * time.Hour)
		c.ClosedAt, c.DueAt, c.CurrentStep = &at, nil, ""
	}
	return c
}

// A correction is projected by revision: retries and reordered writes keep the highest, and
// only open corrections count for the resource's "under verification" flag.
func TestUpsertCorrectionAndOpenCounts(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		for _, c := range []models.Correction{
			correctionAt("DC-1", 7, 1, models.CorrectionVerifying, false),
			correctionAt("DC-1", 7, 1, models.CorrectionVerifying, false),
			correctionAt("DC-1", 7, 3, models.CorrectionAccepted, true),
			correctionAt("DC-1", 7, 2, models.CorrectionCorrecting, false),
			correctionAt("DC-2", 7, 1, models.CorrectionVerifying, false),
			correctionAt("DC-3", 8, 1, models.CorrectionVerifying, false),
		} {
			if _, err := st.UpsertCorrection(ctx, c); err != nil {
				t.Fatalf("upsert %s revision %d: %v", c.ID, c.Revision, err)
			}
		}
		got, err := st.GetCorrection(ctx, "DC-1")
		if err != nil || got.Revision != 3 || got.Status != models.CorrectionAccepted || got.ClosedAt == nil || !strings.Contains(got.FormJSON, `"fields":["注册资本"]`) {
			t.Fatalf("DC-1 = %+v, %v", got, err)
		}
		counts, err := st.OpenCorrectionCounts(ctx, []int64{7, 8, 9})
		if err != nil || counts[7] != 1 || counts[8] != 1 || counts[9] != 0 {
			t.Errorf("open counts = %v, %v; want 7:1 (DC-1 is closed), 8:1", counts, err)
		}
		if _, err := st.UpsertCorrection(ctx, correctionAt("DC-4", 7, 1, "bogus", false)); err == nil {
			t.Error("an unknown status was stored")
		}
	})
}

// Lists are scoped to the reporter's, provider's and producer's departments unless the caller
// sees all; the overdue filter ignores closed corrections.
func TestListCorrections(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		dispatched := correctionAt("DC-3", 8, 1, models.CorrectionVerifying, false)
		dispatched.ReporterDeptID, dispatched.ProviderDeptID, dispatched.ProducerDeptID = "dept-x", "dept-y", "dept-z"
		for _, c := range []models.Correction{
			correctionAt("DC-1", 7, 1, models.CorrectionVerifying, false),
			correctionAt("DC-2", 7, 1, models.CorrectionAccepted, true),
			dispatched,
		} {
			if _, err := st.UpsertCorrection(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		ids := func(f models.CorrectionFilter) []string {
			t.Helper()
			items, _, err := st.ListCorrections(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, c := range items {
				out = append(out, c.ID)
			}
			return out
		}
		overdue, notOverdue := true, false
		after := time.Date(2026, 3, 1, 0, 0, 0, 0, cstZone)
		for _, c := range []struct {
			name string
			f    models.CorrectionFilter
			want []string
		}{
			{"reporter", models.CorrectionFilter{DepartmentID: deptB}, []string{"DC-2", "DC-1"}},
			{"producer", models.CorrectionFilter{DepartmentID: "dept-z"}, []string{"DC-3"}},
			{"stranger", models.CorrectionFilter{DepartmentID: "dept-q"}, nil},
			{"all", models.CorrectionFilter{SeesAll: true}, []string{"DC-3", "DC-2", "DC-1"}},
			{"status", models.CorrectionFilter{SeesAll: true, Status: models.CorrectionAccepted}, []string{"DC-2"}},
			{"resource", models.CorrectionFilter{SeesAll: true, ResourceID: 8}, []string{"DC-3"}},
			{"overdue", models.CorrectionFilter{SeesAll: true, Overdue: &overdue, Now: after}, []string{"DC-3", "DC-1"}},
			{"not overdue", models.CorrectionFilter{SeesAll: true, Overdue: &notOverdue, Now: after}, []string{"DC-2"}},
		} {
			if got := ids(c.f); len(got) != len(c.want) || (len(got) > 0 && !equalStrings(got, c.want)) {
				t.Errorf("%s: ids = %v, want %v", c.name, got, c.want)
			}
		}
		items, next, err := st.ListCorrections(ctx, models.CorrectionFilter{SeesAll: true, Limit: 2})
		if err != nil || len(items) != 2 || next == "" {
			t.Fatalf("first page = %d items, next %q, %v", len(items), next, err)
		}
		rest, _, err := st.ListCorrections(ctx, models.CorrectionFilter{SeesAll: true, Limit: 2, Cursor: next})
		if err != nil || len(rest) != 1 || rest[0].ID != "DC-1" {
			t.Errorf("second page = %+v, %v", rest, err)
		}
		if _, _, err := st.ListCorrections(ctx, models.CorrectionFilter{SeesAll: true, Status: "nope"}); err == nil {
			t.Error("an unknown status filter was accepted")
		}
	})
}

// Only an active grant valid now lets a department dispute the data it obtained.
func TestHasActiveGrant(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		from := time.Date(2026, 2, 1, 0, 0, 0, 0, cstZone)
		for _, g := range []models.Grant{
			{ID: "G-1", RequestID: "SR-1", ResourceID: 7, ConsumerDeptID: deptB, ProviderDeptID: deptA,
				ValidFrom: from, ValidUntil: from.AddDate(0, 1, 0), Status: models.GrantActive, Revision: 1},
			{ID: "G-2", RequestID: "SR-2", ResourceID: 8, ConsumerDeptID: deptB, ProviderDeptID: deptA,
				ValidFrom: from, ValidUntil: from.AddDate(0, 1, 0), Status: models.GrantSuspended, Revision: 1},
		} {
			if _, err := st.UpsertGrant(ctx, g); err != nil {
				t.Fatal(err)
			}
		}
		in := from.AddDate(0, 0, 10)
		for _, c := range []struct {
			dept     string
			resource int64
			at       time.Time
			want     bool
		}{
			{deptB, 7, in, true},
			{deptB, 7, from.AddDate(0, 2, 0), false}, // expired by time
			{deptB, 8, in, false},                    // suspended
			{deptA, 7, in, false},                    // not the consumer
		} {
			if got, err := st.HasActiveGrant(ctx, c.dept, c.resource, c.at); err != nil || got != c.want {
				t.Errorf("HasActiveGrant(%s, %d, %s) = %v, %v; want %v", c.dept, c.resource, c.at, got, err, c.want)
			}
		}
	})
}
