package models_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

// BenchmarkListInbox pages a department's open inbox in a read model of 20 000 tasks spread
// over 40 departments, a fifth of them shared with a partner department (negotiations): the
// candidate and partner conditions are ORed, each with its own index.
//
//	go test -run '^$' -bench ListInbox ./models/ (MySQL too with DATASHARE_TEST_MYSQL_DSN)
func BenchmarkListInbox(b *testing.B) {
	for _, dialect := range modelstest.Dialects() {
		b.Run(dialect, func(b *testing.B) {
			db := modelstest.New(b, dialect)
			st := models.NewStore(db)
			ctx := context.Background()
			base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
			const tasks, depts = 20000, 40
			rows := make([]models.Task, 0, 500)
			flush := func() {
				if err := db.CreateInBatches(rows, 500).Error; err != nil {
					b.Fatal(err)
				}
				rows = rows[:0]
			}
			for i := range tasks {
				due := base.Add(time.Duration(i%500) * time.Hour)
				t := models.Task{TaskID: fmt.Sprintf("wf-%d/reply/1", i), Revision: 1, Kind: "step",
					WorkflowID: fmt.Sprintf("wf-%d", i), RequestID: fmt.Sprintf("R-%d", i), Procedure: "share", Step: "reply",
					CandidateDepartmentID: fmt.Sprintf("dept-%d", i%depts), CandidateRole: "approver",
					Status: []string{"open", "completed", "completed"}[i%3], DecisionsJSON: "[]", LegalBasisJSON: "[]",
					ReceivedAt: base, DueAt: &due, UpdatedAt: base}
				if i%5 == 0 {
					t.Step, t.PartnerDepartmentID, t.PartnerRole = "negotiate", fmt.Sprintf("dept-%d", (i+7)%depts), "applicant"
				}
				rows = append(rows, t)
				if len(rows) == cap(rows) {
					flush()
				}
			}
			flush()
			f := models.InboxFilter{DepartmentID: "dept-3", Roles: []string{"approver", "applicant"}, Subject: "someone", Status: "open", Limit: 20}
			b.ResetTimer()
			for b.Loop() {
				items, total, _, err := st.ListInbox(ctx, f)
				if err != nil || len(items) != 20 || total == 0 {
					b.Fatalf("%d items of %d: %v", len(items), total, err)
				}
			}
		})
	}
}
