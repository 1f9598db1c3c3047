package calendar

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rickar/cal/v2"
)

// Errors returned by the package, for callers that map them to a response (all are bad
// input; none is transient).
var (
	ErrInvalidDate     = errors.New("calendar: invalid date")
	ErrInvalidRange    = errors.New("calendar: invalid date range")
	ErrInvalidWorkdays = errors.New("calendar: invalid number of working days")
	ErrUnsupportedYear = errors.New("calendar: unsupported year")
	ErrInvalidOptions  = errors.New("calendar: invalid calendar data")
)

// Limits of the queries.
const (
	MaxWorkdays = 365 // largest N of Due
	MaxDays     = 366 // longest range of Days, in days
	maxName     = 64  // runes of a day's name
	maxSource   = 500 // runes of a notice citation or an override's source
)

// Kind classifies a day.
type Kind string

// Kinds of day.
const (
	KindWorkday       Kind = "workday"        // Monday to Friday, working
	KindWeekend       Kind = "weekend"        // Saturday or Sunday, not working
	KindHoliday       Kind = "holiday"        // a day off (放假) named by a schedule, an override or the estimate
	KindMakeupWorkday Kind = "makeup_workday" // a Saturday or Sunday worked instead (调休上班)
)

// SpecialDay is a day a schedule or override changes: a holiday on a weekday or weekend, or
// a make-up working day (调休上班) on a weekend.
type SpecialDay struct {
	Date    Date   `json:"date"`
	Workday bool   `json:"workday"`
	Name    string `json:"name"`
}

// Schedule is one year's published arrangement (部分节假日安排): the days its notice names.
// Its days lie in the year or, when the notice reaches back for 元旦, in the previous December.
type Schedule struct {
	Year   int          `json:"year"`
	Source string       `json:"source"` // the notice: title, document number and date
	Days   []SpecialDay `json:"days"`
}

// Override corrects one day, whatever the schedules or the estimate say.
type Override struct {
	Date    Date
	Workday bool
	Name    string
	Source  string
}

// Options are the caller's data on top of the embedded official schedules.
type Options struct {
	Loaded    []Schedule // years loaded by an admin; replace official data of the same year
	Overrides []Override // applied last
	Version   string     // calendar version the caller assigns (e.g. OfficialVersion+"+r7"); "" → OfficialVersion
}

// DayInfo is how the calendar classifies one day.
type DayInfo struct {
	Date        Date   `json:"date"`
	Workday     bool   `json:"workday"`
	Kind        Kind   `json:"kind"`
	Name        string `json:"name,omitempty"`
	Provisional bool   `json:"provisional,omitempty"` // in an unpublished year: estimated, not announced
}

// Calendar is an immutable China working-day calendar: the official and loaded schedules,
// the overrides, and estimates for unpublished years. It is safe for concurrent use.
type Calendar struct {
	version   string
	sources   map[int]string // published year → the notice cited
	years     []int          // published years, ascending
	special   map[Date]SpecialDay
	overrides map[Date]Override
	biz       *cal.BusinessCalendar

	// Estimates are computed on first use, once per year and calendar.
	estimates [MaxYear - MinYear + 1]struct {
		once sync.Once
		days map[Date]SpecialDay
	}
}

// New builds a calendar from the official data, the loaded years and the overrides. It
// validates the caller's data: years within MinYear..MaxYear, schedule days inside their year
// (or its previous December), no date twice, working days in a schedule only on weekends
// (make-up days), names present and printable.
func New(opts Options) (*Calendar, error) {
	c := &Calendar{
		version:   opts.Version,
		sources:   make(map[int]string),
		special:   make(map[Date]SpecialDay),
		overrides: make(map[Date]Override, len(opts.Overrides)),
	}
	if c.version == "" {
		c.version = OfficialVersion
	}
	byYear := make(map[int]Schedule)
	for _, s := range Official() {
		byYear[s.Year] = s
	}
	loaded := make(map[int]bool)
	for _, s := range opts.Loaded {
		if loaded[s.Year] {
			return nil, fmt.Errorf("%w: year %d loaded twice", ErrInvalidOptions, s.Year)
		}
		loaded[s.Year] = true
		byYear[s.Year] = s
	}
	for y := range byYear {
		c.years = append(c.years, y)
	}
	sort.Ints(c.years)
	// In year order, so a notice that reaches back into December wins over the year before.
	for _, y := range c.years {
		s := byYear[y]
		if err := validateSchedule(s); err != nil {
			return nil, err
		}
		c.sources[y] = s.Source
		for _, d := range s.Days {
			c.special[d.Date] = d
		}
	}
	for _, o := range opts.Overrides {
		if err := validateOverride(o); err != nil {
			return nil, err
		}
		if _, dup := c.overrides[o.Date]; dup {
			return nil, fmt.Errorf("%w: override %s given twice", ErrInvalidOptions, o.Date)
		}
		c.overrides[o.Date] = o
	}
	c.biz = c.Business()
	return c, nil
}

func validateSchedule(s Schedule) error {
	if s.Year < MinYear || s.Year > MaxYear {
		return fmt.Errorf("%w: schedule %d: year outside %d..%d", ErrInvalidOptions, s.Year, MinYear, MaxYear)
	}
	if p := checkText(s.Source, maxSource, true); p != "" {
		return fmt.Errorf("%w: schedule %d: source %s", ErrInvalidOptions, s.Year, p)
	}
	if len(s.Days) == 0 {
		return fmt.Errorf("%w: schedule %d: no days", ErrInvalidOptions, s.Year)
	}
	seen := make(map[Date]bool, len(s.Days))
	for _, d := range s.Days {
		var problem string
		inYear := d.Date.Year == s.Year
		prevDecember := d.Date.Year == s.Year-1 && d.Date.Month == time.December
		switch {
		case !d.Date.Valid():
			problem = "no such date"
		case !inYear && !prevDecember:
			problem = fmt.Sprintf("outside %d and its previous December", s.Year)
		case seen[d.Date]:
			problem = "listed twice"
		case d.Workday && !d.Date.weekend():
			problem = fmt.Sprintf("a make-up working day must be a Saturday or Sunday, it is a %s", d.Date.Weekday())
		default:
			if p := checkText(d.Name, maxName, true); p != "" {
				problem = "name " + p
			}
		}
		if problem != "" {
			return fmt.Errorf("%w: schedule %d: day %s: %s", ErrInvalidOptions, s.Year, d.Date, problem)
		}
		seen[d.Date] = true
	}
	return nil
}

func validateOverride(o Override) error {
	if field, p := CheckOverride(o); p != "" {
		if field == "date" {
			return fmt.Errorf("%w: override %s: %s", ErrInvalidOptions, o.Date, p)
		}
		return fmt.Errorf("%w: override %s: %s %s", ErrInvalidOptions, o.Date, field, p)
	}
	return nil
}

// CheckOverride says what New would refuse in an override: the field ("date", "name" or
// "source") and the problem, "" when there is none. An edit is checked with it before it is
// stored, so that no stored override can stop the calendar from being built.
func CheckOverride(o Override) (field, problem string) {
	switch {
	case !o.Date.Valid():
		return "date", "no such date"
	case o.Date.Year < MinYear || o.Date.Year > MaxYear:
		return "date", fmt.Sprintf("year outside %d..%d", MinYear, MaxYear)
	}
	if p := checkText(o.Name, maxName, false); p != "" {
		return "name", p
	}
	if p := checkText(o.Source, maxSource, false); p != "" {
		return "source", p
	}
	return "", ""
}

// checkText accepts printable text of bounded length without surrounding blanks; it
// returns what is wrong, "" when nothing is.
func checkText(s string, limit int, required bool) string {
	switch {
	case required && strings.TrimSpace(s) == "":
		return "is empty"
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	case utf8.RuneCountInString(s) > limit:
		return fmt.Sprintf("is longer than %d characters", limit)
	case strings.TrimSpace(s) != s:
		return "has leading or trailing blanks"
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "contains control characters (tab, newline, NUL, escape …)"
	}
	return ""
}

// Version identifies the data this calendar was built from; store it with every deadline.
func (c *Calendar) Version() string { return c.version }

// Published reports whether the year has a schedule, official or loaded.
func (c *Calendar) Published(year int) bool {
	_, ok := c.sources[year]
	return ok
}

// PublishedYears lists the years with a schedule, ascending.
func (c *Calendar) PublishedYears() []int { return append([]int(nil), c.years...) }

// Source is the notice cited for a published year, "" otherwise.
func (c *Calendar) Source(year int) string { return c.sources[year] }

// IsWorkday reports whether d is a working day (工作日).
func (c *Calendar) IsWorkday(d Date) bool { return c.Day(d).Workday }

// Business returns a rickar/cal business calendar whose WorkdayFunc is this calendar's
// classification (in Asia/Shanghai, whatever the zone of the times it is given). No holiday
// is registered with it: a Chinese holiday list would also cancel the make-up Saturdays.
// Each call returns a new value, so a caller that changes it cannot change this calendar.
func (c *Calendar) Business() *cal.BusinessCalendar {
	b := cal.NewBusinessCalendar()
	b.WorkdayFunc = func(t time.Time) bool { return c.Day(DateOf(t)).Workday }
	return b
}

// Day classifies one day. Precedence: an override; then a published schedule that names the
// day; then, in a published year, Monday–Friday; in an unpublished year, the estimate with its
// days off and make-up working days (Provisional, also for its ordinary days). A December day
// the estimate of an unpublished next year names (元旦's bridge and make-up day) is that
// estimate's, Provisional, also in a published year. Outside MinYear..MaxYear only the
// weekday is known, and the day is Provisional.
func (c *Calendar) Day(d Date) DayInfo {
	if o, ok := c.overrides[d]; ok {
		info := DayInfo{Date: d, Workday: o.Workday, Name: o.Name}
		switch {
		case o.Workday && d.weekend():
			info.Kind = KindMakeupWorkday
		case o.Workday:
			info.Kind = KindWorkday
		case d.weekend() && o.Name == "":
			info.Kind = KindWeekend // e.g. a wrongly announced make-up day taken back
		default:
			info.Kind = KindHoliday
		}
		return info
	}
	if s, ok := c.special[d]; ok {
		info := DayInfo{Date: d, Workday: s.Workday, Name: s.Name, Kind: KindHoliday}
		if s.Workday {
			info.Kind = KindMakeupWorkday
		}
		return info
	}
	info := plainDay(d)
	if !c.Published(d.Year) {
		info.Provisional = true
		if s, ok := c.estimated(d.Year)[d]; ok {
			return estimatedDay(info, s)
		}
	}
	// The estimate of an unpublished next year may reach back into December (元旦 on a
	// Tuesday: the Monday before bridged, the Saturday before worked), also in a published year.
	if d.Month == time.December && !c.Published(d.Year+1) {
		if s, ok := c.estimated(d.Year + 1)[d]; ok {
			info.Provisional = true
			return estimatedDay(info, s)
		}
	}
	return info
}

func estimatedDay(info DayInfo, s SpecialDay) DayInfo {
	info.Workday, info.Kind, info.Name = s.Workday, KindHoliday, s.Name
	if s.Workday {
		info.Kind = KindMakeupWorkday
	}
	return info
}

func plainDay(d Date) DayInfo {
	if d.weekend() {
		return DayInfo{Date: d, Workday: false, Kind: KindWeekend}
	}
	return DayInfo{Date: d, Workday: true, Kind: KindWorkday}
}

// estimated is the estimate of a year by date (its days off and make-up working days, some
// perhaps in the previous December), nil outside MinYear..MaxYear.
func (c *Calendar) estimated(year int) map[Date]SpecialDay {
	if year < MinYear || year > MaxYear {
		return nil
	}
	e := &c.estimates[year-MinYear]
	e.once.Do(func() {
		days, _ := Estimate(year) // cannot fail inside the range
		e.days = make(map[Date]SpecialDay, len(days))
		for _, d := range days {
			e.days[d.Date] = d
		}
	})
	return e.days
}

// Days classifies every day from from to to, both included: at most MaxDays days, within
// MinYear..MaxYear.
func (c *Calendar) Days(from, to Date) ([]DayInfo, error) {
	if err := checkDate("from", from); err != nil {
		return nil, err
	}
	if err := checkDate("to", to); err != nil {
		return nil, err
	}
	if from.After(to) {
		return nil, fmt.Errorf("%w: from %s is after to %s", ErrInvalidRange, from, to)
	}
	n := to.dayNumber() - from.dayNumber() + 1
	if n > MaxDays {
		return nil, fmt.Errorf("%w: %d days from %s to %s, at most %d allowed", ErrInvalidRange, n, from, to, MaxDays)
	}
	out := make([]DayInfo, 0, n)
	for d := from; !d.After(to); d = d.AddDays(1) {
		out = append(out, c.Day(d))
	}
	return out, nil
}

func checkDate(what string, d Date) error {
	if !d.Valid() {
		return fmt.Errorf("%w: %s %s does not exist", ErrInvalidDate, what, d)
	}
	if d.Year < MinYear || d.Year > MaxYear {
		return fmt.Errorf("%w: %s %s is outside %d..%d", ErrUnsupportedYear, what, d, MinYear, MaxYear)
	}
	return nil
}
