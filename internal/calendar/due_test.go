package calendar

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// at is an instant in Shanghai.
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, Location())
	if err != nil {
		panic(err)
	}
	return t
}

// dates lists the days from first to last, both included.
func dates(first, last string) []Date {
	var out []Date
	for dt := d(first); !dt.After(d(last)); dt = dt.AddDays(1) {
		out = append(out, dt)
	}
	return out
}

func TestDue(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	c := official(t)
	tests := []struct {
		name     string
		received time.Time
		n        int
		want     string // due date; the time is always 23:59:59 +08:00
	}{
		{"N=1 on an ordinary Monday", at("2026-03-02 10:00"), 1, "2026-03-03"},
		{"N=5 within an ordinary fortnight", at("2026-03-02 10:00"), 5, "2026-03-09"},
		{"receipt on Saturday", at("2026-03-07 10:00"), 1, "2026-03-09"},
		{"receipt on Sunday", at("2026-03-08 23:00"), 1, "2026-03-09"},
		{"receipt one second before midnight", at("2026-03-06 23:59").Add(59 * time.Second), 1, "2026-03-09"},
		// UTC 2026-03-05 16:30 is Friday 00:30 in Shanghai: day 1 is Monday, not Friday.
		{"receipt late in the evening UTC", time.Date(2026, 3, 5, 16, 30, 0, 0, time.UTC), 1, "2026-03-09"},

		// Spring Festival 2024: off 02-10..02-17, make-up Sun 02-04 and Sun 02-18.
		{"2024 across Spring Festival N=5", at("2024-02-08 10:00"), 5, "2024-02-21"}, // 09, 18(makeup), 19, 20, 21
		{"2024 both make-up days N=10", at("2024-02-02 18:00"), 10, "2024-02-21"},    // 04(makeup), 05–09, 18(makeup), 19–21
		{"2024 receipt on a holiday N=1", at("2024-02-12 09:00"), 1, "2024-02-18"},   // the make-up Sunday
		// Spring Festival 2025: off 01-28..02-04, make-up Sun 01-26 and Sat 02-08.
		{"2025 across Spring Festival N=5", at("2025-01-24 16:00"), 5, "2025-02-07"},   // 26(makeup), 27, 02-05, 06, 07
		{"2025 across Spring Festival N=10", at("2025-01-27 11:00"), 10, "2025-02-17"}, // 02-05..07, 08(makeup), 10..14, 17
		{"2025 receipt on 初一 N=1", at("2025-01-29 12:00"), 1, "2025-02-05"},
		// Spring Festival 2026: off 02-15..02-23, make-up Sat 02-14 and Sat 02-28.
		{"2026 receipt the day before a make-up day N=5", at("2026-02-13 09:00"), 5, "2026-02-27"},
		{"2026 same instant in New York N=5", time.Date(2026, 2, 13, 12, 0, 0, 0, ny), 5, "2026-02-28"},
		{"2026 same instant in UTC N=5", time.Date(2026, 2, 13, 17, 0, 0, 0, time.UTC), 5, "2026-02-28"},
		{"2026 across Spring Festival N=10", at("2026-02-13 09:00"), 10, "2026-03-05"},
		{"2026 across Spring Festival N=15", at("2026-02-13 09:00"), 15, "2026-03-12"},
		// National Day 2025: 8 days off 10-01..10-08, make-up Sun 09-28 and Sat 10-11.
		{"2025 National Day N=5", at("2025-09-26 15:00"), 5, "2025-10-10"}, // 28(makeup), 29, 30, 10-09, 10
		{"2025 National Day make-up Saturday N=3", at("2025-09-30 15:00"), 3, "2025-10-11"},
		{"2025 receipt inside the break N=10", at("2025-10-04 08:00"), 10, "2025-10-21"}, // 09, 10, 11(makeup), 13–17, 20, 21
		{"2025 N=15 from before the break", at("2025-09-26 15:00"), 15, "2025-10-23"},
		// Year end: 2026-01-04 is a make-up Sunday.
		{"2025→2026 New Year N=2", at("2025-12-31 10:00"), 2, "2026-01-05"}, // 01-01..03 off, 04(makeup), 05
		{"N=365", at("2025-01-02 10:00"), 365, "2026-06-26"},                // 247 in 2025, 118 in 2026
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Due(tc.received, tc.n)
			if err != nil {
				t.Fatalf("Due: %v", err)
			}
			want := d(tc.want).endOfDay()
			if !got.Due.Equal(want) || got.Due.Location() != Location() {
				t.Errorf("Due = %v, want %v", got.Due, want)
			}
			if got.Provisional || got.UnconfirmedDates == nil || len(got.UnconfirmedDates) != 0 {
				t.Errorf("provisional %v, unconfirmed %v; want false, []", got.Provisional, got.UnconfirmedDates)
			}
			if !got.From.Equal(tc.received) || got.From.Location() != Location() || got.Workdays != tc.n || got.CalendarVersion != OfficialVersion {
				t.Errorf("from %v, workdays %d, version %q", got.From, got.Workdays, got.CalendarVersion)
			}
			// The count itself: exactly n working days after the day of receipt, the last on the due date.
			start, end := DateOf(tc.received), DateOf(got.Due)
			if n := c.workdaysBetween(start.AddDays(1), end); n != tc.n || !c.IsWorkday(end) {
				t.Errorf("%d working days from %s to %s (due day working: %v)", n, start, end, c.IsWorkday(end))
			}
		})
	}
}

func TestDueJSON(t *testing.T) {
	c := official(t)
	got, err := c.Due(time.Date(2026, 2, 13, 1, 0, 0, 0, time.UTC), 5)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"from":"2026-02-13T09:00:00+08:00","workdays":5,"due":"2026-02-27T23:59:59+08:00","provisional":false,"unconfirmed_dates":[],"calendar_version":"cn-2026.2"}`
	if string(b) != want {
		t.Errorf("JSON = %s\nwant   %s", b, want)
	}
}

func TestDueIntoUnpublishedYear(t *testing.T) {
	c := official(t)
	tests := []struct {
		name        string
		received    time.Time
		n           int
		want        string
		unconfirmed []Date
	}{
		// 2027-01-01 (Fri) is the estimated 元旦.
		{"into 2027", at("2026-12-24 10:00"), 10, "2027-01-08", dates("2027-01-01", "2027-01-08")},
		{"into 2027 N=5 stays in 2026", at("2026-12-24 10:00"), 5, "2026-12-31", []Date{}},
		// Estimated 春节 2027: 8 days from 除夕 Fri 02-05 (补假 Tue 02-09 and Wed 02-10 for the
		// weekend 02-06…07, bridging days Thu 02-11 and Fri 02-12) and Saturday 02-13 joined:
		// off 02-05…02-13, Sunday 02-14 a make-up working day. Received Wed 02-03: day 1 is Thu
		// 02-04, day 2 the make-up Sunday, day 3 Monday 02-15.
		{"across the estimated Spring Festival 2027", at("2027-02-03 10:00"), 3, "2027-02-15", dates("2027-02-04", "2027-02-15")},
		// The example. Estimated 国庆节 2027: Fri 10-01…Sun 10-03, 补假 Mon 10-04 and Tue
		// 10-05, bridging days Wed 10-06 and Thu 10-07, paid by Sunday 09-26 and Saturday 10-09.
		// Received Tue 09-28: Wed 09-29 (1), Thu 09-30 (2), off 10-01…07, Fri 10-08 (3), the
		// make-up Saturday 10-09 (4), Monday 10-11 (5). The statutory days alone gave 10-08.
		{"across the estimated National Day 2027 and its make-up Saturday", at("2027-09-28 10:00"), 5, "2027-10-11", dates("2027-09-29", "2027-10-11")},
		// Received Friday 09-24: the make-up Sunday 09-26 is day 1, Mon 09-27 day 2.
		{"from the Friday before the estimated make-up Sunday 2027-09-26", at("2027-09-24 16:00"), 2, "2027-09-27", dates("2027-09-25", "2027-09-27")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Due(tc.received, tc.n)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Due.Equal(d(tc.want).endOfDay()) {
				t.Errorf("Due = %v, want %s", got.Due, tc.want)
			}
			if got.Provisional != (len(tc.unconfirmed) > 0) || !reflect.DeepEqual(got.UnconfirmedDates, tc.unconfirmed) {
				t.Errorf("provisional %v, unconfirmed %v; want %v", got.Provisional, got.UnconfirmedDates, tc.unconfirmed)
			}
		})
	}
	got, _ := c.Due(at("2026-12-24 10:00"), 10)
	b, _ := json.Marshal(got)
	want := `{"from":"2026-12-24T10:00:00+08:00","workdays":10,"due":"2027-01-08T23:59:59+08:00","provisional":true,` +
		`"unconfirmed_dates":["2027-01-01","2027-01-02","2027-01-03","2027-01-04","2027-01-05","2027-01-06","2027-01-07","2027-01-08"],"calendar_version":"cn-2026.2"}`
	if string(b) != want {
		t.Errorf("JSON = %s\nwant   %s", b, want)
	}
}

// loaded2027 is a made-up schedule for 2027, shaped like a notice.
func loaded2027() Schedule {
	s := Schedule{Year: 2027, Source: "测试用2027年安排（非官方）"}
	for _, dt := range dates("2027-01-01", "2027-01-03") {
		s.Days = append(s.Days, SpecialDay{dt, false, "元旦"})
	}
	s.Days = append(s.Days, SpecialDay{d("2027-01-09"), true, "元旦"}) // a make-up Saturday
	for _, dt := range dates("2027-02-05", "2027-02-13") {
		s.Days = append(s.Days, SpecialDay{dt, false, "春节"})
	}
	return s
}

func TestLoadedYear(t *testing.T) {
	c, err := New(Options{Loaded: []Schedule{loaded2027()}, Version: "cn-2026.1+r1"})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Published(2027) || c.Source(2027) != "测试用2027年安排（非官方）" || len(c.PublishedYears()) != 5 {
		t.Fatalf("published %v, source %q, years %v", c.Published(2027), c.Source(2027), c.PublishedYears())
	}
	got, err := c.Due(at("2026-12-24 10:00"), 11)
	if err != nil {
		t.Fatal(err)
	}
	// Dec 25, 28–31, Jan 4–8, then the make-up Saturday Jan 9 is day 11.
	if !got.Due.Equal(d("2027-01-09").endOfDay()) || got.Provisional || len(got.UnconfirmedDates) != 0 || got.CalendarVersion != "cn-2026.1+r1" {
		t.Errorf("Due = %+v", got)
	}
	// Without the schedule the estimate has no make-up day in early January (元旦 2027 is a
	// Friday): Monday Jan 11, provisional.
	est, _ := official(t).Due(at("2026-12-24 10:00"), 11)
	if !est.Due.Equal(d("2027-01-11").endOfDay()) || !est.Provisional {
		t.Errorf("estimated Due = %+v", est)
	}
	// The example once 2027 is loaded (this made-up schedule has no 国庆节): Tuesday
	// 2027-09-28 + 5 working days is Tuesday 10-05, confirmed; on the estimate it was the
	// provisional Monday 10-11.
	if got, _ := c.Due(at("2027-09-28 10:00"), 5); !got.Due.Equal(d("2027-10-05").endOfDay()) || got.Provisional {
		t.Errorf("loaded Due from 2027-09-28 = %+v", got)
	}
	for _, tc := range []struct {
		date string
		want DayInfo
	}{
		{"2027-01-09", DayInfo{Workday: true, Kind: KindMakeupWorkday, Name: "元旦"}},
		{"2027-02-11", DayInfo{Workday: false, Kind: KindHoliday, Name: "春节"}},
		{"2027-04-05", DayInfo{Workday: true, Kind: KindWorkday}}, // the loaded schedule replaces the estimate entirely
		// and its estimated make-up days and bridging days with it
		{"2027-01-31", DayInfo{Workday: false, Kind: KindWeekend}},
		{"2027-02-14", DayInfo{Workday: false, Kind: KindWeekend}},
		{"2027-10-07", DayInfo{Workday: true, Kind: KindWorkday}},
		{"2027-10-09", DayInfo{Workday: false, Kind: KindWeekend}},
	} {
		tc.want.Date = d(tc.date)
		if got := c.Day(d(tc.date)); got != tc.want {
			t.Errorf("Day(%s) = %+v, want %+v", tc.date, got, tc.want)
		}
	}

	// A loaded year replaces the official one of the same year, December lead-in included.
	repl := Schedule{Year: 2023, Source: "replacement", Days: []SpecialDay{{d("2023-01-02"), false, "元旦"}}}
	c2, err := New(Options{Loaded: []Schedule{repl}})
	if err != nil {
		t.Fatal(err)
	}
	if c2.Source(2023) != "replacement" || !c2.IsWorkday(d("2023-01-23")) || c2.IsWorkday(d("2023-01-02")) {
		t.Errorf("replacement not applied: source %q", c2.Source(2023))
	}
	if info := c2.Day(d("2022-12-31")); info.Kind != KindWeekend || !info.Provisional {
		t.Errorf("2022-12-31 after replacing 2023 = %+v", info)
	}
}

func TestOverride(t *testing.T) {
	base := official(t)
	c, err := New(Options{
		Version: OfficialVersion + "+r7",
		Overrides: []Override{
			{Date: d("2026-03-03"), Workday: false, Name: "临时休假", Source: "test"},
			{Date: d("2026-03-07"), Workday: true, Name: "补班", Source: "test"},
			{Date: d("2026-02-14"), Workday: false, Name: "", Source: "make-up day withdrawn"},
			{Date: d("2026-10-07"), Workday: true, Name: "", Source: "test"},
			{Date: d("2027-01-01"), Workday: false, Name: "元旦", Source: "confirmed early"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	before, _ := base.Due(at("2026-03-02 10:00"), 1)
	after, _ := c.Due(at("2026-03-02 10:00"), 1)
	if !before.Due.Equal(d("2026-03-03").endOfDay()) || !after.Due.Equal(d("2026-03-04").endOfDay()) {
		t.Errorf("override did not move the deadline: before %v, after %v", before.Due, after.Due)
	}
	if before.CalendarVersion == after.CalendarVersion || after.CalendarVersion != "cn-2026.2+r7" || c.Version() != "cn-2026.2+r7" {
		t.Errorf("versions %q, %q", before.CalendarVersion, after.CalendarVersion)
	}
	for _, tc := range []struct {
		date string
		want DayInfo
	}{
		{"2026-03-03", DayInfo{Workday: false, Kind: KindHoliday, Name: "临时休假"}},
		{"2026-03-07", DayInfo{Workday: true, Kind: KindMakeupWorkday, Name: "补班"}},
		{"2026-02-14", DayInfo{Workday: false, Kind: KindWeekend}},
		{"2026-10-07", DayInfo{Workday: true, Kind: KindWorkday}},
		{"2027-01-01", DayInfo{Workday: false, Kind: KindHoliday, Name: "元旦"}}, // confirmed: not provisional
		{"2027-01-04", DayInfo{Workday: true, Kind: KindWorkday, Provisional: true}},
	} {
		tc.want.Date = d(tc.date)
		if got := c.Day(d(tc.date)); got != tc.want {
			t.Errorf("Day(%s) = %+v, want %+v", tc.date, got, tc.want)
		}
	}
	// The withdrawn make-up day moves the Spring Festival deadline by one working day.
	got, _ := c.Due(at("2026-02-13 09:00"), 5)
	if !got.Due.Equal(d("2026-02-28").endOfDay()) {
		t.Errorf("Due after overrides = %v, want 2026-02-28", got.Due)
	}
}

func TestDays(t *testing.T) {
	c := official(t)
	got, err := c.Days(d("2026-02-13"), d("2026-02-16"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	want := `[{"date":"2026-02-13","workday":true,"kind":"workday"},` +
		`{"date":"2026-02-14","workday":true,"kind":"makeup_workday","name":"春节"},` +
		`{"date":"2026-02-15","workday":false,"kind":"holiday","name":"春节"},` +
		`{"date":"2026-02-16","workday":false,"kind":"holiday","name":"春节"}]`
	if string(b) != want {
		t.Errorf("Days JSON = %s\nwant %s", b, want)
	}
	got, err = c.Days(d("2027-02-04"), d("2027-02-15"))
	if err != nil {
		t.Fatal(err)
	}
	kinds := []struct {
		kind Kind
		name string
	}{{KindWorkday, ""}, {KindHoliday, "春节"}, {KindHoliday, "春节"}, {KindHoliday, "春节"},
		{KindHoliday, "春节"}, {KindHoliday, "春节"}, {KindHoliday, "春节"}, {KindHoliday, "春节"},
		{KindHoliday, "春节"}, {KindHoliday, "春节"}, {KindMakeupWorkday, "春节"}, {KindWorkday, ""}}
	if len(got) != len(kinds) {
		t.Fatalf("Days 2027 = %d days", len(got))
	}
	if !got[10].Workday || got[9].Workday {
		t.Errorf("estimated make-up Sunday 2027-02-14 = %+v, Saturday = %+v", got[10], got[9])
	}
	for i, info := range got {
		if info.Kind != kinds[i].kind || info.Name != kinds[i].name || !info.Provisional {
			t.Errorf("Days 2027 [%d] = %+v, want %v %q provisional", i, info, kinds[i].kind, kinds[i].name)
		}
	}
	if got, err := c.Days(d("2024-01-01"), d("2024-12-31")); err != nil || len(got) != 366 {
		t.Errorf("a leap year: %d days, %v", len(got), err)
	}
	if got, err := c.Days(d("2026-02-14"), d("2026-02-14")); err != nil || len(got) != 1 {
		t.Errorf("a single day: %d days, %v", len(got), err)
	}
	bad := []struct {
		from, to Date
		want     error
	}{
		{d("2026-02-15"), d("2026-02-14"), ErrInvalidRange},
		{d("2025-01-01"), d("2026-01-02"), ErrInvalidRange}, // 367 days
		{Date{2026, 2, 30}, d("2026-03-01"), ErrInvalidDate},
		{d("2007-12-30"), d("2008-01-02"), ErrUnsupportedYear},
		{d("2100-12-30"), d("2101-01-02"), ErrUnsupportedYear},
	}
	for _, tc := range bad {
		if _, err := c.Days(tc.from, tc.to); !errors.Is(err, tc.want) {
			t.Errorf("Days(%v, %v) err = %v, want %v", tc.from, tc.to, err, tc.want)
		}
	}
}

func TestRemainingAndOverdue(t *testing.T) {
	c := official(t)
	due := d("2026-02-27").endOfDay() // received 2026-02-13, N=5
	tests := []struct {
		now                string
		remaining, overdue int
	}{
		{"2026-02-13 10:00", 5, 0}, // 02-14 (make-up), 24, 25, 26, 27
		{"2026-02-14 10:00", 4, 0},
		{"2026-02-20 10:00", 4, 0}, // inside the break
		{"2026-02-24 09:00", 3, 0},
		{"2026-02-27 23:59", 0, 0}, // the last day: no further working day
		{"2026-02-28 00:00", 0, 1}, // the make-up Saturday is overdue already
		{"2026-03-01 12:00", 0, 1}, // Sunday
		{"2026-03-02 12:00", 0, 2},
		{"2026-03-13 12:00", 0, 11},
	}
	for _, tc := range tests {
		now := at(tc.now)
		if got := c.WorkdaysRemaining(now, due); got != tc.remaining {
			t.Errorf("WorkdaysRemaining(%s) = %d, want %d", tc.now, got, tc.remaining)
		}
		if got := c.WorkdaysOverdue(now, due); got != tc.overdue {
			t.Errorf("WorkdaysOverdue(%s) = %d, want %d", tc.now, got, tc.overdue)
		}
	}
	// Instants in other zones count by their Shanghai date: 16:30 UTC on 02-27 is 00:30 on 02-28.
	if got := c.WorkdaysOverdue(time.Date(2026, 2, 27, 16, 30, 0, 0, time.UTC), due); got != 1 {
		t.Errorf("overdue from UTC = %d, want 1", got)
	}
	// Right after a Friday deadline the weekend is overdue time but no overdue working day.
	fri := d("2026-03-06").endOfDay()
	if r, o := c.WorkdaysRemaining(at("2026-03-07 10:00"), fri), c.WorkdaysOverdue(at("2026-03-07 10:00"), fri); r != 0 || o != 0 {
		t.Errorf("weekend after a Friday deadline: remaining %d, overdue %d", r, o)
	}
}

// WorkdaysAfter is how long a step took, counted as its deadline was: a step done at its
// deadline of N working days took exactly N.
func TestWorkdaysAfter(t *testing.T) {
	c := official(t)
	tests := []struct {
		from, to string
		want     int
	}{
		{"2026-09-30 10:00", "2026-09-30 18:00", 0}, // the day of receipt is not counted
		{"2026-09-30 10:00", "2026-10-07 12:00", 0}, // 国庆 1–7 Oct off
		{"2026-09-30 10:00", "2026-10-08 12:00", 1},
		{"2026-09-30 10:00", "2026-10-10 12:00", 3}, // 8, 9 and the make-up Saturday 10
		{"2026-09-30 10:00", "2026-10-12 12:00", 4}, // Sunday 11 off
		{"2026-09-29 10:00", "2026-09-30 09:00", 1},
		{"2026-10-12 10:00", "2026-10-09 10:00", 0}, // to before from
	}
	for _, tc := range tests {
		if got := c.WorkdaysAfter(at(tc.from), at(tc.to)); got != tc.want {
			t.Errorf("WorkdaysAfter(%s, %s) = %d, want %d", tc.from, tc.to, got, tc.want)
		}
	}
	for day := at("2026-09-20 15:00"); day.Before(at("2026-10-20 00:00")); day = day.AddDate(0, 0, 1) {
		for n := 1; n <= 12; n++ {
			due, err := c.Due(day, n)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.WorkdaysAfter(day, due.Due); got != n {
				t.Errorf("received %s, due in %d working days at %s: WorkdaysAfter = %d", day, n, due.Due, got)
			}
		}
	}
}

func TestDueBadInput(t *testing.T) {
	c := official(t)
	tests := []struct {
		received time.Time
		n        int
		want     error
	}{
		{at("2026-03-02 10:00"), 0, ErrInvalidWorkdays},
		{at("2026-03-02 10:00"), -3, ErrInvalidWorkdays},
		{at("2026-03-02 10:00"), 366, ErrInvalidWorkdays},
		{time.Time{}, 5, ErrUnsupportedYear},
		{at("2007-12-31 10:00"), 5, ErrUnsupportedYear},
		{at("2100-12-01 10:00"), 60, ErrUnsupportedYear}, // would end in 2101
	}
	for _, tc := range tests {
		if got, err := c.Due(tc.received, tc.n); !errors.Is(err, tc.want) {
			t.Errorf("Due(%v, %d) = %+v, %v; want %v", tc.received, tc.n, got, err, tc.want)
		}
	}
	if _, err := c.Due(at("2008-01-01 00:00"), 365); err != nil {
		t.Errorf("Due at the start of the range: %v", err)
	}
}

func TestNewRejectsBadData(t *testing.T) {
	good := func() Schedule { return loaded2027() }
	with := func(f func(*Schedule)) Schedule { s := good(); f(&s); return s }
	tests := []struct {
		name string
		opts Options
	}{
		{"year out of range", Options{Loaded: []Schedule{with(func(s *Schedule) { s.Year = 2101 })}}},
		{"no source", Options{Loaded: []Schedule{with(func(s *Schedule) { s.Source = " " })}}},
		{"no days", Options{Loaded: []Schedule{with(func(s *Schedule) { s.Days = nil })}}},
		{"day in another year", Options{Loaded: []Schedule{with(func(s *Schedule) { s.Days[0].Date = d("2028-01-01") })}}},
		{"day in a previous month other than December", Options{Loaded: []Schedule{with(func(s *Schedule) { s.Days[0].Date = d("2026-11-30") })}}},
		{"day listed twice", Options{Loaded: []Schedule{with(func(s *Schedule) { s.Days[1].Date = s.Days[0].Date })}}},
		{"make-up day on a weekday", Options{Loaded: []Schedule{with(func(s *Schedule) { s.Days[3].Date = d("2027-01-11") })}}},
		{"nonexistent date", Options{Loaded: []Schedule{with(func(s *Schedule) { s.Days[0].Date = Date{2027, 2, 29} })}}},
		{"empty name", Options{Loaded: []Schedule{with(func(s *Schedule) { s.Days[0].Name = "" })}}},
		{"name with a newline", Options{Loaded: []Schedule{with(func(s *Schedule) { s.Days[0].Name = "元旦\n" })}}},
		{"name too long", Options{Loaded: []Schedule{with(func(s *Schedule) { s.Days[0].Name = strings.Repeat("节", 65) })}}},
		{"year loaded twice", Options{Loaded: []Schedule{good(), good()}}},
		{"override on a nonexistent date", Options{Overrides: []Override{{Date: Date{2026, 2, 30}}}}},
		{"override out of range", Options{Overrides: []Override{{Date: d("2101-01-03")}}}},
		{"override twice", Options{Overrides: []Override{{Date: d("2026-03-03")}, {Date: d("2026-03-03"), Workday: true}}}},
		{"override with a control character", Options{Overrides: []Override{{Date: d("2026-03-03"), Name: "a\tb"}}}},
	}
	for _, tc := range tests {
		if c, err := New(tc.opts); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("%s: New = %v, %v; want ErrInvalidOptions", tc.name, c, err)
		}
	}
	// The previous December is allowed, as in the 2023 notice.
	ok := with(func(s *Schedule) { s.Days = append(s.Days, SpecialDay{d("2026-12-31"), false, "元旦"}) })
	c, err := New(Options{Loaded: []Schedule{ok}})
	if err != nil {
		t.Fatalf("previous December rejected: %v", err)
	}
	if info := c.Day(d("2026-12-31")); info.Workday || info.Kind != KindHoliday || info.Provisional {
		t.Errorf("2026-12-31 from the 2027 schedule = %+v", info)
	}
}

func TestBusinessCalendar(t *testing.T) {
	c := official(t)
	b := c.Business()
	for dt := d("2025-12-01"); !dt.After(d("2027-03-01")); dt = dt.AddDays(1) {
		if b.IsWorkday(dt.noon()) != c.IsWorkday(dt) {
			t.Fatalf("%s: business calendar and classification disagree", dt)
		}
	}
	// Times in another zone are read as their Shanghai date: 2026-02-13 20:00 UTC is Saturday
	// the 14th in Shanghai, a make-up working day.
	if !b.IsWorkday(time.Date(2026, 2, 13, 20, 0, 0, 0, time.UTC)) || b.IsWorkday(time.Date(2026, 2, 14, 20, 0, 0, 0, time.UTC)) {
		t.Error("WorkdayFunc does not read dates in Asia/Shanghai")
	}
	// Changing the returned calendar leaves the Calendar alone.
	b.WorkdayFunc = func(time.Time) bool { return false }
	if got, err := c.Due(at("2026-03-02 10:00"), 1); err != nil || !got.Due.Equal(d("2026-03-03").endOfDay()) {
		t.Errorf("Due after changing Business() = %v, %v", got.Due, err)
	}
}

func TestConcurrentEstimates(t *testing.T) {
	c := official(t)
	var wg sync.WaitGroup
	results := make([]time.Time, 16)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := c.Due(at("2027-02-03 10:00"), 3+i%3)
			if err == nil {
				results[i] = r.Due
			}
		}()
	}
	wg.Wait()
	for i, r := range results {
		if want := d([]string{"2027-02-15", "2027-02-16", "2027-02-17"}[i%3]).endOfDay(); !r.Equal(want) {
			t.Errorf("goroutine %d: %v, want %v", i, r, want)
		}
	}
}
