package activities

import (
	"context"
	"encoding/json"
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
	// Received after 2025-08-01, the reply is compared with the 条例's 10 working days (第二十一条
	// 第一款): the same, so the regional article governs and the comparison ends the list.
	if len(got.LegalBasis) != 2 || got.LegalBasis[0] != "《宁夏回族自治区政务数据资源共享管理办法》第十一条第三款" ||
		got.LegalBasis[1] != "比照《政务数据共享条例》第二十一条第一款（10个工作日），期限相同，适用《宁夏回族自治区政务数据资源共享管理办法》第十一条第三款（10个工作日）" {
		t.Errorf("legal basis = %v", got.LegalBasis)
	}
	// 宁夏's reply allows no extension of its own; the 条例 allows one of at most 10 working days
	// with the same-level authority's consent (第二十一条第一款).
	wantExt := ExtensionRule{MaxWorkdays: 10, Approver: policy.RoleAuthority, MaxCount: 1, LegalBasis: "《政务数据共享条例》第二十一条第一款"}
	if got.Escalation == nil || got.Escalation.Role != policy.RoleAuthority || got.Extension == nil || *got.Extension != wantExt {
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
		// Monday in a year without a published schedule, inside its estimated Spring Festival
		// (8 days from 除夕 Tuesday 25 January: 25 January to 1 February 2028): that it is a day
		// off, that 1 February is too and that Wednesday 2 February is a working day are
		// estimates, so the deadline is provisional on all three. Long overdue after 3, 4, 5
		// (the estimated make-up Saturday), 7, 8 February.
		{"unpublished year", 2028, "2028-02-02T23:59:59+08:00", "2028-02-03T00:00:00+08:00", "2028-02-09T00:00:00+08:00",
			"2028-01-31", "节假日（春节）", []string{"2028-01-31", "2028-02-01", "2028-02-02"}},
		// Sunday 31 January 2027 is estimated a make-up working day (for the Spring Festival
		// of 5 to 13 February): the date stays, provisional. Long overdue after 1, 2, 3, 4
		// February and the estimated make-up Sunday 14 February.
		{"estimated make-up day", 2027, "2027-01-31T23:59:59+08:00", "2027-02-01T00:00:00+08:00", "2027-02-15T00:00:00+08:00",
			"", "", []string{"2027-01-31"}},
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

// newActivitiesWith is newActivities with the deployment's local defaults.
func newActivitiesWith(t *testing.T, profile string, defaults policy.LocalDefaults) *Activities {
	t.Helper()
	a := newActivities(t, profile)
	p, err := policy.Select(profile, "", defaults)
	if err != nil {
		t.Fatal(err)
	}
	a.Policy = p
	return a
}

const (
	nxMeasures = "《宁夏回族自治区政务数据资源共享管理办法》"
	regulation = "《政务数据共享条例》"
)

// A 宁夏 catalog update received on Monday 2025-08-04, after the 条例 took effect: 宁夏 第八条
// 第一款 gives 15 working days (ningxia.yaml), the 条例 第十七条第二款 10, which govern. August 2025
// has no holiday: 5–8, 11–15 and 18 August are the ten (the regional 15 would end on 25 August).
func TestNationalBoundStricterCatalogUpdate(t *testing.T) {
	a := newActivities(t, "ningxia")
	got, err := a.ComputeDeadline(context.Background(), DeadlineInput{
		Procedure: policy.ProcCatalogUpdate, Step: "update", ReceivedAt: cst("2025-08-04T10:00:00+08:00"),
	})
	if err != nil {
		t.Fatal(err)
	}
	checkTime(t, "due", got.DueAt, "2025-08-18T23:59:59+08:00")
	if got.Workdays != 10 || got.LocalDefault {
		t.Errorf("workdays %d, local default %v", got.Workdays, got.LocalDefault)
	}
	want := &DeadlineSource{Citation: regulation + "第十七条第二款", Workdays: 10, National: true}
	if got.Governing == nil || *got.Governing != *want {
		t.Errorf("governing %+v, want %+v", got.Governing, want)
	}
	if c := got.ComparedWith; c == nil || c.Citation != nxMeasures+"第八条第一款" || c.Workdays != 15 || c.National || c.LocalDefault {
		t.Errorf("compared with %+v", c)
	}
	wantBasis := []string{
		regulation + "第十七条第二款",
		nxMeasures + "第八条第一款",
		"比照" + nxMeasures + "第八条第一款（15个工作日），从严适用" + regulation + "第十七条第二款（10个工作日）",
	}
	if !slices.Equal(got.LegalBasis, wantBasis) {
		t.Errorf("legal basis %q, want %q", got.LegalBasis, wantBasis)
	}
	// Reminders [5, 2, 0] count back from the national due day: 11, 14 and 18 August.
	if len(got.Reminders) != 3 || !got.Reminders[0].At.Equal(cst("2025-08-11T09:00:00+08:00")) {
		t.Errorf("reminders %+v", got.Reminders)
	}
}

// The same update received on Monday 2025-07-28, before the 条例 took effect, keeps 宁夏's 15
// working days and its citation alone: 29–31 July, 1, 4–8, 11–15 and 18 August.
func TestNationalBoundNotBeforeEffectiveDate(t *testing.T) {
	a := newActivities(t, "ningxia")
	got, err := a.ComputeDeadline(context.Background(), DeadlineInput{
		Procedure: policy.ProcCatalogUpdate, Step: "update", ReceivedAt: cst("2025-07-28T10:00:00+08:00"),
	})
	if err != nil {
		t.Fatal(err)
	}
	checkTime(t, "due", got.DueAt, "2025-08-18T23:59:59+08:00")
	if got.Workdays != 15 || got.Governing != nil || got.ComparedWith != nil ||
		!slices.Equal(got.LegalBasis, []string{nxMeasures + "第八条第一款"}) {
		t.Errorf("workdays %d, governing %+v, compared %+v, legal basis %q", got.Workdays, got.Governing, got.ComparedWith, got.LegalBasis)
	}
}

// The effective date is a day in China: 00:30 on 1 August in Beijing is 31 July in UTC, and
// the bound applies (10 working days from Friday 1 August: 4–8 and 11–15 August); 23:30 on 31
// July keeps the 15 (1, 4–8, 11–15, 18–21 August).
func TestNationalBoundEffectiveInChinaTime(t *testing.T) {
	a := newActivities(t, "ningxia")
	for _, c := range []struct {
		received, due string
		workdays      int
	}{
		{"2025-07-31T16:30:00Z", "2025-08-15T23:59:59+08:00", 10},
		{"2025-07-31T15:30:00Z", "2025-08-21T23:59:59+08:00", 15},
	} {
		got, err := a.ComputeDeadline(context.Background(), DeadlineInput{
			Procedure: policy.ProcCatalogUpdate, Step: "update", ReceivedAt: cst(c.received),
		})
		if err != nil {
			t.Fatal(err)
		}
		checkTime(t, "due of "+c.received, got.DueAt, c.due)
		if got.Workdays != c.workdays {
			t.Errorf("%s: %d working days, want %d", c.received, got.Workdays, c.workdays)
		}
	}
}

// A share reply received on Friday 2025-09-26 under each profile is due within min(regional,
// 10) working days (条例 第二十一条第一款). Across the National Day holiday (1–8 October), with the
// make-up working days Sunday 28 September and Saturday 11 October: five working days are 28,
// 29, 30 September, 9 and 10 October; ten go on to 11, 13, 14, 15 and 16 October.
func TestNationalBoundShareReplyUnderEveryProfile(t *testing.T) {
	reply := regulation + "第二十一条第一款"
	for _, c := range []struct {
		profile  string
		due      string
		workdays int
		governs  string // the governing citation
		compared string
		line     string
	}{
		// 宁夏 第十一条第三款: 10, the same as the 条例; the regional article governs.
		{"ningxia", "2025-10-16T23:59:59+08:00", 10, nxMeasures + "第十一条第三款", reply,
			"比照" + reply + "（10个工作日），期限相同，适用" + nxMeasures + "第十一条第三款（10个工作日）"},
		// 乌海 第九条第三款 and 辽宁 第十七条第二款: 5, stricter than the 条例.
		{"wuhai", "2025-10-10T23:59:59+08:00", 5, "《乌海市政务信息资源共享管理办法》第九条第三款", reply,
			"比照" + reply + "（10个工作日），从严适用《乌海市政务信息资源共享管理办法》第九条第三款（5个工作日）"},
		{"liaoning", "2025-10-10T23:59:59+08:00", 5, "《辽宁省政务数据资源共享管理办法》第十七条第二款", reply,
			"比照" + reply + "（10个工作日），从严适用《辽宁省政务数据资源共享管理办法》第十七条第二款（5个工作日）"},
		// 内乡 第十二条 sets no time: the local default gives way to the 条例's 10, which is law.
		{"neixiang", "2025-10-16T23:59:59+08:00", 10, reply, "《内乡县政务信息资源数据共享管理实施办法》第十二条",
			"《内乡县政务信息资源数据共享管理实施办法》第十二条未规定期限，适用" + reply + "（10个工作日），不再适用本地默认期限（10个工作日）"},
	} {
		t.Run(c.profile, func(t *testing.T) {
			a := newActivities(t, c.profile)
			got, err := a.ComputeDeadline(context.Background(), DeadlineInput{
				Procedure: policy.ProcShare, Step: "reply", ReceivedAt: cst("2025-09-26T10:00:00+08:00"),
			})
			if err != nil {
				t.Fatal(err)
			}
			checkTime(t, "due", got.DueAt, c.due)
			if got.Workdays != c.workdays || got.LocalDefault {
				t.Errorf("workdays %d, local default %v", got.Workdays, got.LocalDefault)
			}
			if got.Governing == nil || got.Governing.Citation != c.governs || got.ComparedWith == nil || got.ComparedWith.Citation != c.compared {
				t.Errorf("governing %+v, compared with %+v", got.Governing, got.ComparedWith)
			}
			if got.LegalBasis[0] != c.governs || got.LegalBasis[len(got.LegalBasis)-1] != c.line {
				t.Errorf("legal basis %q", got.LegalBasis)
			}
		})
	}
}

// The verification of disputed data: the 条例 (第二十六条第二款) wants it within 10 working days
// of receipt. 宁夏 第十五条 sets no time, and a deployment whose local default is 15 gets the
// 条例's 10 as law (received 26 September 2025: due 16 October, as above; the local 15 would
// run to 23 October); 内乡 第六十五条's 5 stays (9 and 10 October are the fourth and fifth), and
// so does 辽宁 第十八条第一款's 5. Before 1 August the local default stays.
func TestNationalBoundCorrectionVerify(t *testing.T) {
	verify := regulation + "第二十六条第二款"
	long := policy.LocalDefaults{Workdays: 15}
	for _, c := range []struct {
		profile, received, due string
		workdays               int
		localDefault           bool
		governs                string
	}{
		{"ningxia", "2025-09-26T10:00:00+08:00", "2025-10-16T23:59:59+08:00", 10, false, verify},
		{"wuhai", "2025-09-26T10:00:00+08:00", "2025-10-16T23:59:59+08:00", 10, false, verify},
		{"neixiang", "2025-09-26T10:00:00+08:00", "2025-10-10T23:59:59+08:00", 5, false, "《内乡县政务信息资源数据共享管理实施办法》第六十五条"},
		{"liaoning", "2025-09-26T10:00:00+08:00", "2025-10-10T23:59:59+08:00", 5, false, "《辽宁省政务数据资源共享管理办法》第十八条第一款"},
		// 15 working days from Monday 28 July 2025: 29–31 July, 1, 4–8, 11–15 and 18 August.
		{"ningxia", "2025-07-28T10:00:00+08:00", "2025-08-18T23:59:59+08:00", 15, true, ""},
	} {
		t.Run(c.profile+" "+c.received[:10], func(t *testing.T) {
			a := newActivitiesWith(t, c.profile, long)
			got, err := a.ComputeDeadline(context.Background(), DeadlineInput{
				Procedure: policy.ProcCorrection, Step: "verify", ReceivedAt: cst(c.received),
			})
			if err != nil {
				t.Fatal(err)
			}
			checkTime(t, "due", got.DueAt, c.due)
			if got.Workdays != c.workdays || got.LocalDefault != c.localDefault {
				t.Errorf("workdays %d, local default %v", got.Workdays, got.LocalDefault)
			}
			if c.governs == "" {
				if got.Governing != nil {
					t.Errorf("governing %+v before the effective date", got.Governing)
				}
				return
			}
			if got.Governing == nil || got.Governing.Citation != c.governs || got.LegalBasis[0] != c.governs {
				t.Errorf("governing %+v, legal basis %q", got.Governing, got.LegalBasis)
			}
		})
	}
}

// An extension adds its working days to whichever limit governs: the 宁夏 update of 4 August
// extended by 3 runs to 21 August (10 + 3), not 28 August (15 + 3).
func TestNationalBoundWithExtension(t *testing.T) {
	a := newActivities(t, "ningxia")
	got, err := a.ComputeDeadline(context.Background(), DeadlineInput{
		Procedure: policy.ProcCatalogUpdate, Step: "update", ReceivedAt: cst("2025-08-04T10:00:00+08:00"), ExtensionWorkdays: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	checkTime(t, "due", got.DueAt, "2025-08-21T23:59:59+08:00")
	if got.Workdays != 13 || got.Governing == nil || !got.Governing.National {
		t.Errorf("workdays %d, governing %+v", got.Workdays, got.Governing)
	}
}

// A result recorded before the national layer has no governing or compared_with and still
// decodes; a new one omits them when nothing was compared.
func TestDeadlineResultDecodesWithoutNationalFields(t *testing.T) {
	var old DeadlineResult
	if err := json.Unmarshal([]byte(`{"no_deadline":false,"workdays":15,"due_at":"2025-08-18T23:59:59+08:00","legal_basis":["x"]}`), &old); err != nil {
		t.Fatal(err)
	}
	if old.Governing != nil || old.ComparedWith != nil || old.Workdays != 15 {
		t.Errorf("decoded %+v", old)
	}
	out, err := json.Marshal(old)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "governing") || strings.Contains(string(out), "compared_with") {
		t.Errorf("encoded %s", out)
	}
}

// TestNationalExtension: where the profile's step allows no extension, the 条例's applies to a
// task received on or after 2025-08-01 — the share reply at most 10 working days with the
// same-level authority's consent (第二十一条第一款), the catalog update 5 (第十七条第二款); a task
// received before keeps none. A step with a rule of its own keeps it (内乡's open-data reply).
func TestNationalExtension(t *testing.T) {
	for _, c := range []struct {
		profile, procedure, step, received string
		want                               *ExtensionRule
	}{
		{"ningxia", policy.ProcShare, "reply", "2026-03-02T10:00:00+08:00",
			&ExtensionRule{MaxWorkdays: 10, Approver: policy.RoleAuthority, MaxCount: 1, LegalBasis: "《政务数据共享条例》第二十一条第一款"}},
		{"ningxia", policy.ProcShare, "reply", "2025-07-31T10:00:00+08:00", nil},
		{"wuhai", policy.ProcCatalogUpdate, "update", "2026-03-02T10:00:00+08:00",
			&ExtensionRule{MaxWorkdays: 5, Approver: policy.RoleAuthority, MaxCount: 1, LegalBasis: "《政务数据共享条例》第十七条第二款"}},
		{"neixiang", policy.ProcOpenData, "reply", "2026-03-02T10:00:00+08:00",
			&ExtensionRule{MaxWorkdays: 10, Approver: policy.RoleDeptHead, MaxCount: 1}},
	} {
		got, err := newActivities(t, c.profile).ComputeDeadline(context.Background(),
			DeadlineInput{Procedure: c.procedure, Step: c.step, ReceivedAt: cst(c.received)})
		if err != nil {
			t.Fatal(err)
		}
		if (got.Extension == nil) != (c.want == nil) || (c.want != nil && *got.Extension != *c.want) {
			t.Errorf("%s %s/%s received %s: extension %+v, want %+v", c.profile, c.procedure, c.step, c.received, got.Extension, c.want)
		}
	}
}

// 政务数据共享条例 第二十六条第二款 gives the provider 10 working days from the receipt of the
// verification request to verify, correct and report back: the correction task, opened at the
// finding, is due at the earlier of its profile's deadline and the case's tenth working day.
// Received Friday 26 September 2025, the ten run across the National Day holiday (1–8 October
// off, 28 September and 11 October make-up days): 28, 29, 30 September, 9, 10, 11, 13, 14, 15
// and 16 October.
func TestNationalCaseLimitCorrection(t *testing.T) {
	nxCorrect := nxMeasures + "第十三条"
	nxgCorrect := "《内乡县政务信息资源数据共享管理实施办法》第六十五条"
	case26 := regulation + "第二十六条第二款"
	long := policy.LocalDefaults{Workdays: 15}
	for _, c := range []struct {
		name, profile, caseAt, finding, due string
		governs, compared                   string // "" : nothing compared
		line                                string
	}{
		// 宁夏 sets no time (local default 15 from the finding, to 4 November): the case's 16 October.
		{"ningxia local default", "ningxia", "2025-09-26T10:00:00+08:00", "2025-10-14T10:00:00+08:00", "2025-10-16T23:59:59+08:00",
			case26, nxCorrect, "全案期限：自 2025-09-26 收到申请起10个工作日内办结（" + case26 + "），本环节未规定期限，不再适用本地默认期限（15个工作日）"},
		// 内乡 第六十五条: 10 from the finding on 9 October runs to 22 October; the case's 16 governs.
		{"neixiang later", "neixiang", "2025-09-26T10:00:00+08:00", "2025-10-09T10:00:00+08:00", "2025-10-16T23:59:59+08:00",
			case26, nxgCorrect, "全案期限：自 2025-09-26 收到申请起10个工作日内办结（" + case26 + "），早于本环节期限（" + nxgCorrect + "，10个工作日），从严适用全案期限"},
		// A finding on the day of receipt: both end on 16 October, and 内乡's article governs.
		{"neixiang same day", "neixiang", "2025-09-26T10:00:00+08:00", "2025-09-26T15:00:00+08:00", "2025-10-16T23:59:59+08:00",
			nxgCorrect, case26, "全案期限：自 2025-09-26 收到申请起10个工作日内办结（" + case26 + "），本环节期限（" + nxgCorrect + "，10个工作日）不晚于全案期限，适用本环节期限"},
		// The national profile's correction cites the paragraph itself and has a local default.
		{"national", "national", "2025-09-26T10:00:00+08:00", "2025-10-14T10:00:00+08:00", "2025-10-16T23:59:59+08:00",
			case26, case26, "全案期限：自 2025-09-26 收到申请起10个工作日内办结（" + case26 + "），本环节未规定期限，不再适用本地默认期限（15个工作日）"},
		// Received before 1 August 2025: 宁夏's local default from the finding on Wednesday 30
		// July — 31 July, 1, 4–8, 11–15, 18–20 August.
		{"before the 条例", "ningxia", "2025-07-28T10:00:00+08:00", "2025-07-30T10:00:00+08:00", "2025-08-20T23:59:59+08:00", "", "", ""},
		// No case receipt: a correction the authority orders after a dispute keeps its own time.
		{"ordered after a dispute", "ningxia", "", "2025-10-14T10:00:00+08:00", "2025-11-04T23:59:59+08:00", "", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := newActivitiesWith(t, c.profile, long)
			in := DeadlineInput{Procedure: policy.ProcCorrection, Step: "correct", ReceivedAt: cst(c.finding)}
			if c.caseAt != "" {
				in.CaseReceivedAt = cst(c.caseAt)
			}
			got, err := a.ComputeDeadline(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			checkTime(t, "due", got.DueAt, c.due)
			if c.governs == "" {
				if got.Governing != nil || !got.LocalDefault {
					t.Errorf("governing %+v, local default %v: nothing to compare", got.Governing, got.LocalDefault)
				}
				return
			}
			if got.Governing == nil || got.ComparedWith == nil || got.Governing.Citation != c.governs || got.ComparedWith.Citation != c.compared {
				t.Fatalf("governing %+v, compared with %+v", got.Governing, got.ComparedWith)
			}
			if got.LocalDefault {
				t.Error("a deadline the 条例 bounds is no local default")
			}
			if nat := got.Governing; !nat.National {
				nat = got.ComparedWith
				if nat.CountedFrom != "2025-09-26" {
					t.Errorf("the national limit counts from %q", nat.CountedFrom)
				}
			} else if nat.CountedFrom != "2025-09-26" || got.Workdays != 10 {
				t.Errorf("the national limit counts from %q, %d working days", nat.CountedFrom, got.Workdays)
			}
			if got.LegalBasis[0] != c.governs || got.LegalBasis[len(got.LegalBasis)-1] != c.line {
				t.Errorf("legal basis %q", got.LegalBasis)
			}
			if n := strings.Count(strings.Join(got.LegalBasis, "|"), case26+"|"); n > 1 {
				t.Errorf("the paragraph is cited %d times: %q", n, got.LegalBasis)
			}
		})
	}
}
