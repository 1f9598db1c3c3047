package activities

import (
	"context"
	"testing"
)

type fakeReportStore struct{ counts ReportCounts }

func (f fakeReportStore) ReportingDepartments(context.Context, string) ([]string, string, error) {
	return []string{"d1"}, "", nil
}
func (f fakeReportStore) ReportCounts(context.Context, int, string) (ReportCounts, error) {
	return f.counts, nil
}
func (f fakeReportStore) SaveAnnualReport(context.Context, ProjectAnnualReportInput) error {
	return nil
}

// Figures count replies in time against their deadlines and average the working days to a
// reply the way deadlines count them: received Thursday 12 February 2026 and answered on 26
// February is 5 working days (13, 14 (make-up Saturday), 24, 25, 26 — the Spring Festival in
// between); received Monday 2 March and answered Wednesday 4 March is 2.
func TestComputeReportFigures(t *testing.T) {
	due := cst("2026-02-26T23:59:59+08:00")
	early := cst("2026-03-03T23:59:59+08:00")
	a := &AnnualReportActivities{Calendars: newActivities(t, "ningxia").Calendars, Store: fakeReportStore{counts: ReportCounts{
		RequestsReceived: 3, TasksOverdue: 1, GrantsActive: 2, Corrections: 1,
		Answers: []AnswerTimes{
			{ReceivedAt: cst("2026-02-12T10:00:00+08:00"), DecidedAt: cst("2026-02-26T16:00:00+08:00"), DueAt: &due},
			{ReceivedAt: cst("2026-03-02T10:00:00+08:00"), DecidedAt: cst("2026-03-04T09:00:00+08:00"), DueAt: &early},
		},
	}}}
	f, err := a.ComputeReportFigures(context.Background(), ReportFiguresInput{Year: 2026, DepartmentID: "d1"})
	if err != nil {
		t.Fatal(err)
	}
	want := ReportFigures{RequestsReceived: 3, Answered: 2, AnsweredInTime: 1, TasksOverdue: 1, AverageWorkdaysToAnswer: 3.5, GrantsActive: 2, Corrections: 1}
	if f != want {
		t.Errorf("figures = %+v, want %+v", f, want)
	}
	if _, err := (&AnnualReportActivities{Store: fakeReportStore{}, Policy: newActivities(t, "ningxia").Policy}).ListReportingDepartments(context.Background()); err == nil {
		t.Error("a jurisdiction without an authority was accepted")
	}
}
