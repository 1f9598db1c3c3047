package models_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

// The board reads every open step and the steps completed in the period, [from, to): not the
// supervision and extension tasks about a step, not the steps closed without a decision.
func TestListBoardTasks(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		cst := time.FixedZone("CST", 8*3600)
		from := time.Date(2026, 10, 1, 0, 0, 0, 0, cst)
		to := time.Date(2026, 11, 1, 0, 0, 0, 0, cst)
		received := time.Date(2026, 9, 28, 9, 30, 0, 0, cst)
		due := time.Date(2026, 10, 12, 23, 59, 59, 0, cst)
		put := func(dept, kind, status string, updated time.Time, due *time.Time) {
			t.Helper()
			id := fmt.Sprintf("wf-%s/reply/1", dept)
			tk := models.Task{TaskID: id, Revision: 1, Kind: kind, WorkflowID: "wf-" + dept, RequestID: "R-" + dept,
				Procedure: "share", Step: "reply", CandidateDepartmentID: dept, CandidateRole: "approver",
				Status: status, ReceivedAt: received, DueAt: due, UpdatedAt: updated}
			if _, err := st.UpsertTask(ctx, tk); err != nil {
				t.Fatalf("upsert %s: %v", id, err)
			}
		}
		put("open", "step", "open", received, &due)
		put("open-no-deadline", "step", "open", received, nil)
		put("done-first-instant", "step", "completed", from, &due)
		put("done-last-instant", "step", "completed", to.Add(-time.Microsecond), &due)
		put("done-before", "step", "completed", from.Add(-time.Microsecond), &due)
		put("done-after", "step", "completed", to, &due)
		put("closed", "step", "closed", from.Add(time.Hour), &due)
		put("supervision", "supervision", "open", received, nil)
		put("extension", "extension", "completed", from.Add(time.Hour), nil)

		got, err := st.ListBoardTasks(ctx, from, to)
		if err != nil {
			t.Fatal(err)
		}
		var depts []string
		for _, b := range got {
			depts = append(depts, b.DepartmentID)
		}
		slices.Sort(depts)
		want := []string{"done-first-instant", "done-last-instant", "open", "open-no-deadline"}
		if !slices.Equal(depts, want) {
			t.Fatalf("board tasks of %v, want %v", depts, want)
		}
		for _, b := range got {
			switch b.DepartmentID {
			case "open":
				if b.Procedure != "share" || b.Status != "open" || !b.ReceivedAt.Equal(received) || b.DueAt == nil || !b.DueAt.Equal(due) {
					t.Errorf("open task read back as %+v", b)
				}
			case "open-no-deadline":
				if b.DueAt != nil {
					t.Errorf("a task without a deadline read back with %v", b.DueAt)
				}
			case "done-first-instant":
				if b.Status != "completed" || !b.UpdatedAt.Equal(from) {
					t.Errorf("completed task read back as %+v", b)
				}
			}
		}
	})
}
