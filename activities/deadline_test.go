package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
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

// Annual reports are due on a calendar date (内乡 第六十条: the end of January). Saturday
// 2026-01-31 is a day off, so the deadline moves to Monday 2 February; reminders count working
// days back from the moved day, long overdue forward from it (3, 4, 5, 6, 9 February). The
// summary's date, Saturday 2026-02-28, is a make-up working day (调休上班) and stays.
func TestComputeDeadlineAnnualDate(t *testing.T) {
	a := newActivities(t, "neixiang")
	got, err := a.ComputeDeadline(context.Background(), DeadlineInput{
		Procedure: policy.ProcAnnualReport, Step: "department_report", ReceivedAt: cst("2026-01-01T00:05:00+08:00"),
	})
	if err != nil {
		t.Fatal(err)
	}
	checkTime(t, "due", got.DueAt, "2026-02-02T23:59:59+08:00")
	checkTime(t, "long overdue", got.LongOverdueAt, "2026-02-10T00:00:00+08:00")
	want := []string{"2026-01-19T09:00:00+08:00", "2026-01-28T09:00:00+08:00", "2026-02-02T09:00:00+08:00"}
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
	if summary.MovedFrom != "" || summary.DueRule != "" || summary.Provisional {
		t.Errorf("a make-up working day moved: from %q, rule %q, provisional %v", summary.MovedFrom, summary.DueRule, summary.Provisional)
	}
}

// A yearly date on a day off moves to the end of the next working day (docs/api.md, "Working
// days and deadlines"), and the task says so: moved_from, due_rule, and the rule's line after
// the citations. 宁夏 第十七条第二款: the end of January.
func TestComputeDeadlineAnnualDateOnRestDay(t *testing.T) {
	a := newActivities(t, "ningxia")
	cases := []struct {
		name     string
		year     int
		due      string
		overdue  string
		long     string
		moved    string // "" when the date stays
		offDay   string // how the rule line names the day off
		unconfir []string
	}{
		// Saturday; Sunday 1 February is off too; long overdue after 3, 4, 5, 6, 9 February.
		{"weekend", 2026, "2026-02-02T23:59:59+08:00", "2026-02-03T00:00:00+08:00", "2026-02-10T00:00:00+08:00",
			"2026-01-31", "休息日", nil},
		// Friday inside the Spring Festival holiday of 28 January to 4 February 2025; long
		// overdue after 6, 7, 8 (make-up Saturday), 10, 11 February.
		{"holiday", 2025, "2025-02-05T23:59:59+08:00", "2025-02-06T00:00:00+08:00", "2025-02-12T00:00:00+08:00",
			"2025-01-31", "节假日（春节）", nil},
		// Wednesday: a working day, the date stays.
		{"working day", 2024, "2024-01-31T23:59:59+08:00", "2024-02-01T00:00:00+08:00", "2024-02-07T00:00:00+08:00",
			"", "", nil},
		// Sunday in a year without a published schedule: that it is a day off, and that Monday
		// 1 February is a working day, are estimates, so the deadline is provisional on both
		// days. Long overdue after 2, 3, 4, 11, 12 February (the Spring Festival estimated between).
		{"unpublished year", 2027, "2027-02-01T23:59:59+08:00", "2027-02-02T00:00:00+08:00", "2027-02-13T00:00:00+08:00",
			"2027-01-31", "休息日", []string{"2027-01-31", "2027-02-01"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := a.ComputeDeadline(context.Background(), DeadlineInput{
				Procedure: policy.ProcAnnualReport, Step: "department_report",
				ReceivedAt: cst(fmt.Sprintf("%d-01-01T00:10:00+08:00", c.year)),
			})
			if err != nil {
				t.Fatal(err)
			}
			checkTime(t, "due", got.DueAt, c.due)
			checkTime(t, "overdue", got.OverdueAt, c.overdue)
			checkTime(t, "long overdue", got.LongOverdueAt, c.long)
			if last := got.Reminders[len(got.Reminders)-1]; last.WorkdaysBefore != 0 || !last.At.Equal(cst(c.due[:10]+"T09:00:00+08:00")) {
				t.Errorf("due-day reminder %+v", last)
			}
			if got.MovedFrom != c.moved {
				t.Errorf("moved from %q, want %q", got.MovedFrom, c.moved)
			}
			if c.moved == "" {
				if got.DueRule != "" || len(got.LegalBasis) != 1 {
					t.Errorf("rule %q, legal basis %q", got.DueRule, got.LegalBasis)
				}
			} else {
				rule := "截止日 " + c.moved + " 为" + c.offDay + "，顺延至 " + c.due[:10] + " — 本系统规则（参照《中华人民共和国民法典》第二百零三条）"
				if got.DueRule != rule || len(got.LegalBasis) != 2 || got.LegalBasis[1] != rule || !strings.Contains(got.LegalBasis[0], "第十七条") {
					t.Errorf("rule %q, legal basis %q; want %q after the citation", got.DueRule, got.LegalBasis, rule)
				}
			}
			if got.Provisional != (c.unconfir != nil) || !slices.Equal(got.UnconfirmedDates, c.unconfir) {
				t.Errorf("provisional %v, unconfirmed %v, want %v", got.Provisional, got.UnconfirmedDates, c.unconfir)
			}
		})
	}
}

// An extension of a moved yearly deadline counts working days from the moved day: extended
// by 2, the report due on Monday 2 February 2026 (from Saturday 31 January) is due on the 4th.
// Counted from the date itself, the first extension day would be the moved day, no day gained.
func TestComputeDeadlineAnnualDateExtendedFromMovedDay(t *testing.T) {
	a := newActivities(t, "ningxia")
	got, err := a.ComputeDeadline(context.Background(), DeadlineInput{
		Procedure: policy.ProcAnnualReport, Step: "department_report",
		ReceivedAt: cst("2026-01-01T00:10:00+08:00"), ExtensionWorkdays: 2,
	})
	if err != nil {
		t.Fatal(err)
	}
	checkTime(t, "due", got.DueAt, "2026-02-04T23:59:59+08:00")
	if got.MovedFrom != "2026-01-31" || got.Workdays != 2 {
		t.Errorf("moved from %q, workdays %d", got.MovedFrom, got.Workdays)
	}
}

// The rule itself, on a date no profile's yearly date reaches: 1 October 2025 is the first day
// of the National Day and Mid-Autumn holiday (1–8 October); the next working day is Thursday 9
// October. Saturday 11 October is a make-up working day and stays.
func TestRestDayRule(t *testing.T) {
	cal, err := calendar.New(calendar.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ day, want string }{
		{"2025-10-01", "2025-10-09"}, {"2025-10-08", "2025-10-09"}, {"2025-10-11", "2025-10-11"},
		{"2025-10-10", "2025-10-10"}, {"2025-10-12", "2025-10-13"},
	} {
		day, _ := calendar.ParseDate(c.day)
		got, unconfirmed := restDayRule(cal, day)
		if got.String() != c.want || unconfirmed != nil {
			t.Errorf("%s → %s (unconfirmed %v), want %s", c.day, got, unconfirmed, c.want)
		}
	}
	if got := movedRule(cal, calendar.Date{Year: 2025, Month: 10, Day: 1}, calendar.Date{Year: 2025, Month: 10, Day: 9}); !strings.Contains(got, "为节假日（国庆节、中秋节），顺延至 2025-10-09") {
		t.Errorf("rule line %q", got)
	}
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
