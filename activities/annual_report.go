package activities

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/datashare/datashare/internal/policy"
)

// AnswerTimes is when one reply was received and decided, as the read model has it.
type AnswerTimes struct {
	ReceivedAt time.Time
	DecidedAt  time.Time
	DueAt      *time.Time
}

// ReportCounts are a department's raw figures of a year.
type ReportCounts struct {
	RequestsReceived int64
	Answers          []AnswerTimes
	TasksOverdue     int64
	GrantsActive     int64
	Corrections      int64
}

// AnnualReportStore reads what annual reports need from the read model and keeps their
// projection.
type AnnualReportStore interface {
	// ReportingDepartments are the departments of a jurisdiction that report, and its
	// authority.
	ReportingDepartments(ctx context.Context, jurisdiction string) (departments []string, authority string, err error)
	// ReportCounts are the raw figures of a year; departmentID "" for every department.
	ReportCounts(ctx context.Context, year int, departmentID string) (ReportCounts, error)
	SaveAnnualReport(ctx context.Context, in ProjectAnnualReportInput) error
}

// AnnualReportActivities open annual reports (年度报告) and prefill their figures.
type AnnualReportActivities struct {
	Store     AnnualReportStore
	Calendars CalendarSource
	Policy    policy.Profile
}

// ReportingDepartmentsResult lists who reports under the profile in force.
type ReportingDepartmentsResult struct {
	Jurisdiction string   `json:"jurisdiction"`
	Departments  []string `json:"departments"`
	Authority    string   `json:"authority"`
}

// ListReportingDepartments lists the departments of the jurisdiction in force and its
// authority. No authority is a non-retryable "invalid" error: nobody could supervise.
func (a *AnnualReportActivities) ListReportingDepartments(ctx context.Context) (ReportingDepartmentsResult, error) {
	deps, authority, err := a.Store.ReportingDepartments(ctx, a.Policy.ID)
	if err != nil {
		return ReportingDepartmentsResult{}, err
	}
	if authority == "" {
		return ReportingDepartmentsResult{}, invalid("no data authority is registered for jurisdiction %s", a.Policy.ID)
	}
	return ReportingDepartmentsResult{Jurisdiction: a.Policy.ID, Departments: deps, Authority: authority}, nil
}

// ReportFiguresInput names the report.
type ReportFiguresInput struct {
	Year int `json:"year"`
	// DepartmentID is the reporting department; "" for the authority's summary of all.
	DepartmentID string `json:"department_id"`
}

// ReportFigures are the prefilled figures of a report (JSON field names are the report's).
type ReportFigures struct {
	RequestsReceived int64 `json:"requests_received"`
	Answered         int64 `json:"answered"`
	AnsweredInTime   int64 `json:"answered_in_time"`
	TasksOverdue     int64 `json:"tasks_overdue"`
	// AverageWorkdaysToAnswer counts working days as deadlines do: the day of receipt not
	// counted; 0 without answers.
	AverageWorkdaysToAnswer float64 `json:"average_workdays_to_answer"`
	GrantsActive            int64   `json:"grants_active"`
	Corrections             int64   `json:"corrections"`
}

// ComputeReportFigures prefills a report from the read model: share requests received,
// replies given and how many in time, tasks that went overdue, the average working days to a
// reply, active grants and corrections of the department's data.
func (a *AnnualReportActivities) ComputeReportFigures(ctx context.Context, in ReportFiguresInput) (ReportFigures, error) {
	c, err := a.Store.ReportCounts(ctx, in.Year, in.DepartmentID)
	if err != nil {
		return ReportFigures{}, err
	}
	cal, err := a.Calendars.Calendar(ctx)
	if err != nil {
		return ReportFigures{}, fmt.Errorf("load calendar: %w", err)
	}
	f := ReportFigures{RequestsReceived: c.RequestsReceived, TasksOverdue: c.TasksOverdue,
		GrantsActive: c.GrantsActive, Corrections: c.Corrections, Answered: int64(len(c.Answers))}
	total := 0
	for _, ans := range c.Answers {
		if ans.DueAt != nil && !ans.DecidedAt.After(*ans.DueAt) {
			f.AnsweredInTime++
		}
		total += cal.WorkdaysAfter(ans.ReceivedAt, ans.DecidedAt)
	}
	if len(c.Answers) > 0 {
		f.AverageWorkdaysToAnswer = math.Round(float64(total)/float64(len(c.Answers))*10) / 10
	}
	return f, nil
}

// ProjectAnnualReportInput is the whole current state of a report as the read model shows it.
type ProjectAnnualReportInput struct {
	Year         int            `json:"year"`
	DepartmentID string         `json:"department_id"`
	Step         string         `json:"step"`
	Status       string         `json:"status"`
	DueAt        *time.Time     `json:"due_at,omitempty"`
	LegalBasis   []string       `json:"legal_basis,omitempty"`
	LocalDefault bool           `json:"local_default,omitempty"`
	Figures      map[string]any `json:"figures,omitempty"`
	Report       string         `json:"report,omitempty"`
	SubmittedBy  string         `json:"submitted_by,omitempty"`
	SubmittedAt  *time.Time     `json:"submitted_at,omitempty"`
	Overdue      bool           `json:"overdue"`
	WorkflowID   string         `json:"workflow_id"`
	Revision     int            `json:"revision"`
	CreatedAt    time.Time      `json:"created_at"`
	UpdatedAt    time.Time      `json:"updated_at"`
}

// ProjectAnnualReport upserts a report, guarded by Revision like every projection.
func (a *AnnualReportActivities) ProjectAnnualReport(ctx context.Context, in ProjectAnnualReportInput) error {
	if err := a.Store.SaveAnnualReport(ctx, in); err != nil {
		if errors.Is(err, ErrRejected) {
			return invalid("project annual report %d/%s: %v", in.Year, in.DepartmentID, err)
		}
		return err
	}
	return nil
}
