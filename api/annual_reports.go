package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// AnnualReportStore reads annual reports (年度报告).
type AnnualReportStore interface {
	ListAnnualReports(ctx context.Context, year int, departmentID string) ([]models.AnnualReport, error)
}

// roundWait bounds how long opening a round waits for the round to report what it opened.
const roundWait = 20 * time.Second

// annualReportHandlers open a year's round on demand (the Schedule opens it every 1 January)
// and show the reports: the authority all of them, a department its own.
type annualReportHandlers struct {
	store     AnnualReportStore
	starter   WorkflowStarter
	profile   policy.Profile
	taskQueue string
	now       func() time.Time
}

// AnnualReportRoundInput opens the round of a year.
type AnnualReportRoundInput struct {
	Year int `json:"year" binding:"required"`
}

// AnnualReportRoundView says what opening a round did.
type AnnualReportRoundView struct {
	Year       int      `json:"year"`
	WorkflowID string   `json:"workflow_id"`
	Opened     []string `json:"opened"`  // report workflows started
	Skipped    []string `json:"skipped"` // already opened by an earlier round
}

// AnnualReportView is one report with its prefilled figures.
type AnnualReportView struct {
	Year         int            `json:"year"`
	DepartmentID string         `json:"department_id"`
	Step         string         `json:"step"`
	Status       string         `json:"status"`
	DueAt        *string        `json:"due_at"`
	LegalBasis   []string       `json:"legal_basis"`
	LocalDefault bool           `json:"local_default"`
	DeadlineNote string         `json:"deadline_note,omitempty"`
	Overdue      bool           `json:"overdue"`
	Figures      map[string]any `json:"figures"`
	Report       string         `json:"report,omitempty"`
	SubmittedBy  string         `json:"submitted_by,omitempty"`
	SubmittedAt  *string        `json:"submitted_at,omitempty"`
	WorkflowID   string         `json:"workflow_id"`
	// TaskID is the report task, decided with POST /api/v1/tasks/{id}/complete
	// {"decision":"submit","report":"…"}; URL-safe, as TaskView.ID.
	TaskID string `json:"task_id"`
}

// AnnualReportList lists reports, newest year first.
type AnnualReportList struct {
	Items []AnnualReportView `json:"items"`
}

// AnnualReportYear is a year's round: its reports and how far they are.
type AnnualReportYear struct {
	Year      int                `json:"year"`
	Submitted int                `json:"submitted"`
	Open      int                `json:"open"`
	Overdue   int                `json:"overdue"`
	Items     []AnnualReportView `json:"items"`
}

func (h annualReportHandlers) toView(r *models.AnnualReport) (AnnualReportView, error) {
	v := AnnualReportView{Year: r.Year, DepartmentID: r.DepartmentID, Step: r.Step, Status: r.Status,
		DueAt: formatTimePtr(r.DueAt), LocalDefault: r.LocalDefault, Report: r.Report, SubmittedBy: r.SubmittedBy,
		SubmittedAt: formatTimePtr(r.SubmittedAt), WorkflowID: r.WorkflowID, LegalBasis: []string{}, Figures: map[string]any{},
		TaskID:  publicTaskID(contract.HumanTaskID(r.WorkflowID, r.Step, 1)),
		Overdue: r.Overdue || (r.Status == contract.AnnualReportOpen && r.DueAt != nil && h.now().After(*r.DueAt))}
	if r.LocalDefault {
		v.DeadlineNote = localDefaultNote
	}
	if err := json.Unmarshal([]byte(r.LegalBasisJSON), &v.LegalBasis); err != nil {
		return v, fmt.Errorf("annual report %s: decode legal basis: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(r.FiguresJSON), &v.Figures); err != nil {
		return v, fmt.Errorf("annual report %s: decode figures: %w", r.ID, err)
	}
	return v, nil
}

// scope is whose reports the caller reads: every department's for the authority, its own
// department's otherwise.
func scope(p auth.Principal) string {
	if p.Has(auth.RoleAuthority) {
		return ""
	}
	return p.DepartmentID
}

func (h annualReportHandlers) load(c *gin.Context, year int) ([]AnnualReportView, bool) {
	p := mustPrincipal(c)
	if !p.Has(auth.RoleAuthority) && p.DepartmentID == "" {
		abort(c, forbidden("annual reports are read by departments and the authority"))
		return nil, false
	}
	rows, err := h.store.ListAnnualReports(c.Request.Context(), year, scope(p))
	if err != nil {
		abort(c, err)
		return nil, false
	}
	out := make([]AnnualReportView, 0, len(rows))
	for i := range rows {
		v, err := h.toView(&rows[i])
		if err != nil {
			abort(c, err)
			return nil, false
		}
		out = append(out, v)
	}
	return out, true
}

func (h annualReportHandlers) list(c *gin.Context) {
	if items, ok := h.load(c, 0); ok {
		c.JSON(http.StatusOK, AnnualReportList{Items: items})
	}
}

func (h annualReportHandlers) year(c *gin.Context) {
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil || year < 2000 || year > 2200 {
		abort(c, invalidField("year", "must be a year such as 2025"))
		return
	}
	items, ok := h.load(c, year)
	if !ok {
		return
	}
	out := AnnualReportYear{Year: year, Items: items}
	for _, v := range items {
		switch {
		case v.Status == contract.AnnualReportSubmitted:
			out.Submitted++
		default:
			out.Open++
		}
		if v.Overdue {
			out.Overdue++
		}
	}
	c.JSON(http.StatusOK, out)
}

// open starts the round of a year (authority): every department's report and the summary,
// as the 1 January schedule would; reports a round already opened are left as they are.
func (h annualReportHandlers) open(c *gin.Context) {
	var in AnnualReportRoundInput
	if err := bindJSON(c, &in); err != nil {
		abort(c, err)
		return
	}
	if last := h.now().In(chinaTime).Year() - 1; in.Year < 2000 || in.Year > last {
		abort(c, invalidField("year", fmt.Sprintf("must be a past year, from 2000 to %d", last)))
		return
	}
	if err := procedureInProfile(h.profile, policy.ProcAnnualReport); err != nil {
		abort(c, err)
		return
	}
	ctx := c.Request.Context()
	wid := contract.AnnualReportRoundWorkflowID(in.Year)
	run, err := h.starter.ExecuteWorkflow(ctx, startOptions(wid, h.taskQueue), contract.AnnualReportRoundWorkflowType, contract.AnnualReportRoundInput{Year: in.Year, OpenedBy: mustPrincipal(c).Subject})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		abort(c, &Error{Status: http.StatusConflict, Code: CodeConflict, Message: fmt.Sprintf("the round of %d was already opened on demand (%s)", in.Year, wid)})
		return
	}
	if err != nil {
		abort(c, fmt.Errorf("open the round of %d: %w", in.Year, err))
		return
	}
	wctx, cancel := context.WithTimeout(ctx, roundWait)
	defer cancel()
	var res contract.AnnualReportRoundResult
	if err := run.Get(wctx, &res); err != nil {
		abort(c, fmt.Errorf("round of %d: %w", in.Year, err))
		return
	}
	c.JSON(http.StatusCreated, AnnualReportRoundView{Year: res.Year, WorkflowID: wid, Opened: res.Opened, Skipped: res.Skipped})
}
