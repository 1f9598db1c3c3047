package models_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
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

// TestListInboxWaysIn: a task reaches the inbox as its department's candidate, as its
// partner, or claimed by the reader, and each way is read in the inbox order on its own
// (migration 00019); the page merges them. A task that comes by two or three ways is listed
// and counted once, tasks without a deadline come last whichever way they came, paging
// through everything — pages of one task included, so that every boundary is crossed —
// yields each task exactly once in the order, every page reports the total, and cursors in
// the form issued before the ways were read apart go on where they stopped.
func TestListInboxWaysIn(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ctx := context.Background()
		st := models.NewStore(db)
		var all []models.Task
		put := func(tk models.Task, edit func(*models.Task)) {
			t.Helper()
			if edit != nil {
				edit(&tk)
			}
			if _, err := st.UpsertTask(ctx, tk); err != nil {
				t.Fatalf("upsert %s: %v", tk.TaskID, err)
			}
			all = append(all, tk)
		}
		candidate := func(tk *models.Task) {} // deptA's approvers, as inboxTask makes it
		partner := func(tk *models.Task) {
			tk.CandidateDepartmentID, tk.PartnerDepartmentID, tk.PartnerRole = deptB, deptA, "applicant"
		}
		claimed := func(tk *models.Task) { tk.CandidateDepartmentID, tk.Assignee = deptB, "alice" }
		for i, day := range []int{4, 0, 2, 4, 0, 9, 2, 1, 0, 4} {
			put(inboxTask(fmt.Sprintf("c-%d", i), day), candidate)
			put(inboxTask(fmt.Sprintf("p-%d", i), (day+3)%10), partner)
			put(inboxTask(fmt.Sprintf("a-%d", i), (day+7)%10), claimed)
		}
		// By two ways: the department's and claimed by alice; offered to deptA as candidate
		// and as partner; by all three.
		put(inboxTask("two-claimed", 4), func(tk *models.Task) { tk.Assignee = "alice" })
		put(inboxTask("two-claimed-nodue", 0), func(tk *models.Task) { tk.Assignee = "alice" })
		put(inboxTask("two-partner", 2), func(tk *models.Task) { tk.PartnerDepartmentID, tk.PartnerRole = deptA, "applicant" })
		put(inboxTask("three", 0), func(tk *models.Task) {
			tk.PartnerDepartmentID, tk.PartnerRole, tk.Assignee = deptA, "applicant", "alice"
		})
		// Not alice's: another department's, claimed by bob, deptA's in a role she lacks,
		// deptA's partner role she lacks, and deptA's completed task.
		put(inboxTask("x-b", 1), func(tk *models.Task) { tk.CandidateDepartmentID = deptB })
		put(inboxTask("x-bob", 1), func(tk *models.Task) { tk.CandidateDepartmentID, tk.Assignee = deptB, "bob" })
		put(inboxTask("x-head", 1), func(tk *models.Task) { tk.CandidateRole = "dept_head" })
		put(inboxTask("x-partner-head", 1), func(tk *models.Task) {
			tk.CandidateDepartmentID, tk.PartnerDepartmentID, tk.PartnerRole = deptB, deptA, "dept_head"
		})
		put(inboxTask("x-done", 1), func(tk *models.Task) { tk.Status = "completed" })

		f := models.InboxFilter{DepartmentID: deptA, Roles: []string{"approver", "applicant"}, Subject: "alice", Status: "open"}
		visible := func(tk models.Task) bool {
			dept := tk.CandidateDepartmentID == deptA && slices.Contains(f.Roles, tk.CandidateRole)
			part := tk.PartnerDepartmentID == deptA && slices.Contains(f.Roles, tk.PartnerRole)
			return tk.Status == "open" && (dept || part || tk.Assignee == "alice")
		}
		var want []models.Task
		for _, tk := range all {
			if visible(tk) {
				want = append(want, tk)
			}
		}
		// The inbox order, written out: by deadline, those without one last, then by id.
		slices.SortFunc(want, func(a, b models.Task) int {
			switch {
			case a.DueAt == nil && b.DueAt != nil:
				return 1
			case a.DueAt != nil && b.DueAt == nil:
				return -1
			case a.DueAt != nil:
				if c := a.DueAt.Compare(*b.DueAt); c != 0 {
					return c
				}
			}
			return strings.Compare(a.TaskID, b.TaskID)
		})
		wantIDs := taskIDs(want)
		if len(wantIDs) != 34 {
			t.Fatalf("fixture: %d visible tasks, want 34", len(wantIDs))
		}

		walk := func(f models.InboxFilter) []string {
			t.Helper()
			var walked []string
			for pages := 0; ; pages++ {
				if pages > len(wantIDs)+1 {
					t.Fatalf("limit %d: pagination does not end", f.Limit)
				}
				items, total, next, err := st.ListInbox(ctx, f)
				if err != nil {
					t.Fatalf("limit %d, page %d: %v", f.Limit, pages, err)
				}
				if total != int64(len(wantIDs)) {
					t.Fatalf("limit %d, page %d: total %d, want %d", f.Limit, pages, total, len(wantIDs))
				}
				walked = append(walked, taskIDs(items)...)
				if next == "" {
					return walked
				}
				f.Cursor = next
			}
		}
		for _, limit := range []int{1, 3, 7, 100} {
			g := f
			g.Limit = limit
			if got := walk(g); !slices.Equal(got, wantIDs) {
				t.Errorf("pages of %d: %v, want %v", limit, got, wantIDs)
			}
		}

		// Cursors as the inbox issued them before: "t1:" then the deadline in microseconds
		// since 1970 or "n" for none, "|", the task id; base64url without padding.
		oldCursor := func(tk models.Task) string {
			due := "n"
			if tk.DueAt != nil {
				due = strconv.FormatInt(tk.DueAt.UTC().UnixMicro(), 10)
			}
			return base64.RawURLEncoding.EncodeToString([]byte("t1:" + due + "|" + tk.TaskID))
		}
		for _, at := range []int{0, 5, 20, 29, 33} { // due, due, due, the first and the last without
			if (want[at].DueAt == nil) != (at >= 29) {
				t.Fatalf("fixture: task %d %s due %v", at, want[at].TaskID, want[at].DueAt)
			}
			g := f
			g.Limit, g.Cursor = 100, oldCursor(want[at])
			items, total, next, err := st.ListInbox(ctx, g)
			if err != nil || total != int64(len(wantIDs)) || next != "" || !slices.Equal(taskIDs(items), wantIDs[at+1:]) {
				t.Errorf("after %s (old cursor): %v total %d next %q, %v; want %v", want[at].TaskID, taskIDs(items), total, next, err, wantIDs[at+1:])
			}
		}
		for _, bad := range []string{"t1:x|c-1", "t1:n|", "t2:n|c-1", "t1:253402300800000000|c-1"} {
			g := f
			g.Cursor = base64.RawURLEncoding.EncodeToString([]byte(bad))
			_, _, _, err := st.ListInbox(ctx, g)
			var ve *models.ValidationError
			if !errors.As(err, &ve) || ve.Fields["cursor"] == "" {
				t.Errorf("cursor %q: err = %v, want a validation error naming cursor", bad, err)
			}
		}

		// Every status, as a list of history: the same ways, and the completed task of deptA.
		g := f
		g.Status, g.Limit = "", 4
		if got := walk2(t, st, g); len(got) != len(wantIDs)+1 || !slices.Contains(got, "x-done") {
			t.Errorf("every status: %v", got)
		}

		// The database keeps due_sort with due_at: a deadline given to a task without one
		// moves it from the end to the front, and taking it away moves it back.
		moved := want[len(want)-1]
		early := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
		moved.Revision, moved.DueAt = 2, &early
		if _, err := st.UpsertTask(ctx, moved); err != nil {
			t.Fatal(err)
		}
		g = f
		g.Limit = 1
		if items, _, _, err := st.ListInbox(ctx, g); err != nil || !slices.Equal(taskIDs(items), []string{moved.TaskID}) {
			t.Errorf("after its deadline was set: first %v, %v; want %s", taskIDs(items), err, moved.TaskID)
		}
		moved.Revision, moved.DueAt = 3, nil
		if _, err := st.UpsertTask(ctx, moved); err != nil {
			t.Fatal(err)
		}
		if got := walk(f); !slices.Equal(got, wantIDs) {
			t.Errorf("after its deadline was taken away: %v, want %v", got, wantIDs)
		}
	})
}

// walk2 pages through f and returns the task ids, each page's total checked against the
// number of tasks listed in all.
func walk2(t *testing.T, st *models.Store, f models.InboxFilter) []string {
	t.Helper()
	var walked []string
	var totals []int64
	for pages := 0; pages < 100; pages++ {
		items, total, next, err := st.ListInbox(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		walked, totals = append(walked, taskIDs(items)...), append(totals, total)
		if next == "" {
			break
		}
		f.Cursor = next
	}
	for _, n := range totals {
		if n != int64(len(walked)) {
			t.Errorf("totals %v, %d tasks listed", totals, len(walked))
			break
		}
	}
	seen := map[string]bool{}
	for _, id := range walked {
		if seen[id] {
			t.Errorf("%s listed twice", id)
		}
		seen[id] = true
	}
	return walked
}
