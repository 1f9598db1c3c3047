package models_test

import (
	"context"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

// A higher revision replaces every column of a case row, zero values too: a bool goes back to
// false, a nullable time to NULL, a text to "", and created_at takes the revision's value. A
// lower revision changes nothing. Times are stored in UTC, empty JSON columns as their empty
// value, a zero updated_at as the time of the write.
func TestCaseRowUpsertWritesZeroValues(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		recorded := time.Date(2026, 10, 13, 0, 0, 1, 123456789, cstZone)
		full := func(rev int) models.Rectification {
			r := rectificationAt("RN-Z", rev, models.RectificationOverdue)
			r.ConsequenceDone, r.ConsequenceLocalDefault, r.ConsequenceRecordedAt = true, true, &recorded
			return r
		}
		if applied, err := st.UpsertRectification(ctx, full(1)); err != nil || !applied {
			t.Fatalf("insert: %v, %v", applied, err)
		}
		got, err := st.GetRectification(ctx, "RN-Z")
		if err != nil {
			t.Fatal(err)
		}
		if !got.ConsequenceDone || !got.ConsequenceLocalDefault || got.ConsequenceRecordedAt == nil ||
			!got.ConsequenceRecordedAt.Equal(recorded.Truncate(time.Microsecond)) || got.ConsequenceRecordedAt.Location() != time.UTC ||
			got.ConsequenceBasisJSON != "[]" || got.LegalBasisJSON != "[]" {
			t.Fatalf("inserted = %+v", got)
		}

		created := time.Date(2026, 9, 30, 9, 0, 0, 0, cstZone)
		zero := rectificationAt("RN-Z", 2, models.RectificationIssued)
		zero.DueAt, zero.FormJSON, zero.CreatedAt, zero.UpdatedAt = nil, "", created, time.Time{}
		before := time.Now().Add(-time.Second)
		if applied, err := st.UpsertRectification(ctx, zero); err != nil || !applied {
			t.Fatalf("higher revision: %v, %v", applied, err)
		}
		got, err = st.GetRectification(ctx, "RN-Z")
		if err != nil {
			t.Fatal(err)
		}
		if got.Revision != 2 || got.ConsequenceDone || got.ConsequenceLocalDefault || got.ConsequenceRecordedAt != nil ||
			got.DueAt != nil || got.FormJSON != "{}" || !got.CreatedAt.Equal(created) || got.UpdatedAt.Before(before) {
			t.Errorf("after the higher revision = %+v", got)
		}

		if applied, err := st.UpsertRectification(ctx, full(1)); err != nil || applied {
			t.Fatalf("lower revision: %v, %v", applied, err)
		}
		got, err = st.GetRectification(ctx, "RN-Z")
		if err != nil {
			t.Fatal(err)
		}
		if got.Revision != 2 || got.ConsequenceDone || got.ConsequenceRecordedAt != nil || got.Status != models.RectificationIssued {
			t.Errorf("after the lower revision = %+v", got)
		}
	})
}

// An update keeps a grant's request_id as inserted, and writes its other columns, empty ones
// too.
func TestCaseRowUpsertKeepsColumns(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		if _, err := st.UpsertGrant(ctx, grantAt(1, models.GrantActive)); err != nil {
			t.Fatal(err)
		}
		g := grantAt(2, models.GrantSuspended)
		g.RequestID, g.Conditions, g.ResourceID = "SR-9", "", 0
		if applied, err := st.UpsertGrant(ctx, g); err != nil || !applied {
			t.Fatalf("higher revision: %v, %v", applied, err)
		}
		got, err := st.GetGrant(ctx, g.ID)
		if err != nil || got.RequestID != "SR-1" || got.Conditions != "" || got.ResourceID != 0 || got.Status != models.GrantSuspended {
			t.Errorf("stored = %+v, %v", got, err)
		}
	})
}

// An annual report is a case row without a Get: its empty JSON columns store their empty
// values, and a higher revision clears what it leaves out.
func TestCaseRowUpsertAnnualReport(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := newStore(t, db)
		submitted := time.Date(2027, 1, 20, 9, 30, 0, 0, cstZone)
		r := models.AnnualReport{ID: models.AnnualReportID(2026, deptA), Year: 2026, DepartmentID: deptA,
			Step: "department_report", Status: "submitted", Report: "年度报告", SubmittedBy: "alice",
			SubmittedAt: &submitted, Overdue: true, WorkflowID: "annual-report-2026", Revision: 1, CreatedAt: submitted}
		if applied, err := st.UpsertAnnualReport(ctx, r); err != nil || !applied {
			t.Fatalf("insert: %v, %v", applied, err)
		}
		if got, err := st.ListAnnualReports(ctx, 2026, deptA); err != nil || len(got) != 1 || got[0].FiguresJSON != "{}" {
			t.Fatalf("inserted = %+v, %v", got, err)
		}
		r.Revision, r.SubmittedAt, r.Overdue, r.Status, r.FiguresJSON = 2, nil, false, "returned", `{"requests":3}`
		if applied, err := st.UpsertAnnualReport(ctx, r); err != nil || !applied {
			t.Fatalf("higher revision: %v, %v", applied, err)
		}
		got, err := st.ListAnnualReports(ctx, 2026, deptA)
		if err != nil || len(got) != 1 {
			t.Fatalf("list = %+v, %v", got, err)
		}
		if g := got[0]; g.Revision != 2 || g.SubmittedAt != nil || g.Overdue || g.FiguresJSON != `{"requests":3}` ||
			g.LegalBasisJSON != "[]" || !g.CreatedAt.Equal(submitted) {
			t.Errorf("stored = %+v", g)
		}
	})
}
