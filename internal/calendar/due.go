package calendar

import (
	"fmt"
	"time"
)

// DueResult is a deadline of N working days and what it rests on.
type DueResult struct {
	From             time.Time `json:"from"`     // the receipt instant, rendered in +08:00
	Workdays         int       `json:"workdays"` // N
	Due              time.Time `json:"due"`      // 23:59:59 +08:00 of the N-th working day after the day of receipt
	Provisional      bool      `json:"provisional"`
	UnconfirmedDates []Date    `json:"unconfirmed_dates"` // never nil: every date after the receipt day up to the due date that lies in an unpublished year (days an override or the next year's notice fixes excepted)
	CalendarVersion  string    `json:"calendar_version"`
}

// Due computes the deadline of a step to be done "within N working days" (在N个工作日内) of
// receivedAt, under the counting rule:
//
//   - dates are those of Asia/Shanghai, whatever the zone of receivedAt;
//   - the day of receipt is not counted, whether or not it is a working day;
//   - day 1 is the first working day after the day of receipt;
//   - the deadline is the end (23:59:59 +08:00) of the N-th working day.
//
// 1 <= n <= MaxWorkdays. The result is Provisional when a date between the day of receipt
// and the due date lies in an unpublished year (its holidays are estimated); those dates are
// listed. It is an error when the receipt or the deadline falls outside MinYear..MaxYear.
func (c *Calendar) Due(receivedAt time.Time, n int) (DueResult, error) {
	if n < 1 || n > MaxWorkdays {
		return DueResult{}, fmt.Errorf("%w: %d, want 1 to %d", ErrInvalidWorkdays, n, MaxWorkdays)
	}
	from := receivedAt.In(shanghai())
	start := DateOf(from)
	if start.Year < MinYear || start.Year > MaxYear {
		return DueResult{}, fmt.Errorf("%w: receipt on %s is outside %d..%d", ErrUnsupportedYear, start, MinYear, MaxYear)
	}
	// WorkdaysFrom counts exactly as the rule does: from the day after start, working days only.
	end := DateOf(c.biz.WorkdaysFrom(start.noon(), n))
	if end.Year > MaxYear {
		return DueResult{}, fmt.Errorf("%w: the deadline would fall after %d", ErrUnsupportedYear, MaxYear)
	}
	unconfirmed := []Date{}
	for d := start.AddDays(1); !d.After(end); d = d.AddDays(1) {
		if c.Day(d).Provisional {
			unconfirmed = append(unconfirmed, d)
		}
	}
	return DueResult{
		From:             from,
		Workdays:         n,
		Due:              end.endOfDay(),
		Provisional:      len(unconfirmed) > 0,
		UnconfirmedDates: unconfirmed,
		CalendarVersion:  c.version,
	}, nil
}

// WorkdaysRemaining counts the working days after now's date up to and including due's
// date (Asia/Shanghai): on the due day itself none remain besides the current one. It is 0
// once due has passed.
func (c *Calendar) WorkdaysRemaining(now, due time.Time) int {
	if now.After(due) {
		return 0
	}
	return c.workdaysBetween(DateOf(now).AddDays(1), DateOf(due))
}

// WorkdaysOverdue counts the working days after due's date up to and including now's date
// (Asia/Shanghai). It is 0 if now is not after due, and also on the weekend or holiday right
// after a deadline.
func (c *Calendar) WorkdaysOverdue(now, due time.Time) int {
	if !now.After(due) {
		return 0
	}
	return c.workdaysBetween(DateOf(due).AddDays(1), DateOf(now))
}

// WorkdaysAfter counts the working days after from's date up to and including to's date
// (Asia/Shanghai): how long a step took under the counting rule, the day of receipt not
// counted. A step done within N working days of from took at most N; one done on the day of
// receipt, or on the days off right after it, took 0. It is 0 when to is not after from's date.
func (c *Calendar) WorkdaysAfter(from, to time.Time) int {
	return c.workdaysBetween(DateOf(from).AddDays(1), DateOf(to))
}

// workdaysBetween counts working days from first to last, both included; 0 when first is
// after last.
func (c *Calendar) workdaysBetween(first, last Date) int {
	if first.After(last) {
		return 0
	}
	return c.biz.WorkdaysInRange(first.noon(), last.noon())
}
