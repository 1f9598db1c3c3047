package contract

import (
	"fmt"
	"time"
)

// Annual reports (年度报告, 宁夏 第十七条, 内乡 第六十条): every 1 January a Schedule opens a round,
// which opens a report task for each department (due at the end of January) and the
// authority's summary (内乡: due at the end of February).
const (
	// AnnualReportScheduleID fires AnnualReportRoundWorkflow every 1 January.
	AnnualReportScheduleID = "datashare-annual-reports"
	// AnnualReportRoundWorkflowType opens a year's round. Input AnnualReportRoundInput.
	AnnualReportRoundWorkflowType = "AnnualReportRoundWorkflow"
	// AnnualReportWorkflowType is one department's report, or the authority's summary.
	// Input AnnualReportInput.
	AnnualReportWorkflowType = "AnnualReportWorkflow"

	// QueryAnnualReport returns an AnnualReportState.
	QueryAnnualReport = "annual_report"
)

// Steps of the annual_report procedure.
const (
	StepDepartmentReport = "department_report"
	StepSummaryReport    = "summary_report"
)

// DecisionSubmitReport submits the report; it requires "report", the text (the prefilled
// figures travel with it).
const DecisionSubmitReport = "submit"

// Annual report statuses; also the values of StatusKey.
const (
	AnnualReportOpen      = "open"
	AnnualReportSubmitted = "submitted"
)

// AnnualReportRoundWorkflowID is the workflow ID of the round the authority opens on demand.
func AnnualReportRoundWorkflowID(year int) string { return fmt.Sprintf("annual-report-round-%d", year) }

// AnnualReportWorkflowID is the workflow ID of one department's report of a year; a second
// round of the same year finds it taken and opens nothing twice.
func AnnualReportWorkflowID(year int, departmentID string) string {
	return fmt.Sprintf("annual-report-%d-%s", year, departmentID)
}

// AnnualReportRoundInput starts a round.
type AnnualReportRoundInput struct {
	// Year reported on; 0 is the year before the round runs (China time), as the schedule
	// sends it.
	Year int `json:"year"`
	// OpenedBy is the authority's subject for a round opened on demand; empty for the schedule.
	OpenedBy string `json:"opened_by,omitempty"`
}

// AnnualReportRoundResult lists the reports the round opened.
type AnnualReportRoundResult struct {
	Year    int      `json:"year"`
	Opened  []string `json:"opened"`  // workflow ids started by this round
	Skipped []string `json:"skipped"` // already opened by an earlier round
}

// AnnualReportInput starts one report.
type AnnualReportInput struct {
	Year         int    `json:"year"`
	Step         string `json:"step"` // StepDepartmentReport or StepSummaryReport
	DepartmentID string `json:"department_id"`
	// AuthorityDeptID supervises overdue reports.
	AuthorityDeptID string    `json:"authority_dept_id"`
	Jurisdiction    string    `json:"jurisdiction"`
	ReceivedAt      time.Time `json:"received_at"`
}

// AnnualReportState is the whole state of a report; QueryAnnualReport returns it.
type AnnualReportState struct {
	Input        AnnualReportInput `json:"input"`
	Jurisdiction string            `json:"jurisdiction"`
	Status       string            `json:"status"`
	DueAt        *time.Time        `json:"due_at,omitempty"`
	LegalBasis   []string          `json:"legal_basis,omitempty"`
	LocalDefault bool              `json:"local_default,omitempty"`
	// Figures are prefilled from the read model when the report opens.
	Figures     map[string]any `json:"figures,omitempty"`
	Report      string         `json:"report,omitempty"`
	SubmittedBy string         `json:"submitted_by,omitempty"`
	SubmittedAt *time.Time     `json:"submitted_at,omitempty"`
	Overdue     bool           `json:"overdue"`
	Revision    int            `json:"revision"`
}
