package calendar

import (
	"fmt"
	"sort"
	"time"

	lunar "github.com/6tail/lunar-go/calendar"
)

// Range of years the calendar can reason about. Before 2008 the holiday rules were
// different again (three "golden weeks", no lunar festivals besides 春节); after 2100 the
// lunar computation is no longer checked.
const (
	MinYear = 2008
	MaxYear = 2100
)

// Festival names as the notices print them.
const (
	nameNewYear     = "元旦"
	nameSpring      = "春节"
	nameQingming    = "清明节"
	nameLabour      = "劳动节"
	nameDragonBoat  = "端午节"
	nameMidAutumn   = "中秋节"
	nameNational    = "国庆节"
	nameMidNational = "中秋节、国庆节" // the combined item when 中秋 comes just before 1 October
	nameNationalMid = "国庆节、中秋节" // and when it falls on or after 1 October
)

// festival is one statutory holiday of a year: its name and the days the rules give it.
type festival struct {
	name string
	days []Date
}

// Estimate returns the schedule an unpublished year is expected to have, in the shape of a
// notice: the days off and the make-up working days (调休上班), sorted by date. Its days lie in
// the year or, when 元旦 reaches back, in the previous December.
//
// It starts from the statutory holidays of 《全国年节及纪念日放假办法》 in the version in force
// that year (the 2024 revision from 2025 on: 元旦 1 day, 春节 4 days from 除夕, 清明节 1,
// 劳动节 2, 端午节 1, 中秋节 1, 国庆节 3), with the lunar dates and the Qingming solar term
// computed, plus a substitute weekday (补假) for every statutory day that falls on a Saturday or
// Sunday or on another festival, as the 办法 requires.
//
// From 2025 it also models what the notices under the 2024 revision do beyond the 办法 — this
// is datashare's estimate of that practice, not a rule of law (see practice). Before 2025 it
// stays with the statutory days and substitutes only: those years are past and published.
func Estimate(year int) ([]SpecialDay, error) {
	if year < MinYear || year > MaxYear {
		return nil, fmt.Errorf("%w: year %d is outside %d..%d", ErrUnsupportedYear, year, MinYear, MaxYear)
	}
	fs := statutory(year)
	off := statutoryDaysOff(fs)
	days := make(map[Date]SpecialDay, len(off))
	for d, name := range off {
		days[d] = SpecialDay{Date: d, Workday: false, Name: name}
	}
	if year >= practiceFrom {
		practice(fs, off, days)
	}
	out := make([]SpecialDay, 0, len(days))
	for _, s := range days {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out, nil
}

// statutoryDaysOff is the festivals' days plus the substitute days (补假): festival by
// festival, one for every day on a weekend or already taken by another festival, on the first
// free weekdays after it.
func statutoryDaysOff(fs []festival) map[Date]string {
	off := make(map[Date]string)
	for _, f := range fs {
		for _, d := range f.days {
			if _, ok := off[d]; !ok {
				off[d] = f.name
			}
		}
	}
	seen := make(map[Date]bool)
	for _, f := range fs {
		lost := 0
		for _, d := range f.days {
			if d.weekend() || seen[d] {
				lost++
			}
			seen[d] = true
		}
		for d := f.days[len(f.days)-1]; lost > 0; {
			d = d.AddDays(1)
			if _, taken := off[d]; !taken && !d.weekend() {
				off[d] = f.name
				lost--
			}
		}
	}
	return off
}

// statutory lists the year's festivals in date order under the rules in force that year:
// the 2007 version (in force 2008), the 2013 version (2014) and the 2024 version (2025).
func statutory(year int) []festival {
	newYear := Date{year, time.January, 1}
	chuYi := springFestival(year)
	eve := chuYi.AddDays(-1) // 除夕, the last day of the twelfth month (29th or 30th)
	var spring []Date
	switch {
	case year >= 2025:
		spring = span(eve, 4)
	case year >= 2014:
		spring = span(chuYi, 3)
	default:
		spring = span(eve, 3)
	}
	labour := 1
	if year >= 2025 {
		labour = 2
	}
	midAutumn := festival{nameMidAutumn, []Date{midAutumnDay(year)}}
	national := festival{nameNational, span(Date{year, time.October, 1}, 3)}
	// When 中秋 runs into the National Day break the notices announce one combined item.
	if m := midAutumn.days[0]; !m.Before(Date{year, time.September, 29}) && !m.After(Date{year, time.October, 7}) {
		name := nameNationalMid
		if m.Month == time.September {
			name = nameMidNational
		}
		midAutumn.name, national.name = name, name
	}
	fs := []festival{
		{nameNewYear, []Date{newYear}},
		{nameSpring, spring},
		{nameQingming, []Date{qingmingDay(year)}},
		{nameLabour, span(Date{year, time.May, 1}, labour)},
		{nameDragonBoat, []Date{dragonBoatDay(year)}},
		midAutumn,
		national,
	}
	// 中秋 can fall on 1 October; keep date order so substitutes follow the later festival.
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].days[0].Before(fs[j].days[0]) })
	return fs
}

func span(first Date, n int) []Date {
	out := make([]Date, n)
	for i := range out {
		out[i] = first.AddDays(i)
	}
	return out
}

// The lunar dates come from lunar-go, an implementation of the 寿星万年历 astronomical
// algorithms (new moons and solar terms reckoned in Beijing time, with the leap-month
// rule), checked in the tests against published dates.

// springFestival is 正月初一 of the lunar year that begins in the given Gregorian year.
func springFestival(year int) Date {
	return julianDate(lunar.NewLunarYear(year).GetMonth(1).GetFirstJulianDay())
}

// dragonBoatDay is 五月初五 (of the ordinary, not a leap, fifth month).
func dragonBoatDay(year int) Date {
	return julianDate(lunar.NewLunarYear(year).GetMonth(5).GetFirstJulianDay() + 4)
}

// midAutumnDay is 八月十五.
func midAutumnDay(year int) Date {
	return julianDate(lunar.NewLunarYear(year).GetMonth(8).GetFirstJulianDay() + 14)
}

// qingmingDay is the day, in Beijing time, on which the sun reaches 15° ecliptic
// longitude: the 清明 solar term.
func qingmingDay(year int) Date {
	terms := lunar.NewLunarYear(year).GetJieQiJulianDays()
	// The table runs from the previous 大雪 to the next 惊蛰; the first 清明 in it is this year's.
	for i, name := range lunar.JIE_QI_IN_USE {
		if name == "清明" {
			return julianDate(terms[i])
		}
	}
	panic("lunar-go: no 清明 in the solar-term table")
}

func julianDate(jd float64) Date {
	s := lunar.NewSolarFromJulianDay(jd)
	return Date{s.GetYear(), time.Month(s.GetMonth()), s.GetDay()}
}
