package calendar

import (
	"strconv"
	"strings"
	"testing"

	hu "github.com/6tail/lunar-go/HolidayUtil"
	holidays "github.com/bastengao/chinese-holidays-go/holidays"
)

func official(t testing.TB) *Calendar {
	t.Helper()
	c, err := New(Options{})
	if err != nil {
		t.Fatalf("New with the official data: %v", err)
	}
	return c
}

// TestOfficialAgainstIndependentSources classifies every day of 2023–2026 and compares it
// with two data sets maintained apart from this one: bastengao/chinese-holidays-go (bundled
// data only — its cache queryer would download) and the holiday table of 6tail/lunar-go.
func TestOfficialAgainstIndependentSources(t *testing.T) {
	c := official(t)
	bundle, err := holidays.BundleQueryer()
	if err != nil {
		t.Fatalf("bastengao bundled data: %v", err)
	}
	days, disagreements := 0, 0
	for dt := d("2023-01-01"); !dt.After(d("2026-12-31")); dt = dt.AddDays(1) {
		days++
		info := c.Day(dt)
		if info.Provisional {
			t.Errorf("%s is provisional in an official year", dt)
		}
		b, err := bundle.IsWorkingday(dt.noon())
		if err != nil {
			t.Fatalf("bastengao %s: %v", dt, err)
		}
		l := !dt.weekend()
		if h := hu.GetHolidayByYmd(dt.Year, int(dt.Month), dt.Day); h != nil {
			l = h.IsWork()
		}
		if info.Workday != b || info.Workday != l {
			disagreements++
			t.Errorf("%s (%s): ours workday=%v (%s %q), bastengao %v, lunar-go %v",
				dt, dt.Weekday(), info.Workday, info.Kind, info.Name, b, l)
		}
	}
	if days != 1461 || disagreements != 0 {
		t.Fatalf("compared %d days, %d disagreements", days, disagreements)
	}
}

func TestOfficialNotableDays(t *testing.T) {
	c := official(t)
	tests := []struct {
		date string
		want DayInfo
	}{
		// 2023: the notice reaches back to Saturday 2022-12-31.
		{"2022-12-31", DayInfo{Workday: false, Kind: KindHoliday, Name: "元旦"}},
		{"2023-01-02", DayInfo{Workday: false, Kind: KindHoliday, Name: "元旦"}},
		{"2023-01-28", DayInfo{Workday: true, Kind: KindMakeupWorkday, Name: "春节"}},
		{"2023-01-29", DayInfo{Workday: true, Kind: KindMakeupWorkday, Name: "春节"}},
		{"2023-04-23", DayInfo{Workday: true, Kind: KindMakeupWorkday, Name: "劳动节"}},
		{"2023-06-25", DayInfo{Workday: true, Kind: KindMakeupWorkday, Name: "端午节"}},
		{"2023-09-29", DayInfo{Workday: false, Kind: KindHoliday, Name: "中秋节、国庆节"}},
		{"2023-10-07", DayInfo{Workday: true, Kind: KindMakeupWorkday, Name: "中秋节、国庆节"}},
		// 2024: 元旦 and 端午 "join the weekend": the weekend is part of the 3-day rest.
		{"2023-12-30", DayInfo{Workday: false, Kind: KindHoliday, Name: "元旦"}},
		{"2024-01-01", DayInfo{Workday: false, Kind: KindHoliday, Name: "元旦"}},
		{"2024-02-04", DayInfo{Workday: true, Kind: KindMakeupWorkday, Name: "春节"}},
		{"2024-02-09", DayInfo{Workday: true, Kind: KindWorkday}}, // 除夕 2024: only "encouraged" off
		{"2024-02-10", DayInfo{Workday: false, Kind: KindHoliday, Name: "春节"}},
		{"2024-02-18", DayInfo{Workday: true, Kind: KindMakeupWorkday, Name: "春节"}},
		{"2024-04-07", DayInfo{Workday: true, Kind: KindMakeupWorkday, Name: "清明节"}},
		{"2024-05-11", DayInfo{Workday: true, Kind: KindMakeupWorkday, Name: "劳动节"}},
		{"2024-06-08", DayInfo{Workday: false, Kind: KindHoliday, Name: "端午节"}},
		{"2024-06-10", DayInfo{Workday: false, Kind: KindHoliday, Name: "端午节"}},
		{"2024-09-14", DayInfo{Workday: true, Kind: KindMakeupWorkday, Name: "中秋节"}},
		{"2024-10-12", DayInfo{Workday: true, Kind: KindMakeupWorkday, Name: "国庆节"}},
		// 2025: the first year of the 2024 revision (除夕 and 5月2日 added).
		{"2025-01-01", DayInfo{Workday: false, Kind: KindHoliday, Name: "元旦"}},
		{"2025-01-26", DayInfo{Workday: true, Kind: KindMakeupWorkday, Name: "春节"}},
		{"2025-01-28", DayInfo{Workday: false, Kind: KindHoliday, Name: "春节"}},
		{"2025-02-04", DayInfo{Workday: false, Kind: KindHoliday, Name: "春节"}},
		{"2025-02-08", DayInfo{Workday: true, Kind: KindMakeupWorkday, Name: "春节"}},
		{"2025-04-27", DayInfo{Workday: true, Kind: KindMakeupWorkday, Name: "劳动节"}},
		{"2025-05-31", DayInfo{Workday: false, Kind: KindHoliday, Name: "端午节"}},
		{"2025-09-28", DayInfo{Workday: true, Kind: KindMakeupWorkday, Name: "国庆节、中秋节"}},
		{"2025-10-08", DayInfo{Workday: false, Kind: KindHoliday, Name: "国庆节、中秋节"}},
		{"2025-10-11", DayInfo{Workday: true, Kind: KindMakeupWorkday, Name: "国庆节、中秋节"}},
		// 2026.
		{"2026-01-03", DayInfo{Workday: false, Kind: KindHoliday, Name: "元旦"}},
		{"2026-01-04", DayInfo{Workday: true, Kind: KindMakeupWorkday, Name: "元旦"}},
		{"2026-02-13", DayInfo{Workday: true, Kind: KindWorkday}},
		{"2026-02-14", DayInfo{Workday: true, Kind: KindMakeupWorkday, Name: "春节"}},
		{"2026-02-15", DayInfo{Workday: false, Kind: KindHoliday, Name: "春节"}},
		{"2026-02-23", DayInfo{Workday: false, Kind: KindHoliday, Name: "春节"}},
		{"2026-02-24", DayInfo{Workday: true, Kind: KindWorkday}},
		{"2026-02-28", DayInfo{Workday: true, Kind: KindMakeupWorkday, Name: "春节"}},
		{"2026-04-06", DayInfo{Workday: false, Kind: KindHoliday, Name: "清明节"}},
		{"2026-05-09", DayInfo{Workday: true, Kind: KindMakeupWorkday, Name: "劳动节"}},
		{"2026-09-20", DayInfo{Workday: true, Kind: KindMakeupWorkday, Name: "国庆节"}},
		{"2026-09-25", DayInfo{Workday: false, Kind: KindHoliday, Name: "中秋节"}},
		{"2026-10-07", DayInfo{Workday: false, Kind: KindHoliday, Name: "国庆节"}},
		{"2026-10-10", DayInfo{Workday: true, Kind: KindMakeupWorkday, Name: "国庆节"}},
		{"2026-10-11", DayInfo{Workday: false, Kind: KindWeekend}},
		{"2026-12-31", DayInfo{Workday: true, Kind: KindWorkday}},
	}
	for _, tc := range tests {
		tc.want.Date = d(tc.date)
		if got := c.Day(d(tc.date)); got != tc.want {
			t.Errorf("Day(%s) = %+v, want %+v", tc.date, got, tc.want)
		}
		if got := c.IsWorkday(d(tc.date)); got != tc.want.Workday {
			t.Errorf("IsWorkday(%s) = %v", tc.date, got)
		}
	}
}

// TestOfficialNoticeShape checks each notice's totals as announced (e.g. 2025 National Day:
// 8 days with two make-up days) and its citation.
func TestOfficialNoticeShape(t *testing.T) {
	type count struct{ off, work int }
	want := map[int]struct {
		number string
		items  map[string]count
	}{
		2023: {"国办发明电〔2022〕16号", map[string]count{"元旦": {3, 0}, "春节": {7, 2}, "清明节": {1, 0}, "劳动节": {5, 2}, "端午节": {3, 1}, "中秋节、国庆节": {8, 2}}},
		2024: {"国办发明电〔2023〕7号", map[string]count{"元旦": {3, 0}, "春节": {8, 2}, "清明节": {3, 1}, "劳动节": {5, 2}, "端午节": {3, 0}, "中秋节": {3, 1}, "国庆节": {7, 2}}},
		2025: {"国办发明电〔2024〕12号", map[string]count{"元旦": {1, 0}, "春节": {8, 2}, "清明节": {3, 0}, "劳动节": {5, 1}, "端午节": {3, 0}, "国庆节、中秋节": {8, 2}}},
		2026: {"国办发明电〔2025〕7号", map[string]count{"元旦": {3, 1}, "春节": {9, 2}, "清明节": {3, 0}, "劳动节": {5, 1}, "端午节": {3, 0}, "中秋节": {3, 0}, "国庆节": {7, 2}}},
	}
	schedules := Official()
	if len(schedules) != len(want) {
		t.Fatalf("Official() has %d years, want %d", len(schedules), len(want))
	}
	c := official(t)
	for _, s := range schedules {
		w, ok := want[s.Year]
		if !ok {
			t.Fatalf("unexpected year %d", s.Year)
		}
		title := "国务院办公厅关于" + strconv.Itoa(s.Year) + "年部分节假日安排的通知"
		if !strings.Contains(s.Source, title) || !strings.Contains(s.Source, w.number) {
			t.Errorf("%d: source %q lacks %q or %q", s.Year, s.Source, title, w.number)
		}
		if c.Source(s.Year) != s.Source || !c.Published(s.Year) {
			t.Errorf("%d: calendar source %q, published %v", s.Year, c.Source(s.Year), c.Published(s.Year))
		}
		got := make(map[string]count)
		for _, day := range s.Days {
			n := got[day.Name]
			if day.Workday {
				n.work++
			} else {
				n.off++
			}
			got[day.Name] = n
		}
		for name, n := range w.items {
			if got[name] != n {
				t.Errorf("%d %s: %d days off, %d make-up days; want %d, %d", s.Year, name, got[name].off, got[name].work, n.off, n.work)
			}
		}
		if len(got) != len(w.items) {
			t.Errorf("%d: items %v, want %v", s.Year, got, w.items)
		}
	}
	// Official returns a copy: changing it cannot change a calendar built later.
	schedules[0].Days[0].Workday = true
	if c2 := official(t); c2.IsWorkday(d("2022-12-31")) {
		t.Error("Official() shares its data with the calendar")
	}
	if got := c.PublishedYears(); len(got) != 4 || got[0] != 2023 || got[3] != 2026 {
		t.Errorf("PublishedYears = %v", got)
	}
	if c.Published(2027) || c.Source(2027) != "" || c.Published(2022) {
		t.Error("2022 or 2027 reported as published")
	}
	if c.Version() != OfficialVersion {
		t.Errorf("Version = %q, want %q", c.Version(), OfficialVersion)
	}
}
