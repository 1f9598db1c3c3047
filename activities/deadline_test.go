package activities

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/policy"
)

type fixedCalendar struct{ cal *calendar.Calendar }

func (f fixedCalendar) Calendar(context.Context) (*calendar.Calendar, error) { return f.cal, nil }

func newActivities(t *testing.T, profile string) *Activities {
	t.Helper()
	cal, err := calendar.New(calendar.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.Select(profile, "", policy.LocalDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	return &Activities{Calendars: fixedCalendar{cal}, Policy: p}
}

func cst(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// A share request received on Thursday 2026-02-12 under ningxia (10 working days, 第十一条):
// 13 Feb and the make-up Saturday 14 Feb count, 15–23 Feb is the Spring Festival, 24–28 Feb
// (28 is a make-up Saturday) and 2, 3, 4 March complete the ten. Reminders [3, 1, 0]: three
// working days before 4 March is the make-up Saturday 28 Feb.
func TestComputeDeadlineAcrossSpringFestival(t *testing.T) {
	a := newActivities(t, "ningxia")
	got, err := a.ComputeDeadline(context.Background(), DeadlineInput{
		Procedure: policy.ProcShare, Step: "reply", ReceivedAt: cst("2026-02-12T10:00:00+08:00"),
	})
	if err != nil {
		t.Fatal(err)
	}
	checkTime(t, "due", got.DueAt, "2026-03-04T23:59:59+08:00")
	checkTime(t, "overdue", got.OverdueAt, "2026-03-05T00:00:00+08:00")
	// 5 working days after 4 March: 5, 6, 9, 10, 11 March.
	checkTime(t, "long overdue", got.LongOverdueAt, "2026-03-12T00:00:00+08:00")
	want := []Reminder{
		{3, cst("2026-02-28T09:00:00+08:00")},
		{1, cst("2026-03-03T09:00:00+08:00")},
		{0, cst("2026-03-04T09:00:00+08:00")},
	}
	if len(got.Reminders) != len(want) {
		t.Fatalf("reminders = %v, want %v", got.Reminders, want)
	}
	for i := range want {
		if got.Reminders[i].WorkdaysBefore != want[i].WorkdaysBefore || !got.Reminders[i].At.Equal(want[i].At) {
			t.Errorf("reminder %d = %v, want %v", i, got.Reminders[i], want[i])
		}
	}
	if got.Workdays != 10 || got.CalendarVersion == "" || got.Provisional || got.LocalDefault {
		t.Errorf("workdays %d, version %q, provisional %v, local default %v", got.Workdays, got.CalendarVersion, got.Provisional, got.LocalDefault)
	}
	if len(got.LegalBasis) != 1 || got.LegalBasis[0] != "《宁夏回族自治区政务数据资源共享管理办法》第十一条第三款" {
		t.Errorf("legal basis = %v", got.LegalBasis)
	}
	if got.Escalation == nil || got.Escalation.Role != policy.RoleAuthority || got.Extension != nil {
		t.Errorf("escalation %+v, extension %+v", got.Escalation, got.Extension)
	}
	// Urge windows: working days only, from the day of receipt (12 Feb) on; the festival has none.
	if first := got.WorkdayStarts[0]; !first.Equal(cst("2026-02-12T00:00:00+08:00")) {
		t.Errorf("first working-day start %s", first)
	}
	for _, s := range got.WorkdayStarts {
		if s.After(cst("2026-02-14T12:00:00+08:00")) && s.Before(cst("2026-02-24T00:00:00+08:00")) {
			t.Errorf("working-day start %s inside the Spring Festival", s)
		}
	}
}

// Extensions add working days to the step's own: 10 + 5 from 12 Feb is 11 March.
func TestComputeDeadlineWithExtension(t *testing.T) {
	a := newActivities(t, "neixiang")
	got, err := a.ComputeDeadline(context.Background(), DeadlineInput{
		Procedure: policy.ProcOpenData, Step: "reply", ReceivedAt: cst("2026-02-12T10:00:00+08:00"), ExtensionWorkdays: 5,
	})
	if err != nil {
		t.Fatal(err)
	}
	checkTime(t, "due", got.DueAt, "2026-03-11T23:59:59+08:00")
	if got.Workdays != 15 || got.Extension == nil || got.Extension.MaxWorkdays != 10 || got.Extension.Approver != policy.RoleDeptHead || got.Extension.MaxCount != 1 {
		t.Errorf("workdays %d, extension %+v", got.Workdays, got.Extension)
	}
}

// A one-working-day step received on 3 March at 10:00 is due on 4 March: the points three
// and one working days before (28 Feb and 3 March, 09:00) lie before the receipt and are left
// out; the due-day reminder stays.
func TestComputeDeadlineDropsRemindersBeforeReceipt(t *testing.T) {
	cal, err := calendar.New(calendar.Options{})
	if err != nil {
		t.Fatal(err)
	}
	step := policy.Step{Code: "short", Deadline: policy.Deadline{Workdays: 1}, Reminders: []int{1, 3, 0}}
	got, err := computeDeadline(cal, step, DeadlineInput{ReceivedAt: cst("2026-03-03T10:00:00+08:00")})
	if err != nil {
		t.Fatal(err)
	}
	checkTime(t, "due", got.DueAt, "2026-03-04T23:59:59+08:00")
	if len(got.Reminders) != 1 || got.Reminders[0].WorkdaysBefore != 0 || !got.Reminders[0].At.Equal(cst("2026-03-04T09:00:00+08:00")) {
		t.Errorf("reminders = %+v, want only the due-day one", got.Reminders)
	}
	if !got.LongOverdueAt.IsZero() || got.Escalation != nil {
		t.Errorf("no escalation in the step, got %+v at %s", got.Escalation, got.LongOverdueAt)
	}
}

func TestComputeDeadlineNone(t *testing.T) {
	cal, err := calendar.New(calendar.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := computeDeadline(cal, policy.Step{Deadline: policy.Deadline{None: true}}, DeadlineInput{ReceivedAt: cst("2026-03-03T10:00:00+08:00")})
	if err != nil || !got.NoDeadline || !got.DueAt.IsZero() || len(got.Reminders) != 0 {
		t.Fatalf("got %+v, %v; want no deadline", got, err)
	}
}

func TestComputeDeadlineUnknownStepIsNonRetryable(t *testing.T) {
	a := newActivities(t, "ningxia")
	_, err := a.ComputeDeadline(context.Background(), DeadlineInput{Procedure: policy.ProcShare, Step: "nope", ReceivedAt: time.Now()})
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || !appErr.NonRetryable() || appErr.Type() != ErrTypeInvalid {
		t.Fatalf("err = %v, want a non-retryable %q application error", err, ErrTypeInvalid)
	}
}

func checkTime(t *testing.T, what string, got time.Time, want string) {
	t.Helper()
	if !got.Equal(cst(want)) {
		t.Errorf("%s = %s, want %s", what, got.Format(time.RFC3339), want)
	}
	if _, off := got.Zone(); off != 8*3600 {
		t.Errorf("%s is not rendered in +08:00: %s", what, got.Format(time.RFC3339))
	}
}

// Annual reports are due on a calendar date (内乡 第六十条: the end of January), whatever
// weekday it is; reminders count working days back from it, long overdue forward.
func TestComputeDeadlineAnnualDate(t *testing.T) {
	a := newActivities(t, "neixiang")
	got, err := a.ComputeDeadline(context.Background(), DeadlineInput{
		Procedure: policy.ProcAnnualReport, Step: "department_report", ReceivedAt: cst("2026-01-01T00:05:00+08:00"),
	})
	if err != nil {
		t.Fatal(err)
	}
	checkTime(t, "due", got.DueAt, "2026-01-31T23:59:59+08:00")
	checkTime(t, "long overdue", got.LongOverdueAt, "2026-02-07T00:00:00+08:00")
	want := []string{"2026-01-19T09:00:00+08:00", "2026-01-28T09:00:00+08:00", "2026-01-31T09:00:00+08:00"}
	if len(got.Reminders) != len(want) {
		t.Fatalf("reminders = %+v", got.Reminders)
	}
	for i, r := range got.Reminders {
		checkTime(t, "reminder", r.At, want[i])
	}
	if got.LocalDefault || len(got.LegalBasis) == 0 {
		t.Errorf("local default %v, legal basis %v", got.LocalDefault, got.LegalBasis)
	}
	summary, err := a.ComputeDeadline(context.Background(), DeadlineInput{
		Procedure: policy.ProcAnnualReport, Step: "summary_report", ReceivedAt: cst("2026-01-01T00:05:00+08:00"),
	})
	if err != nil {
		t.Fatal(err)
	}
	checkTime(t, "summary due", summary.DueAt, "2026-02-28T23:59:59+08:00")
}

// An agreed delivery date (内乡 第十三条) replaces the step's local default; an extension of
// 5 working days runs past the National Day holiday: 8, 9, 10 (make-up Saturday), 12, 13 October.
func TestComputeDeadlineAgreedDate(t *testing.T) {
	a := newActivities(t, "neixiang")
	in := DeadlineInput{Procedure: policy.ProcInterfaceExtension, Step: "request", ReceivedAt: cst("2026-09-01T10:00:00+08:00"), DueDate: "2026-09-30"}
	got, err := a.ComputeDeadline(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	checkTime(t, "due", got.DueAt, "2026-09-30T23:59:59+08:00")
	if got.LocalDefault {
		t.Error("an agreed date is not a local default")
	}
	in.ExtensionWorkdays = 5
	if got, err = a.ComputeDeadline(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	checkTime(t, "extended", got.DueAt, "2026-10-13T23:59:59+08:00")
	in.DueDate = "2026-02-30"
	var appErr *temporal.ApplicationError
	if _, err := a.ComputeDeadline(context.Background(), in); !errors.As(err, &appErr) || !appErr.NonRetryable() {
		t.Errorf("a bad date: %v", err)
	}
}
