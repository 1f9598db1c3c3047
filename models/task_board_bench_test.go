package models_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

// BenchmarkListBoardTasks reads the supervision board's tasks from a read model of 20 000
// step tasks over 40 departments, a third open, and as many supervision tasks: one query,
// a scan of the table.
//
//	go test -run '^$' -bench ListBoardTasks ./models/ (MySQL too with DATASHARE_TEST_MYSQL_DSN)
func BenchmarkListBoardTasks(b *testing.B) {
	for _, dialect := range modelstest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			db := modelstest.New(b, dialect)
			st := models.NewStore(db)
			base := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
			const tasks, depts = 20000, 40
			rows := make([]models.Task, 0, 500)
			flush := func() {
				if err := db.CreateInBatches(rows, 500).Error; err != nil {
					b.Fatal(err)
				}
				rows = rows[:0]
			}
			for i := range tasks {
				received := base.Add(time.Duration(i) * 20 * time.Minute) // over ~9 months
				due := received.Add(14 * 24 * time.Hour)
				status := []string{"open", "completed", "completed"}[i%3]
				for _, kind := range []string{"step", "supervision"} {
					id := fmt.Sprintf("wf-%d/reply/1", i)
					if kind == "supervision" {
						id += "/supervision"
					}
					rows = append(rows, models.Task{TaskID: id, Revision: 1, Kind: kind,
						WorkflowID: fmt.Sprintf("wf-%d", i), RequestID: fmt.Sprintf("R-%d", i), Procedure: "share", Step: "reply",
						CandidateDepartmentID: fmt.Sprintf("dept-%d", i%depts), CandidateRole: "approver",
						Status: status, DecisionsJSON: "[]", LegalBasisJSON: "[]",
						ReceivedAt: received, DueAt: &due, UpdatedAt: received.Add(time.Duration(i%17) * 24 * time.Hour)})
					if len(rows) == cap(rows) {
						flush()
					}
				}
			}
			flush()
			ctx := context.Background()
			from, to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
			b.ResetTimer()
			for b.Loop() {
				got, err := st.ListBoardTasks(ctx, from, to)
				if err != nil || len(got) != tasks {
					b.Fatalf("%d tasks: %v", len(got), err)
				}
			}
		})
	}
}
