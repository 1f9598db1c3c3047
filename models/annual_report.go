package models

import (
	"context"
	"fmt"
	"time"
)

// AnnualReport is one department's annual report of a year (年度报告), or the authority's
// summary: the projection of its workflow, with the figures prefilled from the read model. A
// row is replaced whole, and only by a higher Revision.
type AnnualReport struct {
	ID           string     `gorm:"column:id;primaryKey"` // <year>-<department>
	Year         int        `gorm:"column:year"`
	DepartmentID string     `gorm:"column:department_id"`
	Step         string     `gorm:"column:step"` // department_report or summary_report
	Status       string     `gorm:"column:status"`
	DueAt        *time.Time `gorm:"column:due_at"`
	// LegalBasisJSON is the deadline's citations, a JSON list of strings.
	LegalBasisJSON string `gorm:"column:legal_basis"`
	LocalDefault   bool   `gorm:"column:local_default"`
	// FiguresJSON is a JSON object of the prefilled figures.
	FiguresJSON string     `gorm:"column:figures"`
	Report      string     `gorm:"column:report"`
	SubmittedBy string     `gorm:"column:submitted_by"`
	SubmittedAt *time.Time `gorm:"column:submitted_at"`
	Overdue     bool       `gorm:"column:overdue"`
	WorkflowID  string     `gorm:"column:workflow_id"`
	Revision    int        `gorm:"column:revision"`
	CreatedAt   time.Time  `gorm:"column:created_at;autoCreateTime:false"`
	UpdatedAt   time.Time  `gorm:"column:updated_at;autoUpdateTime:false"`
}

// TableName pins the table name independently of GORM's naming strategy.
func (AnnualReport) TableName() string { return "annual_reports" }

// AnnualReportID is the key of a department's report of a year.
func AnnualReportID(year int, departmentID string) string {
	return fmt.Sprintf("%d-%s", year, departmentID)
}

// Validate returns invalid fields by column name.
func (r *AnnualReport) Validate() map[string]string {
	f := map[string]string{}
	checkText(f, "id", r.ID, 160, true)
	checkText(f, "department_id", r.DepartmentID, 64, true)
	checkText(f, "step", r.Step, 64, true)
	checkText(f, "status", r.Status, 32, true)
	checkText(f, "workflow_id", r.WorkflowID, 255, true)
	if r.Year < 2000 || r.Year > 2200 {
		f["year"] = "须为 2000-2200 之间的年份"
	}
	if r.Revision < 1 {
		f["revision"] = "须为正整数"
	}
	return f
}

// UpsertAnnualReport stores r unless the stored row has the same or a higher revision.
func (s *Store) UpsertAnnualReport(ctx context.Context, r AnnualReport) (applied bool, err error) {
	return annualReports.upsert(ctx, s, &r)
}

var annualReports = caseTable[AnnualReport, *AnnualReport]{what: "annual report",
	emptyJSON: map[string]string{"legal_basis": "[]", "figures": "{}"}}

// ListAnnualReports returns the reports of a year (0: every year), of one department ("":
// every department), newest year first, then by department.
func (s *Store) ListAnnualReports(ctx context.Context, year int, departmentID string) ([]AnnualReport, error) {
	q := s.db.WithContext(ctx).Model(&AnnualReport{})
	if year != 0 {
		q = q.Where("year = ?", year)
	}
	if departmentID != "" {
		q = q.Where("department_id = ?", departmentID)
	}
	out := []AnnualReport{}
	if err := q.Order("year DESC").Order("department_id").Find(&out).Error; err != nil {
		return nil, dbError(err, "list annual reports of %d", year)
	}
	return out, nil
}

// ReportingDepartments lists the departments of a jurisdiction that report every year (kind
// department), and its data authority ("" when none is registered).
func (s *Store) ReportingDepartments(ctx context.Context, jurisdiction string) (departments []string, authority string, err error) {
	var deps []Department
	if err := s.db.WithContext(ctx).Where("jurisdiction = ?", jurisdiction).Order("id").Find(&deps).Error; err != nil {
		return nil, "", dbError(err, "list departments of %s", jurisdiction)
	}
	departments = []string{}
	for _, d := range deps {
		switch d.Kind {
		case KindDepartment:
			departments = append(departments, d.ID)
		case KindAuthority:
			if authority == "" {
				authority = d.ID
			}
		}
	}
	return departments, authority, nil
}

// AnswerTimes is when one reply task was received and decided.
type AnswerTimes struct {
	ReceivedAt time.Time
	DecidedAt  time.Time
	DueAt      *time.Time
}

// ReportCounts are the raw figures of a department's year (every department's when the id is
// empty): share requests it received, its reply tasks decided (with their times), its tasks
// that went overdue, its active grants, the corrections of its data.
type ReportCounts struct {
	RequestsReceived int64
	Answers          []AnswerTimes
	TasksOverdue     int64
	GrantsActive     int64
	Corrections      int64
}

// ReportCounts gathers a year's figures (China time) from the read model.
func (s *Store) ReportCounts(ctx context.Context, year int, departmentID string, loc *time.Location) (ReportCounts, error) {
	from := dbTime(time.Date(year, 1, 1, 0, 0, 0, 0, loc))
	to := dbTime(time.Date(year+1, 1, 1, 0, 0, 0, 0, loc))
	var c ReportCounts
	db := s.db.WithContext(ctx)

	q := db.Model(&ShareRequest{}).Where("created_at >= ? AND created_at < ?", from, to)
	if departmentID != "" {
		q = q.Where("(provider_dept_id = ? OR deciding_dept_id = ?)", departmentID, departmentID)
	}
	if err := q.Count(&c.RequestsReceived).Error; err != nil {
		return c, dbError(err, "count share requests of %d", year)
	}

	var replies []Task
	q = db.Model(&Task{}).Where("kind = ? AND step = ? AND status = ? AND received_at >= ? AND received_at < ?",
		"step", "reply", "completed", from, to)
	if departmentID != "" {
		q = q.Where("candidate_department_id = ?", departmentID)
	}
	if err := q.Find(&replies).Error; err != nil {
		return c, dbError(err, "list replies of %d", year)
	}
	for _, t := range replies {
		c.Answers = append(c.Answers, AnswerTimes{ReceivedAt: t.ReceivedAt, DecidedAt: t.UpdatedAt, DueAt: t.DueAt})
	}

	q = db.Model(&Task{}).Where("kind = ? AND overdue = ? AND received_at >= ? AND received_at < ?", "step", true, from, to)
	if departmentID != "" {
		q = q.Where("candidate_department_id = ?", departmentID)
	}
	if err := q.Count(&c.TasksOverdue).Error; err != nil {
		return c, dbError(err, "count overdue tasks of %d", year)
	}

	q = db.Model(&Grant{}).Where("status = ?", GrantActive)
	if departmentID != "" {
		q = q.Where("provider_dept_id = ?", departmentID)
	}
	if err := q.Count(&c.GrantsActive).Error; err != nil {
		return c, dbError(err, "count active grants")
	}

	q = db.Model(&Correction{}).Where("created_at >= ? AND created_at < ?", from, to)
	if departmentID != "" {
		q = q.Where("(provider_dept_id = ? OR producer_dept_id = ?)", departmentID, departmentID)
	}
	if err := q.Count(&c.Corrections).Error; err != nil {
		return c, dbError(err, "count corrections of %d", year)
	}
	return c, nil
}
