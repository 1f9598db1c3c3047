package calendar

import (
	"fmt"
	"sync"
	"time"

	// Embedded zone database: Asia/Shanghai must load on hosts and images without one.
	_ "time/tzdata"
)

// dateLayout is the only accepted and rendered form of a Date.
const dateLayout = "2006-01-02"

// shanghai is loaded on first use rather than in init, which must do no I/O.
var shanghai = sync.OnceValue(func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	// Unreachable with time/tzdata linked in; China Standard Time has had no
	// daylight saving since 1991, so a fixed +08:00 is equivalent.
	return time.FixedZone("CST", 8*60*60)
})

// Location is Asia/Shanghai (China Standard Time, +08:00), the zone in which every date
// and deadline of this package is reckoned.
func Location() *time.Location { return shanghai() }

// Date is a civil date in China (no time, no zone).
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads a date written YYYY-MM-DD, and nothing else.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil || len(s) != len(dateLayout) {
		return Date{}, fmt.Errorf("%w: %q is not a date YYYY-MM-DD", ErrInvalidDate, s)
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

// DateOf is the date in China (Asia/Shanghai) of an instant, whatever the instant's zone.
func DateOf(t time.Time) Date {
	y, m, d := t.In(shanghai()).Date()
	return Date{y, m, d}
}

// String renders the date as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// MarshalText renders the date as YYYY-MM-DD, also in JSON.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads a date written YYYY-MM-DD.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Valid reports whether the date exists in the proleptic Gregorian calendar (no 2026-02-30).
func (d Date) Valid() bool {
	return d.Month >= time.January && d.Month <= time.December &&
		d.Day >= 1 && d.Day <= daysIn(d.Year, d.Month) && d == fromDayNumber(d.dayNumber())
}

// AddDays is the date n days later (earlier when n is negative).
func (d Date) AddDays(n int) Date { return fromDayNumber(d.dayNumber() + n) }

// Before reports whether d is earlier than o.
func (d Date) Before(o Date) bool { return d.dayNumber() < o.dayNumber() }

// After reports whether d is later than o.
func (d Date) After(o Date) bool { return d.dayNumber() > o.dayNumber() }

// Weekday is the day of the week of d.
func (d Date) Weekday() time.Weekday {
	// 1970-01-01, day number 0, was a Thursday.
	return time.Weekday(mod(d.dayNumber()+4, 7))
}

// weekend reports Saturday or Sunday, the days a make-up working day (调休上班) can fall on.
func (d Date) weekend() bool {
	wd := d.Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// noon is midday of d in Shanghai: the instant handed to the business calendar, far from
// any day boundary.
func (d Date) noon() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, shanghai())
}

// endOfDay is the last second of d in Shanghai, the moment a deadline expires.
func (d Date) endOfDay() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 23, 59, 59, 0, shanghai())
}

// dayNumber counts days since 1970-01-01 (Howard Hinnant's days_from_civil), which keeps
// date arithmetic free of time.Time and zones.
func (d Date) dayNumber() int {
	y, m := d.Year, int(d.Month)
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d.Day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// fromDayNumber is the inverse of dayNumber (civil_from_days).
func fromDayNumber(n int) Date {
	n += 719468
	era := floorDiv(n, 146097)
	doe := n - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return Date{y, time.Month(m), day}
}

func daysIn(year int, m time.Month) int {
	switch m {
	case time.February:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func mod(a, b int) int { return a - floorDiv(a, b)*b }
