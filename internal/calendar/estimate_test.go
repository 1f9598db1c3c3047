package calendar

import (
	"errors"
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
	// 2027: 除夕 Fri 02-05 to 初三 Mon 02-08, two of them on the weekend → 补假 Tue, Wed;
	// 劳动节 Sat–Sun → Mon, Tue; 国庆节 Fri–Sun → Mon, Tue.
	want := []SpecialDay{
		{d("2027-01-01"), false, "元旦"},
		{d("2027-02-05"), false, "春节"}, {d("2027-02-06"), false, "春节"}, {d("2027-02-07"), false, "春节"},
		{d("2027-02-08"), false, "春节"}, {d("2027-02-09"), false, "春节"}, {d("2027-02-10"), false, "春节"},
		{d("2027-04-05"), false, "清明节"},
		{d("2027-05-01"), false, "劳动节"}, {d("2027-05-02"), false, "劳动节"}, {d("2027-05-03"), false, "劳动节"}, {d("2027-05-04"), false, "劳动节"},
		{d("2027-06-09"), false, "端午节"},
		{d("2027-09-15"), false, "中秋节"},
		{d("2027-10-01"), false, "国庆节"}, {d("2027-10-02"), false, "国庆节"}, {d("2027-10-03"), false, "国庆节"},
		{d("2027-10-04"), false, "国庆节"}, {d("2027-10-05"), false, "国庆节"},
	}
	if len(got) != len(want) {
		t.Fatalf("Estimate(2027) = %v\nwant %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Estimate(2027)[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestEstimateCombinedMidAutumn(t *testing.T) {
	// 2028: 中秋 Tue 10-03 falls on National Day (Sun 10-01 to Tue 10-03): one substitute for
	// the Sunday, one for the shared day.
	got, err := Estimate(2028)
	if err != nil {
		t.Fatal(err)
	}
	var oct []SpecialDay
	for _, s := range got {
		if s.Date.Month >= time.September {
			oct = append(oct, s)
		}
	}
	want := []string{"2028-10-01", "2028-10-02", "2028-10-03", "2028-10-04", "2028-10-05"}
	if len(oct) != len(want) {
		t.Fatalf("autumn of 2028 = %v, want %v", oct, want)
	}
	for i, s := range oct {
		if s.Date != d(want[i]) || s.Name != "国庆节、中秋节" {
			t.Errorf("autumn of 2028 [%d] = %v, want %s 国庆节、中秋节", i, s, want[i])
		}
	}
	if _, err := Estimate(MinYear - 1); !errors.Is(err, ErrUnsupportedYear) {
		t.Errorf("Estimate(%d) err = %v", MinYear-1, err)
	}
	if _, err := Estimate(MaxYear + 1); !errors.Is(err, ErrUnsupportedYear) {
		t.Errorf("Estimate(%d) err = %v", MaxYear+1, err)
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
		off := make(map[Date]bool)
		for _, s := range est {
			off[s.Date] = true
		}
		estimated, actual := 0, 0
		for dt := (Date{y, time.January, 1}); dt.Year == y; dt = dt.AddDays(1) {
			if !dt.weekend() && !off[dt] {
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
