package calendar

import (
	"errors"
	"fmt"
	"testing"
	"time"

	hu "github.com/6tail/lunar-go/HolidayUtil"
)

// TestLunarDates checks the computed festivals against their published dates.
func TestLunarDates(t *testing.T) {
	tests := []struct {
		year                                  int
		spring, qingming, dragonBoat, midAutm string
	}{
		{2008, "2008-02-07", "2008-04-04", "2008-06-08", "2008-09-14"},
		{2017, "2017-01-28", "2017-04-04", "2017-05-30", "2017-10-04"},
		{2020, "2020-01-25", "2020-04-04", "2020-06-25", "2020-10-01"},
		{2023, "2023-01-22", "2023-04-05", "2023-06-22", "2023-09-29"},
		{2024, "2024-02-10", "2024-04-04", "2024-06-10", "2024-09-17"},
		{2025, "2025-01-29", "2025-04-04", "2025-05-31", "2025-10-06"},
		{2026, "2026-02-17", "2026-04-05", "2026-06-19", "2026-09-25"},
		{2027, "2027-02-06", "2027-04-05", "2027-06-09", "2027-09-15"},
		{2028, "2028-01-26", "2028-04-04", "2028-05-28", "2028-10-03"}, // 闰五月: 端午 in the ordinary fifth month
		{2029, "2029-02-13", "2029-04-04", "2029-06-16", "2029-09-22"},
		{2030, "2030-02-03", "2030-04-05", "2030-06-05", "2030-09-12"},
	}
	for _, tc := range tests {
		got := [4]Date{springFestival(tc.year), qingmingDay(tc.year), dragonBoatDay(tc.year), midAutumnDay(tc.year)}
		want := [4]Date{d(tc.spring), d(tc.qingming), d(tc.dragonBoat), d(tc.midAutm)}
		if got != want {
			t.Errorf("%d: 春节, 清明, 端午, 中秋 = %v, want %v", tc.year, got, want)
		}
	}
	// Spring Festival further out, including 2033–2034 where a leap eleventh month makes
	// simple rules fail.
	for _, s := range []string{"2031-01-23", "2033-01-31", "2034-02-19", "2035-02-08", "2038-02-04",
		"2040-02-12", "2044-01-30", "2046-02-06", "2048-02-14", "2050-01-23"} {
		want := d(s)
		if got := springFestival(want.Year); got != want {
			t.Errorf("春节 %d = %v, want %v", want.Year, got, want)
		}
	}
	// Every year of the range yields plausible dates.
	for y := MinYear; y <= MaxYear; y++ {
		sf, qm, db, ma := springFestival(y), qingmingDay(y), dragonBoatDay(y), midAutumnDay(y)
		if sf.Year != y || sf.Before(Date{y, 1, 21}) || sf.After(Date{y, 2, 20}) ||
			qm.Month != time.April || qm.Day < 4 || qm.Day > 5 ||
			db.Before(Date{y, 5, 26}) || db.After(Date{y, 6, 26}) ||
			ma.Before(Date{y, 9, 7}) || ma.After(Date{y, 10, 8}) {
			t.Errorf("%d: implausible 春节 %v, 清明 %v, 端午 %v, 中秋 %v", y, sf, qm, db, ma)
		}
	}
}

func TestEstimate2027(t *testing.T) {
	got, err := Estimate(2027)
	if err != nil {
		t.Fatal(err)
	}
	// Worked by hand from the rules of practice.go:
	// 元旦 Fri 01-01: joined to the weekend, 01-01…03.
	// 春节: 除夕 Fri 02-05 to 初三 Mon 02-08, two of them on the weekend → 补假 Tue 02-09, Wed
	// 02-10; 8 days from 除夕 → bridging Thu 02-11, Fri 02-12; Sat 02-13 joined. Make-up days:
	// before, Sunday 01-31 (next to Monday 02-01); after, Sunday 02-14 (Saturday 02-13 would
	// stand alone between days off).
	// 清明节 Mon 04-05: 04-03…05.
	// 劳动节 Sat 05-01, Sun 05-02 → 补假 Mon 05-03, Tue 05-04; 5 days: 05-01…05 (Wed 05-05
	// bridging, the run starting on 1 May); make-up day on the nearer side: Saturday 05-08
	// (3 days after) rather than Sunday 04-25 (6 before).
	// 端午节 Wed 06-09 and 中秋节 Wed 09-15: one day each, two weekdays from any weekend.
	// 国庆节 Fri 10-01…Sun 10-03 → 补假 Mon 10-04, Tue 10-05; 7 days from 1 October →
	// bridging Wed 10-06, Thu 10-07; make-up Sunday 09-26 and Saturday 10-09.
	off := func(s, name string) SpecialDay { return SpecialDay{d(s), false, name} }
	work := func(s, name string) SpecialDay { return SpecialDay{d(s), true, name} }
	want := []SpecialDay{
		off("2027-01-01", "元旦"), off("2027-01-02", "元旦"), off("2027-01-03", "元旦"),
		work("2027-01-31", "春节"),
		off("2027-02-05", "春节"), off("2027-02-06", "春节"), off("2027-02-07", "春节"), off("2027-02-08", "春节"),
		off("2027-02-09", "春节"), off("2027-02-10", "春节"), off("2027-02-11", "春节"), off("2027-02-12", "春节"),
		off("2027-02-13", "春节"), work("2027-02-14", "春节"),
		off("2027-04-03", "清明节"), off("2027-04-04", "清明节"), off("2027-04-05", "清明节"),
		off("2027-05-01", "劳动节"), off("2027-05-02", "劳动节"), off("2027-05-03", "劳动节"), off("2027-05-04", "劳动节"),
		off("2027-05-05", "劳动节"), work("2027-05-08", "劳动节"),
		off("2027-06-09", "端午节"),
		off("2027-09-15", "中秋节"),
		work("2027-09-26", "国庆节"),
		off("2027-10-01", "国庆节"), off("2027-10-02", "国庆节"), off("2027-10-03", "国庆节"), off("2027-10-04", "国庆节"),
		off("2027-10-05", "国庆节"), off("2027-10-06", "国庆节"), off("2027-10-07", "国庆节"), work("2027-10-09", "国庆节"),
	}
	if len(got) != len(want) {
		t.Fatalf("Estimate(2027) = %v\nwant %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Estimate(2027)[%d] = %v, want %v", i, got[i], want[i])
		}
	}
	// In the calendar the estimated make-up days are provisional working days.
	c := official(t)
	for _, s := range []string{"2027-01-31", "2027-02-14", "2027-05-08", "2027-09-26", "2027-10-09"} {
		info := c.Day(d(s))
		if !info.Workday || info.Kind != KindMakeupWorkday || !info.Provisional || info.Name == "" {
			t.Errorf("Day(%s) = %+v, want a provisional make-up working day", s, info)
		}
	}
}

func TestEstimateCombinedMidAutumn(t *testing.T) {
	// 2028: 中秋 Tue 10-03 falls on National Day (Sun 10-01 to Tue 10-03): one 补假 for the
	// Sunday, one for the shared day (Wed 10-04, Thu 10-05). 8 days for the combined item, the
	// latest-starting run with the fewest bridging days: 10-01…08 with Fri 10-06 bridged, paid
	// by the nearest weekend day next to a working day: Saturday 09-30.
	got, err := Estimate(2028)
	if err != nil {
		t.Fatal(err)
	}
	var autumn []SpecialDay
	for _, s := range got {
		if s.Date.Month >= time.September {
			autumn = append(autumn, s)
		}
	}
	want := []string{"2028-09-30", "2028-10-01", "2028-10-02", "2028-10-03", "2028-10-04", "2028-10-05",
		"2028-10-06", "2028-10-07", "2028-10-08"}
	if len(autumn) != len(want) {
		t.Fatalf("autumn of 2028 = %v, want %v", autumn, want)
	}
	for i, s := range autumn {
		if s.Date != d(want[i]) || s.Name != "国庆节、中秋节" || s.Workday != (i == 0) {
			t.Errorf("autumn of 2028 [%d] = %v, want %s 国庆节、中秋节 (working: %v)", i, s, want[i], i == 0)
		}
	}
	if _, err := Estimate(MinYear - 1); !errors.Is(err, ErrUnsupportedYear) {
		t.Errorf("Estimate(%d) err = %v", MinYear-1, err)
	}
	if _, err := Estimate(MaxYear + 1); !errors.Is(err, ErrUnsupportedYear) {
		t.Errorf("Estimate(%d) err = %v", MaxYear+1, err)
	}
}

// TestEstimateAgainstNotices runs the estimator on the years of the 2024 revision whose
// notices are published and compares it with them day by day: every day off and make-up
// working day, with its festival's name. Measured: 2025 — 28 of 28 days off and 5 of 5
// make-up days as published; 2026 — 33 of 33 and 6 of 6; no day of either year classified
// differently. The statutory days and substitutes alone (the estimate before the rules of
// practice) classify 10 days of 2025 and 12 of 2026 differently (the bridging days and the
// make-up days) — the rules are drawn from these two notices, so this is a fit, not a forecast.
func TestEstimateAgainstNotices(t *testing.T) {
	type measure struct{ offOK, off, workOK, work, wrongDays, statutoryWrongDays int }
	want := map[int]measure{2025: {28, 28, 5, 5, 0, 10}, 2026: {33, 33, 6, 6, 0, 12}}
	for _, s := range Official() {
		if s.Year < practiceFrom {
			continue
		}
		est, err := Estimate(s.Year)
		if err != nil {
			t.Fatal(err)
		}
		estimated := make(map[Date]SpecialDay)
		for _, e := range est {
			estimated[e.Date] = e
		}
		published := make(map[Date]SpecialDay)
		var m measure
		for _, p := range s.Days {
			published[p.Date] = p
			e, ok := estimated[p.Date]
			if p.Workday {
				m.work++
			} else {
				m.off++
			}
			switch {
			case ok && e == p && p.Workday:
				m.workOK++
			case ok && e == p:
				m.offOK++
			default:
				t.Errorf("%d: published %v, estimated %v (listed %v)", s.Year, p, e, ok)
			}
		}
		for _, e := range est {
			if _, ok := published[e.Date]; !ok {
				t.Errorf("%d: estimated %v, not in the notice", s.Year, e)
			}
		}
		statutory := statutoryDaysOff(statutory(s.Year))
		for dt := (Date{s.Year, time.January, 1}); dt.Year == s.Year; dt = dt.AddDays(1) {
			isWork := func(sd SpecialDay, ok bool) bool {
				if ok {
					return sd.Workday
				}
				return !dt.weekend()
			}
			p, pOK := published[dt]
			e, eOK := estimated[dt]
			if isWork(p, pOK) != isWork(e, eOK) {
				m.wrongDays++
			}
			_, stOff := statutory[dt]
			if isWork(p, pOK) != (!dt.weekend() && !stOff) {
				m.statutoryWrongDays++
			}
		}
		t.Logf("%d: %d of %d days off and %d of %d make-up days as published; %d days classified differently (statutory days alone: %d)",
			s.Year, m.offOK, m.off, m.workOK, m.work, m.wrongDays, m.statutoryWrongDays)
		if m != want[s.Year] {
			t.Errorf("%d: measured %+v, want %+v", s.Year, m, want[s.Year])
		}
		delete(want, s.Year)
	}
	if len(want) != 0 {
		t.Errorf("years not compared: %v", want)
	}
}

// TestEstimatePracticeInvariants holds every estimated year of the 2024 revision to what the
// rules promise: the bridging days are paid by as many make-up days (a year keeps the working
// days of its statutory estimate, counting 元旦's December days with the year they pay for),
// make-up days fall on weekends outside every period, none stands between two days off, no
// make-up day makes more than 6 working days in a row, and every statutory day stays off.
func TestEstimatePracticeInvariants(t *testing.T) {
	c := official(t)
	for y := practiceFrom; y <= MaxYear; y++ {
		est, err := Estimate(y)
		if err != nil {
			t.Fatal(err)
		}
		days := make(map[Date]SpecialDay)
		for _, e := range est {
			days[e.Date] = e
		}
		work := func(dt Date) bool {
			if s, ok := days[dt]; ok {
				return s.Workday
			}
			return !dt.weekend()
		}
		bridges, makeups := 0, 0
		for _, e := range est {
			if e.Date.Year != y && !(e.Date.Year == y-1 && e.Date.Month == time.December) {
				t.Errorf("%d: %v outside the year and its previous December", y, e)
			}
			if !e.Workday && !e.Date.weekend() {
				bridges++
			}
			if !e.Workday {
				continue
			}
			makeups++
			run := 1
			for dt := e.Date.AddDays(-1); work(dt); dt = dt.AddDays(-1) {
				run++
			}
			for dt := e.Date.AddDays(1); work(dt); dt = dt.AddDays(1) {
				run++
			}
			prev, next := e.Date.AddDays(-1), e.Date.AddDays(1)
			switch {
			case !e.Date.weekend():
				t.Errorf("%d: make-up day %v is a weekday", y, e)
			case run > maxWorkRun:
				t.Errorf("%d: make-up day %v makes %d working days in a row", y, e, run)
			case !(work(prev) && !prev.weekend()) && !(work(next) && !next.weekend()):
				t.Errorf("%d: make-up day %v next to no ordinary working day", y, e)
			}
		}
		statutory := statutoryDaysOff(statutory(y))
		for dt := range statutory {
			if work(dt) {
				t.Errorf("%d: statutory %s %s is a working day", y, statutory[dt], dt)
			}
			if !dt.weekend() {
				bridges--
			}
		}
		if bridges != makeups {
			t.Errorf("%d: %d bridging days, %d make-up days", y, bridges, makeups)
		}
		// The calendar gives an unpublished year exactly its estimate.
		for _, e := range est {
			if info := c.Day(e.Date); y > 2026 && (info.Workday != e.Workday || info.Name != e.Name || !info.Provisional) {
				t.Errorf("Day(%s) = %+v, estimate %v", e.Date, info, e)
			}
		}
	}
}

// TestEstimateReachesBackIntoDecember: 元旦 2030 is a Tuesday, so the estimate bridges Monday
// 2029-12-31 and makes Saturday 2029-12-29 a working day. The calendar applies them to
// December 2029 while 2030 is unpublished, also once 2029 itself is published, and drops
// them when 2030 is.
func TestEstimateReachesBackIntoDecember(t *testing.T) {
	sched := func(year int, days ...SpecialDay) Schedule {
		return Schedule{Year: year, Source: fmt.Sprintf("测试用%d年安排（非官方）", year), Days: days}
	}
	y2029 := sched(2029, SpecialDay{d("2029-01-01"), false, "元旦"})
	tests := []struct {
		name   string
		loaded []Schedule
		want   map[string]DayInfo
	}{
		{"2029 and 2030 estimated", nil, map[string]DayInfo{
			"2029-12-28": {Workday: true, Kind: KindWorkday, Provisional: true},
			"2029-12-29": {Workday: true, Kind: KindMakeupWorkday, Name: "元旦", Provisional: true},
			"2029-12-30": {Workday: false, Kind: KindHoliday, Name: "元旦", Provisional: true},
			"2029-12-31": {Workday: false, Kind: KindHoliday, Name: "元旦", Provisional: true},
		}},
		{"2029 published, 2030 estimated", []Schedule{y2029}, map[string]DayInfo{
			"2029-12-28": {Workday: true, Kind: KindWorkday},
			"2029-12-29": {Workday: true, Kind: KindMakeupWorkday, Name: "元旦", Provisional: true},
			"2029-12-31": {Workday: false, Kind: KindHoliday, Name: "元旦", Provisional: true},
		}},
		{"2030 published without them", []Schedule{y2029, sched(2030, SpecialDay{d("2030-01-01"), false, "元旦"})}, map[string]DayInfo{
			"2029-12-29": {Workday: false, Kind: KindWeekend},
			"2029-12-31": {Workday: true, Kind: KindWorkday},
		}},
	}
	for _, tc := range tests {
		c, err := New(Options{Loaded: tc.loaded})
		if err != nil {
			t.Fatal(err)
		}
		for s, want := range tc.want {
			want.Date = d(s)
			if got := c.Day(d(s)); got != want {
				t.Errorf("%s: Day(%s) = %+v, want %+v", tc.name, s, got, want)
			}
		}
	}
	// Received Friday 2029-12-28 with 2 working days: the make-up Saturday is day 1, and
	// after 12-30…01-01 off Wednesday 2030-01-02 is day 2.
	c := official(t)
	got, err := c.Due(at("2029-12-28 10:00"), 2)
	if err != nil || !got.Due.Equal(d("2030-01-02").endOfDay()) || !got.Provisional {
		t.Errorf("Due = %+v, %v; want 2030-01-02, provisional", got, err)
	}
}

// TestEstimateAgainstHistory holds the estimator to the schedules actually announced: every
// statutory day it computes (under the rules of that year) was a day off, and — since the
// notices' make-up days only move days off around — a year has as many working days as
// the estimate gives it. The reference is this package's official data from 2023 and the
// lunar-go holiday table before.
func TestEstimateAgainstHistory(t *testing.T) {
	c := official(t)
	reference := func(dt Date) bool {
		if dt.Year >= 2023 {
			return c.IsWorkday(dt)
		}
		if h := hu.GetHolidayByYmd(dt.Year, int(dt.Month), dt.Day); h != nil {
			return h.IsWork()
		}
		return !dt.weekend()
	}
	// Years whose count differs for reasons no estimate can know.
	exceptions := map[int]string{
		2011: "a make-up day for 元旦 2012 fell on 2011-12-31",
		2012: "see 2011",
		2013: "the reference table appears to lack the make-up Saturday 2013-10-12",
		2015: "one-off day off for the 70th anniversary of the victory, 09-03",
		2020: "Spring Festival extended by decree in 2020",
	}
	for y := MinYear; y <= 2026; y++ {
		for _, f := range statutory(y) {
			for _, dt := range f.days {
				if reference(dt) {
					t.Errorf("%d: statutory %s %s was a working day", y, f.name, dt)
				}
			}
		}
		est, err := Estimate(y)
		if err != nil {
			t.Fatal(err)
		}
		// The estimate's own classification, make-up days included (from 2025).
		work := make(map[Date]bool)
		for _, s := range est {
			work[s.Date] = s.Workday
		}
		estimated, actual := 0, 0
		for dt := (Date{y, time.January, 1}); dt.Year == y; dt = dt.AddDays(1) {
			if w, ok := work[dt]; (ok && w) || (!ok && !dt.weekend()) {
				estimated++
			}
			if reference(dt) {
				actual++
			}
		}
		if _, skip := exceptions[y]; !skip && estimated != actual {
			t.Errorf("%d: %d working days estimated, %d announced", y, estimated, actual)
		}
	}
}
