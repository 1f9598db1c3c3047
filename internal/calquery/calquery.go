// Package calquery parses and answers the two calendar questions datashare offers to everyone —
// "when is N working days after this receipt?" and "what kind of day is each of these?" — with
// one validation and one JSON contract for the CLI and the HTTP API.
package calquery

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/datashare/datashare/internal/calendar"
)

// Limits of a question.
const (
	MaxWorkdays = 365
	MaxDays     = 366
)

// ParamError names the parameter at fault.
type ParamError struct {
	Param   string
	Message string
}

func (e *ParamError) Error() string { return e.Param + ": " + e.Message }

// DaysResponse is the answer to a days question.
type DaysResponse struct {
	Days            []calendar.DayInfo `json:"days"`
	CalendarVersion string             `json:"calendar_version"`
}

// ParseFrom accepts an RFC 3339 instant or a date (YYYY-MM-DD, meaning that day in China).
func ParseFrom(param, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, &ParamError{param, "is required (RFC 3339 time or YYYY-MM-DD)"}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		return time.Time{}, &ParamError{param, fmt.Sprintf("%q is neither an RFC 3339 time nor a YYYY-MM-DD date", s)}
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, calendar.Location()), nil
}

// ParseWorkdays accepts 1..MaxWorkdays.
func ParseWorkdays(param, s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > MaxWorkdays {
		return 0, &ParamError{param, fmt.Sprintf("must be a whole number from 1 to %d, got %q", MaxWorkdays, s)}
	}
	return n, nil
}

// ParseRange accepts two dates, from not after to, at most MaxDays days inclusive.
func ParseRange(fromParam, from, toParam, to string) (calendar.Date, calendar.Date, error) {
	f, err := calendar.ParseDate(strings.TrimSpace(from))
	if err != nil {
		return calendar.Date{}, calendar.Date{}, &ParamError{fromParam, fmt.Sprintf("must be a date YYYY-MM-DD, got %q", from)}
	}
	t, err := calendar.ParseDate(strings.TrimSpace(to))
	if err != nil {
		return calendar.Date{}, calendar.Date{}, &ParamError{toParam, fmt.Sprintf("must be a date YYYY-MM-DD, got %q", to)}
	}
	if t.Before(f) {
		return calendar.Date{}, calendar.Date{}, &ParamError{toParam, fmt.Sprintf("%s is before %s %s", t, fromParam, f)}
	}
	if f.AddDays(MaxDays - 1).Before(t) {
		return calendar.Date{}, calendar.Date{}, &ParamError{toParam, fmt.Sprintf("at most %d days per call", MaxDays)}
	}
	return f, t, nil
}

// Due answers a due question on c.
func Due(c *calendar.Calendar, from string, workdays string) (calendar.DueResult, error) {
	t, err := ParseFrom("from", from)
	if err != nil {
		return calendar.DueResult{}, err
	}
	n, err := ParseWorkdays("workdays", workdays)
	if err != nil {
		return calendar.DueResult{}, err
	}
	res, err := c.Due(t, n)
	if err != nil {
		param := "workdays"
		if errors.Is(err, calendar.ErrUnsupportedYear) || errors.Is(err, calendar.ErrInvalidDate) {
			param = "from"
		}
		return calendar.DueResult{}, &ParamError{param, err.Error()}
	}
	return res, nil
}

// Days answers a days question on c.
func Days(c *calendar.Calendar, from, to string) (DaysResponse, error) {
	f, t, err := ParseRange("from", from, "to", to)
	if err != nil {
		return DaysResponse{}, err
	}
	days, err := c.Days(f, t)
	if err != nil {
		param := "to"
		if errors.Is(err, calendar.ErrUnsupportedYear) && (f.Year < calendar.MinYear || f.Year > calendar.MaxYear) {
			param = "from"
		}
		return DaysResponse{}, &ParamError{param, err.Error()}
	}
	return DaysResponse{Days: days, CalendarVersion: c.Version()}, nil
}
