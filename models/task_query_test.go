package models_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

// inboxTask is a task of deptA's approvers due on the given day of March 2026 (0: no deadline).
func inboxTask(id string, day int) models.Task {
	cst := time.FixedZone("CST", 8*3600)
	t := models.Task{
		TaskID: id, Revision: 1, Kind: "step", WorkflowID: "wf-" + id, RequestID: "R-" + id,
		Procedure: "share", Step: "reply", CandidateDepartmentID: deptA, CandidateRole: "approver",
		Status: "open", ReceivedAt: time.Date(2026, 2, 12, 10, 0, 0, 0, cst),
		UpdatedAt: time.Date(2026, 2, 12, 10, 0, 0, 0, cst),
	}
	if day > 0 {
		due := time.Date(2026, 3, day, 23, 59, 59, 0, cst)
		t.DueAt = &due
	}
	return t
}

func taskIDs(ts []models.Task) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.TaskID
	}
	return out
}

func TestListInbox(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		put := func(tk models.Task, edit func(*models.Task)) {
			t.Helper()
			if edit != nil {
				edit(&tk)
			}
			if _, err := st.UpsertTask(ctx, tk); err != nil {
				t.Fatalf("upsert %s: %v", tk.TaskID, err)
			}
		}
		// deptA's approver pool: t-3 and t-1 share a due day (ordered by id), t-n1/t-n2 have
		// no deadline and come last.
		put(inboxTask("t-3", 5), nil)
		put(inboxTask("t-1", 5), nil)
		put(inboxTask("t-2", 3), func(tk *models.Task) { tk.Overdue = true })
		put(inboxTask("t-n2", 0), nil)
		put(inboxTask("t-n1", 0), nil)
		put(inboxTask("t-done", 2), func(tk *models.Task) { tk.Status = "completed" })
		put(inboxTask("t-cat", 4), func(tk *models.Task) { tk.Procedure = "catalog_update" })
		// Not deptA approvers': another department, another role; one of deptB's is assigned
		// to our subject (transferred to them by name), so it is listed.
		put(inboxTask("b-1", 1), func(tk *models.Task) { tk.CandidateDepartmentID = deptB })
		put(inboxTask("b-mine", 6), func(tk *models.Task) { tk.CandidateDepartmentID = deptB; tk.Assignee = "alice" })
		put(inboxTask("a-head", 1), func(tk *models.Task) { tk.CandidateRole = "dept_head" })
		// A negotiation shared by deptB's approvers and deptA's applicants (协商).
		proposal := `{"decision":"agree"}`
		put(inboxTask("n-shared", 7), func(tk *models.Task) {
			tk.CandidateDepartmentID, tk.PartnerDepartmentID, tk.PartnerRole = deptB, deptA, "applicant"
			tk.ProposalJSON = &proposal
		})

		approverA := models.InboxFilter{DepartmentID: deptA, Roles: []string{"approver"}, Subject: "alice"}
		yes, no := true, false
		before := time.Date(2026, 3, 5, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
		cases := []struct {
			name string
			edit func(*models.InboxFilter)
			want []string
		}{
			{"all of deptA approvers and alice's, by due time, null last", nil,
				[]string{"t-done", "t-2", "t-cat", "t-1", "t-3", "b-mine", "t-n1", "t-n2"}},
			{"open", func(f *models.InboxFilter) { f.Status = "open" },
				[]string{"t-2", "t-cat", "t-1", "t-3", "b-mine", "t-n1", "t-n2"}},
			{"completed", func(f *models.InboxFilter) { f.Status = "completed" }, []string{"t-done"}},
			{"procedure", func(f *models.InboxFilter) { f.Procedure = "catalog_update" }, []string{"t-cat"}},
			{"overdue", func(f *models.InboxFilter) { f.Overdue = &yes }, []string{"t-2"}},
			{"not overdue, open", func(f *models.InboxFilter) { f.Overdue = &no; f.Status = "open" },
				[]string{"t-cat", "t-1", "t-3", "b-mine", "t-n1", "t-n2"}},
			{"due before 5 March", func(f *models.InboxFilter) { f.DueBefore = &before },
				[]string{"t-done", "t-2", "t-cat"}},
			{"another subject of deptA: the pool only", func(f *models.InboxFilter) { f.Subject = "bob" },
				[]string{"t-done", "t-2", "t-cat", "t-1", "t-3", "t-n1", "t-n2"}},
			{"department head of deptA", func(f *models.InboxFilter) { f.Roles = []string{"dept_head"}; f.Subject = "" },
				[]string{"a-head"}},
			{"two roles", func(f *models.InboxFilter) {
				f.Roles = []string{"approver", "dept_head"}
				f.Status = "open"
				f.Procedure = "share"
				f.Subject = ""
			},
				[]string{"a-head", "t-2", "t-1", "t-3", "t-n1", "t-n2"}},
			{"deptB approver sees deptB's pool, never deptA's", func(f *models.InboxFilter) { f.DepartmentID = deptB; f.Subject = "carol" },
				[]string{"b-1", "b-mine", "n-shared"}},
			{"deptA applicant sees the task deptA shares with deptB", func(f *models.InboxFilter) { f.Roles = []string{"applicant"}; f.Subject = "dave" },
				[]string{"n-shared"}},
			{"no roles and no subject: nothing, even unclaimed tasks", func(f *models.InboxFilter) { f.Roles = nil; f.Subject = "" }, []string{}},
		}
		for _, tc := range cases {
			f := approverA
			if tc.edit != nil {
				tc.edit(&f)
			}
			items, total, next, err := st.ListInbox(ctx, f)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if got := taskIDs(items); !slices.Equal(got, tc.want) || total != int64(len(tc.want)) || next != "" {
				t.Errorf("%s: got %v total %d next %q, want %v", tc.name, got, total, next, tc.want)
			}
		}

		// Pages of three walk the same order without repeats or gaps, across the NULL boundary,
		// and every page reports the total.
		var walked []string
		f := approverA
		f.Limit = 3
		for pages := 0; ; pages++ {
			if pages > 5 {
				t.Fatal("pagination does not end")
			}
			items, total, next, err := st.ListInbox(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if total != 8 {
				t.Fatalf("page %d: total %d, want 8", pages, total)
			}
			walked = append(walked, taskIDs(items)...)
			if next == "" {
				break
			}
			f.Cursor = next
		}
		if want := []string{"t-done", "t-2", "t-cat", "t-1", "t-3", "b-mine", "t-n1", "t-n2"}; !slices.Equal(walked, want) {
			t.Fatalf("paged %v, want %v", walked, want)
		}
		// A page boundary inside the NULL group.
		f = approverA
		f.Limit = 7
		items, _, next, err := st.ListInbox(ctx, f)
		if err != nil || len(items) != 7 || next == "" {
			t.Fatalf("page of 7: %v %d %q", err, len(items), next)
		}
		f.Cursor = next
		if items, _, next, err = st.ListInbox(ctx, f); err != nil || !slices.Equal(taskIDs(items), []string{"t-n2"}) || next != "" {
			t.Fatalf("after the first NULL: %v %v %q", err, taskIDs(items), next)
		}

		// Bad input names its field.
		for name, f := range map[string]models.InboxFilter{
			"status": {DepartmentID: deptA, Roles: []string{"approver"}, Status: "pending"},
			"cursor": {DepartmentID: deptA, Roles: []string{"approver"}, Cursor: "bm90LWEtY3Vyc29y"},
		} {
			_, _, _, err := st.ListInbox(ctx, f)
			var ve *models.ValidationError
			if !errors.As(err, &ve) || ve.Fields[name] == "" {
				t.Errorf("bad %s: err = %v", name, err)
			}
		}
	})
}

func TestListTaskTimeline(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		for _, ev := range []struct {
			task string
			seq  int
		}{{"T1", 2}, {"T2", 1}, {"T1", 1}} {
			_, err := st.AppendTimelineEvent(ctx, models.TimelineEvent{
				EventID: fmt.Sprintf("%s#%d", ev.task, ev.seq), Seq: ev.seq, TaskID: ev.task, WorkflowID: "wf",
				RequestID: "R", Procedure: "share", Step: "reply", Kind: "commented", At: at.Add(time.Duration(ev.seq) * time.Minute),
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		evs, err := st.ListTaskTimeline(ctx, "T1")
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 2 || evs[0].EventID != "T1#1" || evs[1].EventID != "T1#2" {
			t.Fatalf("timeline of T1 = %+v", evs)
		}
	})
}

// TestListDecided: 已办 lists the tasks one person decided, whoever else shares their
// department, the most recent decision first, paged without gaps, narrowed by step.
func TestListDecided(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		cst := time.FixedZone("CST", 8*3600)
		decided := func(id, by string, hour int, step string) {
			t.Helper()
			tk := inboxTask(id, 5)
			tk.Status, tk.Decision, tk.DecidedBy, tk.Step = "completed", "approve", by, step
			tk.UpdatedAt = time.Date(2026, 3, 2, hour, 0, 0, 0, cst)
			if _, err := st.UpsertTask(ctx, tk); err != nil {
				t.Fatalf("upsert %s: %v", id, err)
			}
		}
		decided("d-1", "alice", 9, "reply")
		decided("d-2", "bob", 10, "reply") // same department, decided by another approver
		decided("d-3", "alice", 11, "negotiation")
		decided("d-4", "alice", 12, "reply")
		decided("d-5", "alice", 12, "reply") // same time as d-4: the id breaks the tie
		if _, err := st.UpsertTask(ctx, inboxTask("o-1", 3)); err != nil {
			t.Fatal(err)
		}

		var got []string
		f := models.InboxFilter{Limit: 2}
		for page := 0; ; page++ {
			items, total, next, err := st.ListDecided(ctx, "alice", f)
			if err != nil {
				t.Fatal(err)
			}
			if total != 4 {
				t.Errorf("total = %d, want 4", total)
			}
			got = append(got, taskIDs(items)...)
			if next == "" || page > 3 {
				break
			}
			f.Cursor = next
		}
		if want := []string{"d-5", "d-4", "d-3", "d-1"}; !slices.Equal(got, want) {
			t.Errorf("alice's 已办 = %v, want %v", got, want)
		}
		items, _, _, err := st.ListDecided(ctx, "alice", models.InboxFilter{Step: "negotiation"})
		if err != nil || !slices.Equal(taskIDs(items), []string{"d-3"}) {
			t.Errorf("step negotiation = %v, %v", taskIDs(items), err)
		}
		items, _, _, err = st.ListDecided(ctx, "", models.InboxFilter{})
		if err != nil || len(items) != 0 {
			t.Errorf("no subject = %v, %v", taskIDs(items), err)
		}
		if _, _, _, err := st.ListDecided(ctx, "alice", models.InboxFilter{Cursor: "t1:bad"}); !errors.As(err, new(*models.ValidationError)) {
			t.Errorf("foreign cursor: %v, want a validation error", err)
		}
		// The inbox's step filter.
		items, _, _, err = st.ListInbox(ctx, models.InboxFilter{DepartmentID: deptA, Roles: []string{"approver"},
			Status: "completed", Step: "negotiation"})
		if err != nil || !slices.Equal(taskIDs(items), []string{"d-3"}) {
			t.Errorf("inbox step negotiation = %v, %v", taskIDs(items), err)
		}
	})
}
