package api

import (
	"github.com/datashare/datashare/internal/supervision"
)

// SupervisionBoard is the data authority's supervision board (督办看板) over every department of
// the jurisdiction in force: their open work now, and how they handled their work in a period.
//
// It counts the tasks of procedure steps — the work departments do (a reply, a verification, a
// catalog update, a rectification, …). The authority's supervision tasks (督办) and extension
// approvals (延期审批) are about a step, not work of their own, and are not counted; a task
// closed without a decision (a withdrawn request) is neither open nor handled. A task counts
// for its candidate department, also when a second department shares it (协商). Working days
// are counted on the China calendar as deadlines are, the day of receipt not counted.
type SupervisionBoard struct {
	// Jurisdiction is the profile in force (DATASHARE_PROFILE), e.g. ningxia.
	Jurisdiction string `json:"jurisdiction"`
	// From and To are the period, both days included (YYYY-MM-DD, China).
	From string `json:"from"`
	To   string `json:"to"`
	// GeneratedAt is the instant the open work is judged at.
	GeneratedAt     string `json:"generated_at"`
	CalendarVersion string `json:"calendar_version"`
	// NearDueWorkdays is the near-due window (黄灯): see BoardNow.
	NearDueWorkdays int `json:"near_due_workdays"`
	// Departments are every department of the jurisdiction, by id, with or without tasks; a
	// department the directory does not list yet gets a row named by its id, after them.
	Departments []BoardDepartment `json:"departments"`
	// Total is every department's tasks together (department_id and name empty).
	Total BoardDepartment `json:"total"`
}

// BoardDepartment is one department's line of the board.
type BoardDepartment struct {
	DepartmentID   string      `json:"department_id"`
	DepartmentName string      `json:"department_name"`
	Now            BoardNow    `json:"now"`
	Period         BoardPeriod `json:"period"`
}

// BoardCounts are open step tasks now.
type BoardCounts struct {
	// Open (在办): not yet completed or closed.
	Open int `json:"open"`
	// NearDue (临期): open and not overdue, with at most near_due_workdays (2) working days
	// left after today up to the due day — the due day itself and the two working days before
	// it, and the days off between: the inbox's reminder points.
	NearDue int `json:"near_due"`
	// Overdue (超期): open past the end of the due day. A task without a deadline is never
	// near due or overdue.
	Overdue int `json:"overdue"`
}

// BoardNow is a department's open work now, in all and by procedure.
type BoardNow struct {
	BoardCounts
	// ByProcedure lists the procedures with open tasks, by code.
	ByProcedure []BoardProcedure `json:"by_procedure"`
}

// BoardProcedure is the open work of one procedure.
type BoardProcedure struct {
	Procedure string `json:"procedure"`
	// ProcedureName is the profile's Chinese name, e.g. 有条件共享申请.
	ProcedureName string `json:"procedure_name"`
	BoardCounts
}

// BoardPeriod is a department's handling over the period, from the start of From to the end
// of To (China time).
type BoardPeriod struct {
	// Handled (办结): step tasks completed in the period, with or without a deadline.
	Handled int `json:"handled"`
	// HandledWithoutDeadline: of those, the ones without a deadline. They count as handled
	// and in the median, and in none of the on-time figures.
	HandledWithoutDeadline int `json:"handled_without_deadline"`
	// HandledOnTime (按期办结): completed no later than due_at, the end of the due day.
	HandledOnTime int `json:"handled_on_time"`
	// HandledLate (超期办结): completed after the due day.
	HandledLate int `json:"handled_late"`
	// OpenOverdue (超期未办结): step tasks still open now whose deadline passed before the end of
	// the period (or before now, while the period runs): late work not done, counted as late.
	OpenOverdue int `json:"open_overdue"`
	// OverdueRate (超期率) = (handled_late + open_overdue) ÷ (handled_on_time + handled_late +
	// open_overdue), a fraction rounded to four decimals (0.25 is 25%); null when nothing is
	// to be judged.
	OverdueRate *float64 `json:"overdue_rate"`
	// MedianWorkdays is the median, over the handled tasks, of the working days from receipt
	// to completion, the day of receipt not counted (completed on the day of receipt: 0); the
	// mean of the two middle values for an even count; null when nothing was handled.
	MedianWorkdays *float64 `json:"median_workdays"`
}

func toBoardDepartment(r supervision.Row, procedureName func(string) string) BoardDepartment {
	counts := func(c supervision.Counts) BoardCounts {
		return BoardCounts{Open: c.Open, NearDue: c.NearDue, Overdue: c.Overdue}
	}
	v := BoardDepartment{
		DepartmentID: r.Department.ID, DepartmentName: r.Department.Name,
		Now: BoardNow{BoardCounts: counts(r.Now), ByProcedure: make([]BoardProcedure, 0, len(r.ByProcedure))},
		Period: BoardPeriod{
			Handled: r.Period.Handled, HandledWithoutDeadline: r.Period.HandledWithoutDeadline,
			HandledOnTime: r.Period.HandledOnTime, HandledLate: r.Period.HandledLate, OpenOverdue: r.Period.OpenOverdue,
			OverdueRate: r.Period.OverdueRate, MedianWorkdays: r.Period.MedianWorkdays,
		},
	}
	for _, p := range r.ByProcedure {
		v.Now.ByProcedure = append(v.Now.ByProcedure, BoardProcedure{Procedure: p.Procedure,
			ProcedureName: procedureName(p.Procedure), BoardCounts: counts(p.Counts)})
	}
	return v
}
