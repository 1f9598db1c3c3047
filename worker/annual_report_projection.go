package worker

import (
	"context"

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
	return saveRow(ctx, in, func(ctx context.Context, r models.AnnualReport) (bool, error) {
		r.ID = models.AnnualReportID(in.Year, in.DepartmentID)
		return p.store.UpsertAnnualReport(ctx, r)
	})
}
