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
			ins := inserter{b: b, db: db}
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
				ins.add(t)
			}
			ins.flush()
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

// BenchmarkListInboxOneDepartment pages the open inbox of one department holding 100, then
// 10 000, open tasks of its approvers — a tenth without a deadline, 500 claimed by the reader
// — beside 2 000 it completed, 300 of other departments it negotiates as a partner, 50 of
// other departments the reader claimed, and 10 000 tasks of 39 other departments: the first
// page and one from the middle of the list (a cursor after the task due in the middle).
//
//	go test -run '^$' -bench ListInboxOneDepartment ./models/ (MySQL too with DATASHARE_TEST_MYSQL_DSN)
func BenchmarkListInboxOneDepartment(b *testing.B) {
	for _, dialect := range modelstest.Dialects() {
		for _, open := range []int{100, 10000} {
			b.Run(fmt.Sprintf("%s/open=%d", dialect, open), func(b *testing.B) {
				db := modelstest.New(b, dialect)
				st := models.NewStore(db)
				ctx := context.Background()
				base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
				ins := inserter{b: b, db: db}
				task := func(id, dept string, i int) models.Task {
					due := base.Add(time.Duration(i%700) * time.Hour)
					return models.Task{TaskID: id, Revision: 1, Kind: "step", WorkflowID: "wf-" + id, RequestID: "R-" + id,
						Procedure: "share", Step: "reply", CandidateDepartmentID: dept, CandidateRole: "approver",
						Status: "open", DecisionsJSON: "[]", LegalBasisJSON: "[]", ReceivedAt: base, DueAt: &due, UpdatedAt: base}
				}
				var middle models.Task
				for i := range open {
					t := task(fmt.Sprintf("mine-%05d/reply/1", i), "dept-0", i)
					if i%10 == 0 {
						t.DueAt = nil
					}
					if i%20 == 1 {
						t.Assignee = "someone"
					}
					if i == min(351, open/2+1) { // due in the middle of the list, not among the tasks without deadline
						middle = t
					}
					ins.add(t)
				}
				for i := range 2000 {
					t := task(fmt.Sprintf("done-%05d/reply/1", i), "dept-0", i)
					t.Status = "completed"
					ins.add(t)
				}
				for i := range 300 {
					t := task(fmt.Sprintf("shared-%05d/negotiate/1", i), fmt.Sprintf("dept-%d", 1+i%39), i)
					t.Step, t.PartnerDepartmentID, t.PartnerRole = "negotiate", "dept-0", "applicant"
					ins.add(t)
				}
				for i := range 50 {
					t := task(fmt.Sprintf("claimed-%05d/reply/1", i), fmt.Sprintf("dept-%d", 1+i%39), i)
					t.Assignee = "someone"
					ins.add(t)
				}
				for i := range 10000 {
					t := task(fmt.Sprintf("other-%05d/reply/1", i), fmt.Sprintf("dept-%d", 1+i%39), i)
					t.Status = []string{"open", "completed"}[i%2]
					ins.add(t)
				}
				ins.flush()
				want := int64(open + 300 + 50)
				for _, page := range []struct{ name, cursor string }{{"first", ""}, {"later", models.InboxCursorAfter(middle)}} {
					f := models.InboxFilter{DepartmentID: "dept-0", Roles: []string{"approver", "applicant"}, Subject: "someone",
						Status: "open", Limit: 20, Cursor: page.cursor}
					b.Run(page.name, func(b *testing.B) {
						for b.Loop() {
							items, total, _, err := st.ListInbox(ctx, f)
							if err != nil || len(items) != 20 || total != want {
								b.Fatalf("%d items of %d (want %d): %v", len(items), total, want, err)
							}
						}
					})
				}
			})
		}
	}
}

// inserter writes benchmark rows in batches of 500.
type inserter struct {
	b    *testing.B
	db   *gorm.DB
	rows []models.Task
}

func (in *inserter) add(t models.Task) {
	in.rows = append(in.rows, t)
	if len(in.rows) == 500 {
		in.flush()
	}
}

func (in *inserter) flush() {
	if len(in.rows) == 0 {
		return
	}
	if err := in.db.CreateInBatches(in.rows, 500).Error; err != nil {
		in.b.Fatal(err)
	}
	in.rows = in.rows[:0]
}
