package worker

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/datashare/datashare/activities"
	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/models"
)

// annualReportProjection serves the annual-report activities from the read model.
type annualReportProjection struct {
	store *models.Store
}

var _ activities.AnnualReportStore = annualReportProjection{}

func (p annualReportProjection) ReportingDepartments(ctx context.Context, jurisdiction string) ([]string, string, error) {
	return p.store.ReportingDepartments(ctx, jurisdiction)
}

func (p annualReportProjection) ReportCounts(ctx context.Context, year int, departmentID string) (activities.ReportCounts, error) {
	c, err := p.store.ReportCounts(ctx, year, departmentID, calendar.Location())
	if err != nil {
		return activities.ReportCounts{}, err
	}
	out := activities.ReportCounts{RequestsReceived: c.RequestsReceived, TasksOverdue: c.TasksOverdue,
		GrantsActive: c.GrantsActive, Corrections: c.Corrections}
	for _, a := range c.Answers {
		out.Answers = append(out.Answers, activities.AnswerTimes{ReceivedAt: a.ReceivedAt, DecidedAt: a.DecidedAt, DueAt: a.DueAt})
	}
	return out, nil
}

func (p annualReportProjection) SaveAnnualReport(ctx context.Context, in activities.ProjectAnnualReportInput) error {
	legal := in.LegalBasis
	if legal == nil {
		legal = []string{}
	}
	legalJSON, err := json.Marshal(legal)
	if err != nil {
		return fmt.Errorf("%w: encode legal basis: %v", activities.ErrRejected, err)
	}
	figures := in.Figures
	if figures == nil {
		figures = map[string]any{}
	}
	figuresJSON, err := json.Marshal(figures)
	if err != nil {
		return fmt.Errorf("%w: encode figures: %v", activities.ErrRejected, err)
	}
	_, err = p.store.UpsertAnnualReport(ctx, models.AnnualReport{
		ID: models.AnnualReportID(in.Year, in.DepartmentID), Year: in.Year, DepartmentID: in.DepartmentID,
		Step: in.Step, Status: in.Status, DueAt: in.DueAt, LegalBasisJSON: string(legalJSON),
		LocalDefault: in.LocalDefault, FiguresJSON: string(figuresJSON), Report: in.Report,
		SubmittedBy: in.SubmittedBy, SubmittedAt: in.SubmittedAt, Overdue: in.Overdue,
		WorkflowID: in.WorkflowID, Revision: in.Revision, CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt,
	})
	return rejected(err)
}
