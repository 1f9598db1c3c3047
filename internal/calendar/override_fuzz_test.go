package calendar

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzCalendarOverride checks the promise of CheckOverride: an override it accepts never
// stops the calendar from being built, and deadlines, counts and day lists computed around
// it neither panic nor fail for any reason but the supported years; an override it refuses is
// refused by New too, naming the same problem. The administrator's edit (PUT
// /api/v1/calendar/overrides/{date}) is checked with CheckOverride before it is stored, so a
// stored override that New refused would stop every deadline computation.
//
// Longer: go test -run '^$' -fuzz FuzzCalendarOverride -fuzztime 10m ./internal/calendar/
// (docs/testing.md).
func FuzzCalendarOverride(f *testing.F) {
	f.Add(2026, 10, 9, false, "地方补充假日", "政府通知〔2026〕1号", int64(0), 10)
	f.Add(2026, 2, 28, true, "调休上班", "", int64(-3600), 1)
	f.Add(2026, 2, 29, false, "x", "x", int64(0), 5)              // no such date
	f.Add(2100, 12, 31, false, "年末", "", int64(86399), 365)       // the last supported day
	f.Add(2008, 1, 1, true, "", "", int64(0), 365)                // the first
	f.Add(2101, 1, 1, false, "x", "", int64(0), 1)                // outside the years
	f.Add(2026, 13, 1, false, "x", "", int64(0), 1)               // no such month
	f.Add(2026, 5, 1, false, " 劳动节", "", int64(0), 3)             // leading blank
	f.Add(2026, 5, 1, false, "劳动节\x00", "", int64(0), 3)          // NUL
	f.Add(2026, 5, 1, false, "\x1b[31m", "\xff\xfe", int64(0), 3) // escape, invalid UTF-8
	f.Add(-9223372036854775808, -1, 0, true, "", "", int64(-9223372036854775808), -1)
	f.Add(9223372036854775807, 12, 31, true, "", "", int64(9223372036854775807), 9223372036854775807)
	f.Fuzz(func(t *testing.T, year, month, day int, workday bool, name, source string, offset int64, workdays int) {
		o := Override{Date: Date{Year: year, Month: time.Month(month), Day: day}, Workday: workday, Name: name, Source: source}
		field, problem := CheckOverride(o)
		c, err := New(Options{Overrides: []Override{o}})
		if problem != "" {
			if err == nil || !errors.Is(err, ErrInvalidOptions) || !strings.Contains(err.Error(), problem) {
				t.Fatalf("CheckOverride refuses %+v (%s %s), New says %v", o, field, problem, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("CheckOverride accepts %+v, New refuses it: %v", o, err)
		}
		if info := c.Day(o.Date); info.Workday != workday || info.Name != name {
			t.Fatalf("override %+v: the day is %+v", o, info)
		}

		// A receipt near the day, within a few weeks either side.
		received := o.Date.noon().Add(time.Duration(offset%(40*86400)) * time.Second)
		n := workdays % (MaxWorkdays + 1)
		if n < 1 {
			n = 1 - n%MaxWorkdays // 1..MaxWorkdays
		}
		due, err := c.Due(received, n)
		switch {
		case errors.Is(err, ErrUnsupportedYear):
			// The receipt or the deadline lies outside MinYear..MaxYear.
		case err != nil:
			t.Fatalf("Due(%s, %d) with override %+v: %v", received, n, o, err)
		default:
			if !due.Due.After(received) {
				t.Fatalf("Due(%s, %d) = %s, not after the receipt", received, n, due.Due)
			}
			if got := c.WorkdaysAfter(received, due.Due); got != n {
				t.Fatalf("Due(%s, %d) = %s, but %d working days lie between", received, n, due.Due, got)
			}
		}
		c.WorkdaysRemaining(received, o.Date.endOfDay())
		c.WorkdaysOverdue(o.Date.endOfDay(), received)

		from, to := o.Date.AddDays(-3), o.Date.AddDays(3)
		days, err := c.Days(from, to)
		switch {
		case errors.Is(err, ErrUnsupportedYear):
		case err != nil:
			t.Fatalf("Days(%s, %s): %v", from, to, err)
		case days[3].Date != o.Date || days[3].Workday != workday:
			t.Fatalf("Days(%s, %s)[3] = %+v, want the override %+v", from, to, days[3], o)
		}
	})
}
