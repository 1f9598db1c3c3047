// Package supervision computes the data authority's supervision board (督办看板): the open,
// near-due and overdue work of every department now, and each department's handling over a
// period — tasks handled, handled on time, the overdue rate (超期率) and the median handling
// time in working days.
//
// The figures count the tasks of procedure steps (kind step): the work departments do. The
// authority's supervision tasks (督办) and the extension approvals (延期审批) are about a step,
// not work of their own, and counting them would count one late step two or three times.
// Working days are counted on the China calendar with the counting rule of every deadline
// (internal/calendar): the day of receipt is not counted.
//
// The package is pure: it takes the tasks, the calendar and the clock, and reads nothing.
package supervision

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/models"
)

// NearDueWorkdays is the near-due (临期, 黄灯) window: an open task is near due from the day on
// which this many working days remain up to its due day, the first reminder point of the
// profiles (2 working days before, then the due day). See Counts.
const NearDueWorkdays = 2

// Task statuses the board counts; a task closed without a decision of its own (a withdrawn
// request) is neither open nor handled.
const (
	statusOpen      = "open"
	statusCompleted = "completed"
)

// Department is a row of the board.
type Department struct {
	ID   string
	Name string
}

// Input is what a board is computed from.
type Input struct {
	Calendar *calendar.Calendar
	Now      time.Time
	// From and To are the period, both days included (China dates).
	From, To calendar.Date
	// Departments are the jurisdiction's, one row each in this order, with or without tasks.
	Departments []Department
	// Exclude are departments of other jurisdictions: their tasks are not this board's. A task
	// of a department in neither list (the directory lags the projection) gets a row of its
	// own after the listed ones, named by its id.
	Exclude map[string]bool
	// Tasks are the step tasks open now and those completed in the period, as
	// models.Store.ListBoardTasks reads them; others are ignored.
	Tasks []models.BoardTask
}

// Counts are a department's open work now.
//
//   - Open: its step tasks not yet completed or closed.
//   - Overdue: of those, the ones whose deadline has passed: now is after the end of the due
//     day (due_at is its last second, 23:59:59 +08:00).
//   - NearDue: of those not overdue, the ones with at most NearDueWorkdays working days left
//     after today up to the due day (calendar.WorkdaysRemaining): on the due day itself, and
//     on the two working days before it (and the days off between).
//
// A task without a deadline is open, never near due or overdue.
type Counts struct {
	Open    int
	NearDue int
	Overdue int
}

// ProcedureCounts are the open work of one procedure.
type ProcedureCounts struct {
	Procedure string
	Counts
}

// Period are a department's figures over the period [From 00:00, To+1 00:00) China time.
//
//   - Handled (办结): step tasks completed in the period, with or without a deadline.
//   - HandledWithoutDeadline: of those, the ones without a deadline; they count as handled and
//     in the median, but in none of the on-time figures below.
//   - HandledOnTime (按期办结): completed no later than due_at, the end of the due day.
//   - HandledLate (超期办结): completed after the due day.
//   - OpenOverdue (超期未办结): step tasks still open now whose deadline passed before the end
//     of the period (or before now, for a period not yet over) — late work not done, counted
//     as late. A past period's figure falls as those tasks are handled.
//   - OverdueRate (超期率) = (HandledLate + OpenOverdue) ÷ (HandledOnTime + HandledLate +
//     OpenOverdue), rounded to four decimals; nil when that is 0 ÷ 0.
//   - MedianWorkdays: the median, over the handled tasks, of the working days from receipt to
//     completion (calendar.WorkdaysAfter: the day of receipt not counted; a task completed on
//     the day of receipt took 0); the mean of the two middle values for an even count; nil
//     when nothing was handled.
type Period struct {
	Handled                int
	HandledWithoutDeadline int
	HandledOnTime          int
	HandledLate            int
	OpenOverdue            int
	OverdueRate            *float64
	MedianWorkdays         *float64
}

// Row is one department's line of the board, or the jurisdiction's total.
type Row struct {
	Department  Department
	Now         Counts
	ByProcedure []ProcedureCounts // procedures with open tasks, by code
	Period      Period
}

// Board is the computed board.
type Board struct {
	Rows  []Row
	Total Row // every row's tasks together; its Department is zero
}

// acc accumulates one row.
type acc struct {
	row      Row
	byProc   map[string]*Counts
	workdays []int
}

func newAcc(d Department) *acc { return &acc{row: Row{Department: d}, byProc: map[string]*Counts{}} }

// Compute builds the board. It never fails: a task of a status the board does not count, or
// completed outside the period, is left out.
func Compute(in Input) Board {
	loc := calendar.Location()
	start := time.Date(in.From.Year, in.From.Month, in.From.Day, 0, 0, 0, 0, loc)
	end := time.Date(in.To.Year, in.To.Month, in.To.Day, 0, 0, 0, 0, loc).AddDate(0, 0, 1)
	// Late work not done counts for a period whose end it outlived, and for a running period
	// once its deadline has passed.
	lateCutoff := end
	if in.Now.Before(end) {
		lateCutoff = in.Now
	}

	rows := make(map[string]*acc, len(in.Departments))
	order := make([]*acc, 0, len(in.Departments))
	for _, d := range in.Departments {
		a := newAcc(d)
		rows[d.ID] = a
		order = append(order, a)
	}
	var strays []*acc
	total := newAcc(Department{})
	for i := range in.Tasks {
		t := &in.Tasks[i]
		if in.Exclude[t.DepartmentID] {
			continue
		}
		a, ok := rows[t.DepartmentID]
		if !ok {
			a = newAcc(Department{ID: t.DepartmentID, Name: t.DepartmentID})
			rows[t.DepartmentID] = a
			strays = append(strays, a)
		}
		switch t.Status {
		case statusOpen:
			c := classify(in.Calendar, in.Now, t.DueAt)
			lateOpen := t.DueAt != nil && pastDeadline(lateCutoff, *t.DueAt)
			for _, x := range []*acc{a, total} {
				x.addOpen(t.Procedure, c, lateOpen)
			}
		case statusCompleted:
			if t.UpdatedAt.Before(start) || !t.UpdatedAt.Before(end) {
				continue
			}
			took := in.Calendar.WorkdaysAfter(t.ReceivedAt, t.UpdatedAt)
			for _, x := range []*acc{a, total} {
				x.addHandled(t.DueAt, t.UpdatedAt, took)
			}
		}
	}
	slices.SortFunc(strays, func(x, y *acc) int { return cmp.Compare(x.row.Department.ID, y.row.Department.ID) })
	order = append(order, strays...)

	b := Board{Rows: make([]Row, 0, len(order)), Total: total.finish()}
	for _, a := range order {
		b.Rows = append(b.Rows, a.finish())
	}
	return b
}

// pastDeadline reports whether t is after the deadline due. A deadline is stored as the last
// second of its day (23:59:59 +08:00) and a task goes overdue at 24:00, the instant after it
// (activities.DeadlineResult.OverdueAt); a decision within that last second is on time.
func pastDeadline(t, due time.Time) bool { return !t.Before(due.Add(time.Second)) }

// classify is an open task's contribution to Counts.
func classify(cal *calendar.Calendar, now time.Time, due *time.Time) Counts {
	c := Counts{Open: 1}
	switch {
	case due == nil:
	case pastDeadline(now, *due):
		c.Overdue = 1
	case cal.WorkdaysRemaining(now, *due) <= NearDueWorkdays:
		c.NearDue = 1
	}
	return c
}

func (a *acc) addOpen(procedure string, c Counts, lateOpen bool) {
	a.row.Now.add(c)
	p, ok := a.byProc[procedure]
	if !ok {
		p = &Counts{}
		a.byProc[procedure] = p
	}
	p.add(c)
	if lateOpen {
		a.row.Period.OpenOverdue++
	}
}

func (a *acc) addHandled(due *time.Time, completed time.Time, took int) {
	p := &a.row.Period
	p.Handled++
	switch {
	case due == nil:
		p.HandledWithoutDeadline++
	case pastDeadline(completed, *due):
		p.HandledLate++
	default:
		p.HandledOnTime++
	}
	a.workdays = append(a.workdays, took)
}

func (c *Counts) add(o Counts) {
	c.Open += o.Open
	c.NearDue += o.NearDue
	c.Overdue += o.Overdue
}

// finish derives the rate, the median and the procedure list.
func (a *acc) finish() Row {
	r := a.row
	p := &r.Period
	late := p.HandledLate + p.OpenOverdue
	if judged := p.HandledOnTime + late; judged > 0 {
		rate := math.Round(float64(late)/float64(judged)*1e4) / 1e4
		p.OverdueRate = &rate
	}
	if n := len(a.workdays); n > 0 {
		slices.Sort(a.workdays)
		m := float64(a.workdays[n/2])
		if n%2 == 0 {
			m = float64(a.workdays[n/2-1]+a.workdays[n/2]) / 2
		}
		p.MedianWorkdays = &m
	}
	r.ByProcedure = make([]ProcedureCounts, 0, len(a.byProc))
	for code, c := range a.byProc {
		r.ByProcedure = append(r.ByProcedure, ProcedureCounts{Procedure: code, Counts: *c})
	}
	slices.SortFunc(r.ByProcedure, func(x, y ProcedureCounts) int { return cmp.Compare(x.Procedure, y.Procedure) })
	return r
}
