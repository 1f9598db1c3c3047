package supervision

import (
	"fmt"
	"testing"
	"time"

	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/models"
)

func officialCalendar(t testing.TB) *calendar.Calendar {
	t.Helper()
	c, err := calendar.New(calendar.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// at is an instant in China.
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.Location())
	if err != nil {
		panic(err)
	}
	return t
}

// dueOn is the deadline stored for a step due on that day: its last second.
func dueOn(day string) *time.Time {
	t := at(day + " 23:59").Add(59 * time.Second)
	return &t
}

func date(s string) calendar.Date {
	d, err := calendar.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Handled, on time, the overdue rate and the median in working days of two departments whose
// work crosses the National Day holiday of 2026 (1–7 Oct off; Sunday 20 Sep and Saturday 10 Oct
// worked). Every deadline is checked against the calendar's own count, so the table states what
// the workflows would have stored.
func TestComputeAcrossNationalDay(t *testing.T) {
	cal := officialCalendar(t)
	type task struct {
		name, dept, procedure, status string
		received                      string
		workdays                      int    // the step's deadline in working days; 0: none
		dueDay                        string // what the count of workdays gives
		completed                     string // completed: when
		took                          int    // completed: working days from receipt, as counted
	}
	tasks := []task{
		// 市场监管 (a): received Monday 28 Sep, 5 WD: 29, 30, 8, 9, 10 (make-up Saturday).
		{"a-on-time", "a", "share", "completed", "2026-09-28 10:00", 5, "2026-10-10", "2026-10-09 15:00", 4},
		// received Wednesday 30 Sep, 3 WD: 8, 9, 10; completed Monday 12 Oct: late.
		{"a-late", "a", "share", "completed", "2026-09-30 09:00", 3, "2026-10-10", "2026-10-12 10:00", 4},
		// received Friday 25 Sep, 10 WD: 28, 29, 30, 8, 9, 10, 12, 13, 14, 15.
		{"a-long", "a", "share", "completed", "2026-09-25 16:00", 10, "2026-10-15", "2026-10-14 11:00", 9},
		// no deadline: handled, in the median, in no on-time figure.
		{"a-no-deadline", "a", "share", "completed", "2026-09-29 10:00", 0, "", "2026-10-08 11:00", 2},
		// still open, due 10 Oct: overdue now and late for the period.
		{"a-open-late", "a", "correction", "open", "2026-09-30 09:00", 3, "2026-10-10", "", 0},
		// completed before the period: not this period's.
		{"a-before", "a", "share", "completed", "2026-08-20 10:00", 5, "2026-08-27", "2026-08-31 10:00", 7},
		// closed without a decision (withdrawn): neither open nor handled.
		{"a-closed", "a", "share", "closed", "2026-09-28 10:00", 5, "2026-10-10", "2026-10-09 10:00", 0},
		// 人社 (b): received Thursday 8 Oct, 2 WD: 9, 10; completed on the make-up Saturday.
		{"b-saturday", "b", "share", "completed", "2026-10-08 09:00", 2, "2026-10-10", "2026-10-10 17:00", 2},
		// received Friday 18 Sep, 1 WD: Sunday 20 Sep (worked); completed Monday 21: late.
		{"b-late", "b", "share", "completed", "2026-09-18 10:00", 1, "2026-09-20", "2026-09-21 09:00", 2},
		// decided on the day of receipt: 0 working days.
		{"b-same-day", "b", "share", "completed", "2026-10-12 09:00", 5, "2026-10-19", "2026-10-12 17:00", 0},
		// in the last second of the due day: on time.
		{"b-last-second", "b", "catalog_update", "completed", "2026-10-12 09:00", 1, "2026-10-13", "2026-10-13 23:59", 1},
		// another jurisdiction's department: not on this board.
		{"x-foreign", "x", "share", "open", "2026-09-30 09:00", 3, "2026-10-10", "", 0},
		// a department the directory does not list: a row of its own.
		{"stray", "zz-unknown", "share", "completed", "2026-10-08 09:00", 2, "2026-10-10", "2026-10-09 09:00", 1},
	}
	var in []models.BoardTask
	for _, tc := range tasks {
		b := models.BoardTask{DepartmentID: tc.dept, Procedure: tc.procedure, Status: tc.status, ReceivedAt: at(tc.received)}
		if tc.workdays > 0 {
			res, err := cal.Due(b.ReceivedAt, tc.workdays)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Due.Equal(*dueOn(tc.dueDay)) {
				t.Fatalf("%s: %d working days after %s end %s, the table says %s", tc.name, tc.workdays, tc.received, res.Due, tc.dueDay)
			}
			b.DueAt = &res.Due
		}
		b.UpdatedAt = b.ReceivedAt
		if tc.completed != "" {
			b.UpdatedAt = at(tc.completed)
			if tc.name == "b-last-second" {
				b.UpdatedAt = b.UpdatedAt.Add(59*time.Second + 999*time.Millisecond)
			}
			if tc.status == "completed" {
				if got := cal.WorkdaysAfter(b.ReceivedAt, b.UpdatedAt); got != tc.took {
					t.Fatalf("%s took %d working days, the table says %d", tc.name, got, tc.took)
				}
			}
		}
		in = append(in, b)
	}
	// Open now, judged on Sunday 22 Nov 2026: Mon 23 and Tue 24 are the two working days left.
	in = append(in,
		models.BoardTask{DepartmentID: "a", Procedure: "share", Status: "open", ReceivedAt: at("2026-11-20 10:00"), DueAt: dueOn("2026-11-24")},
		models.BoardTask{DepartmentID: "a", Procedure: "catalog_update", Status: "open", ReceivedAt: at("2026-11-20 10:00"), DueAt: dueOn("2026-11-25")},
		models.BoardTask{DepartmentID: "a", Procedure: "share", Status: "open", ReceivedAt: at("2026-11-20 10:00")},
	)

	board := Compute(Input{
		Calendar: cal, Now: at("2026-11-22 18:00"), From: date("2026-09-01"), To: date("2026-10-31"),
		Departments: []Department{{"a", "市场监管厅"}, {"b", "人社厅"}, {"auth", "主管部门"}},
		Exclude:     map[string]bool{"x": true},
		Tasks:       in,
	})

	rate := func(f float64) *float64 { return &f }
	type want struct {
		id                                             string
		now                                            Counts
		handled, noDeadline, onTime, late, openOverdue int
		rate, median                                   *float64
	}
	wants := []want{
		// (late 1 + open late 1) ÷ (on time 2 + 1 + 1); median of 2, 4, 4, 9.
		{"a", Counts{Open: 4, NearDue: 1, Overdue: 1}, 4, 1, 2, 1, 1, rate(0.5), rate(4)},
		// 1 late of 4 judged; median of 0, 1, 2, 2.
		{"b", Counts{}, 4, 0, 3, 1, 0, rate(0.25), rate(1.5)},
		{"auth", Counts{}, 0, 0, 0, 0, 0, nil, nil},
		{"zz-unknown", Counts{}, 1, 0, 1, 0, 0, rate(0), rate(1)},
		// 3 late of 10 judged; median of 0, 1, 1, 2, 2, 2, 4, 4, 9.
		{"", Counts{Open: 4, NearDue: 1, Overdue: 1}, 9, 1, 6, 2, 1, rate(0.3333), rate(2)},
	}
	rows := append(board.Rows, board.Total)
	if len(rows) != len(wants) {
		t.Fatalf("%d rows, want %d: %+v", len(rows), len(wants), rows)
	}
	show := func(f *float64) string {
		if f == nil {
			return "nil"
		}
		return fmt.Sprint(*f)
	}
	for i, w := range wants {
		r := rows[i]
		p := r.Period
		if r.Department.ID != w.id || r.Now != w.now || p.Handled != w.handled || p.HandledWithoutDeadline != w.noDeadline ||
			p.HandledOnTime != w.onTime || p.HandledLate != w.late || p.OpenOverdue != w.openOverdue ||
			show(p.OverdueRate) != show(w.rate) || show(p.MedianWorkdays) != show(w.median) {
			t.Errorf("row %q: now %+v, period %+v (rate %s, median %s); want %+v", r.Department.ID, r.Now, p,
				show(p.OverdueRate), show(p.MedianWorkdays), w)
		}
	}
	if got := fmt.Sprint(rows[0].ByProcedure); got != "[{catalog_update {1 0 0}} {correction {1 0 1}} {share {2 1 0}}]" {
		t.Errorf("a's open work by procedure = %s", got)
	}
	if rows[3].Department.Name != "zz-unknown" {
		t.Errorf("a department the directory lacks is named by its id: %+v", rows[3].Department)
	}
}

// The near-due window counts working days, not calendar days: before the National Day break a
// task due on Thursday 8 Oct is near due from Tuesday 29 Sep (29 → 30 and 8 left), not earlier.
func TestNearDueAcrossTheHoliday(t *testing.T) {
	cal := officialCalendar(t)
	due := dueOn("2026-10-08")
	tests := []struct {
		now  string
		want Counts
	}{
		{"2026-09-28 12:00", Counts{Open: 1}},             // 29, 30, 8: three left
		{"2026-09-29 09:00", Counts{Open: 1, NearDue: 1}}, // 30, 8
		{"2026-10-03 12:00", Counts{Open: 1, NearDue: 1}}, // the holiday: 8 only
		{"2026-10-08 23:59", Counts{Open: 1, NearDue: 1}}, // the due day itself
		{"2026-10-09 00:00", Counts{Open: 1, Overdue: 1}},
	}
	for _, tc := range tests {
		b := Compute(Input{Calendar: cal, Now: at(tc.now), From: date("2026-01-01"), To: date("2026-12-31"),
			Departments: []Department{{"a", "甲"}},
			Tasks:       []models.BoardTask{{DepartmentID: "a", Procedure: "share", Status: "open", ReceivedAt: at("2026-09-20 10:00"), DueAt: due}}})
		if b.Rows[0].Now != tc.want {
			t.Errorf("at %s: %+v, want %+v", tc.now, b.Rows[0].Now, tc.want)
		}
	}
}

// BenchmarkCompute aggregates 20 000 tasks over 40 departments, a third open, received over
// nine months of 2026: the Go side of the board (the query is BenchmarkListBoardTasks).
//
//	go test -run '^$' -bench Compute ./internal/supervision/
func BenchmarkCompute(b *testing.B) {
	cal := officialCalendar(b)
	base := at("2026-01-05 09:00")
	var tasks []models.BoardTask
	var depts []Department
	for i := range 40 {
		depts = append(depts, Department{ID: fmt.Sprintf("dept-%d", i), Name: "部门"})
	}
	for i := range 20000 {
		received := base.Add(time.Duration(i) * 20 * time.Minute)
		due := received.Add(14 * 24 * time.Hour)
		tasks = append(tasks, models.BoardTask{DepartmentID: depts[i%40].ID, Procedure: []string{"share", "correction", "catalog_update"}[i%3],
			Status: []string{"open", "completed", "completed"}[i%3], ReceivedAt: received, DueAt: &due,
			UpdatedAt: received.Add(time.Duration(i%17) * 24 * time.Hour)})
	}
	in := Input{Calendar: cal, Now: at("2026-11-22 18:00"), From: date("2026-01-01"), To: date("2026-11-22"), Departments: depts, Tasks: tasks}
	b.ReportAllocs()
	for b.Loop() {
		if board := Compute(in); board.Total.Period.Handled == 0 {
			b.Fatal("nothing handled")
		}
	}
}
