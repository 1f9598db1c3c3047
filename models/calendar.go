package models

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/datashare/datashare/internal/calendar"
)

// CalendarOverride corrects or adds one day of the working-day calendar (an admin's edit that
// takes effect without a release). Day is "YYYY-MM-DD" in China.
type CalendarOverride struct {
	Day       string    `gorm:"column:day;primaryKey"`
	Workday   bool      `gorm:"column:workday"`
	Name      string    `gorm:"column:name"`   // e.g. 春节
	Source    string    `gorm:"column:source"` // where the correction comes from, e.g. a notice number
	UpdatedBy string    `gorm:"column:updated_by"`
	UpdatedAt time.Time `gorm:"column:updated_at;autoUpdateTime:false"`
}

// TableName pins the table name independently of GORM's naming strategy.
func (CalendarOverride) TableName() string { return "calendar_overrides" }

// CalendarYearDay is one special day of a loaded year's schedule.
type CalendarYearDay struct {
	Day     string `json:"date"`
	Workday bool   `json:"workday"`
	Name    string `json:"name"`
}

// CalendarYear is a whole year's schedule loaded by an admin, typically the State Council
// General Office's notice for a year not yet in the binary.
type CalendarYear struct {
	Year     int       `gorm:"column:year;primaryKey;autoIncrement:false"`
	Source   string    `gorm:"column:source"`
	DaysJSON string    `gorm:"column:days"`
	LoadedBy string    `gorm:"column:loaded_by"`
	LoadedAt time.Time `gorm:"column:loaded_at;autoCreateTime:false"`
}

// TableName pins the table name independently of GORM's naming strategy.
func (CalendarYear) TableName() string { return "calendar_years" }

// Days decodes the schedule.
func (y *CalendarYear) Days() ([]CalendarYearDay, error) {
	var days []CalendarYearDay
	if err := json.Unmarshal([]byte(y.DaysJSON), &days); err != nil {
		return nil, fmt.Errorf("decode calendar year %d: %w", y.Year, err)
	}
	return days, nil
}

// CalendarChange is one entry of the append-only log of calendar edits.
type CalendarChange struct {
	Revision  int64     `gorm:"column:revision;primaryKey;autoIncrement:false"`
	Action    string    `gorm:"column:action"`  // put_override, delete_override, load_year
	Subject   string    `gorm:"column:subject"` // the day or the year
	Detail    string    `gorm:"column:detail"`  // JSON of what was written
	Actor     string    `gorm:"column:actor"`
	CreatedAt time.Time `gorm:"column:created_at;autoCreateTime:false"`
}

// TableName pins the table name independently of GORM's naming strategy.
func (CalendarChange) TableName() string { return "calendar_changes" }

type calendarState struct {
	ID        int       `gorm:"column:id;primaryKey"`
	Revision  int64     `gorm:"column:revision"`
	UpdatedAt time.Time `gorm:"column:updated_at"`
}

func (calendarState) TableName() string { return "calendar_state" }

// CalendarData is everything administered about the calendar, at one revision.
type CalendarData struct {
	Revision  int64
	Overrides []CalendarOverride
	Years     []CalendarYear
}

var dayPattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func validDay(s string) bool {
	if !dayPattern.MatchString(s) {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// Validate returns invalid fields by JSON name.
func (o *CalendarOverride) Validate() map[string]string {
	f := map[string]string{}
	if !validDay(o.Day) {
		f["date"] = "须为 YYYY-MM-DD 格式的日期"
	}
	checkText(f, "name", o.Name, 64, true)
	checkText(f, "source", o.Source, 500, true)
	return f
}

// CalendarRevision is the current revision; it changes with every calendar edit.
func (s *Store) CalendarRevision(ctx context.Context) (int64, error) {
	var st calendarState
	if err := s.db.WithContext(ctx).Take(&st, 1).Error; err != nil {
		return 0, dbError(err, "load calendar revision")
	}
	return st.Revision, nil
}

// OpenTasksOnOtherCalendar counts the open tasks with a deadline computed on another
// calendar version than version: a calendar edit (a loaded year's notice replacing its
// estimate) or a release with new embedded notices that their workflows have not yet
// recomputed, e.g. because it happened while no worker watched the calendar.
func (s *Store) OpenTasksOnOtherCalendar(ctx context.Context, version string) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Model(&Task{}).
		Where(clause.Eq{Column: clause.Column{Name: "status"}, Value: "open"}).
		Where("due_at IS NOT NULL").
		Where(clause.Neq{Column: clause.Column{Name: "calendar_version"}, Value: version}).
		Count(&n).Error
	if err != nil {
		return 0, dbError(err, "open tasks on a calendar other than %s", version)
	}
	return n, nil
}

// CalendarData reads overrides, loaded years and the revision as one consistent snapshot. It
// reads the revision before and after the data and retries when an edit came in between,
// instead of a transaction that would take SQLite's write lock.
func (s *Store) CalendarData(ctx context.Context) (CalendarData, error) {
	for attempt := 0; ; attempt++ {
		before, err := s.CalendarRevision(ctx)
		if err != nil {
			return CalendarData{}, err
		}
		out := CalendarData{Revision: before}
		db := s.db.WithContext(ctx)
		if err := db.Order("day").Find(&out.Overrides).Error; err != nil {
			return CalendarData{}, dbError(err, "load calendar overrides")
		}
		if err := db.Order("year").Find(&out.Years).Error; err != nil {
			return CalendarData{}, dbError(err, "load calendar years")
		}
		after, err := s.CalendarRevision(ctx)
		if err != nil {
			return CalendarData{}, err
		}
		if after == before || attempt == 4 {
			out.Revision = after
			if after != before {
				return CalendarData{}, fmt.Errorf("calendar kept changing while being read: %w", ErrConflict)
			}
			return out, nil
		}
	}
}

// PutCalendarOverride creates or replaces the override of o.Day; it returns the new revision and
// whether the day had no override before.
func (s *Store) PutCalendarOverride(ctx context.Context, o CalendarOverride, actor string) (int64, bool, error) {
	if f := o.Validate(); len(f) > 0 {
		return 0, false, &ValidationError{Fields: f}
	}
	o.UpdatedBy, o.UpdatedAt = actor, now()
	var created bool
	rev, err := s.calendarEdit(ctx, "put_override", o.Day, o, actor, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&CalendarOverride{}).Where("day = ?", o.Day).Count(&n).Error; err != nil {
			return err
		}
		created = n == 0
		return tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&o).Error
	})
	return rev, created, err
}

// DeleteCalendarOverride removes the override of day, or returns ErrNotFound.
func (s *Store) DeleteCalendarOverride(ctx context.Context, day, actor string) (int64, error) {
	return s.calendarEdit(ctx, "delete_override", day, map[string]string{"date": day}, actor, func(tx *gorm.DB) error {
		res := tx.Where("day = ?", day).Delete(&CalendarOverride{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("calendar override of %s: %w", day, ErrNotFound)
		}
		return nil
	})
}

// LoadCalendarYear stores (or replaces) a whole year's schedule.
func (s *Store) LoadCalendarYear(ctx context.Context, year int, source string, days []CalendarYearDay, actor string) (int64, error) {
	f := map[string]string{}
	if year < 2000 || year > 2100 {
		f["year"] = "须在 2000 至 2100 之间"
	}
	checkText(f, "source", source, 500, true)
	for i, d := range days {
		if !validDay(d.Day) || d.Day[:4] != fmt.Sprint(year) {
			f[fmt.Sprintf("days[%d].date", i)] = fmt.Sprintf("须为 %d 年内 YYYY-MM-DD 格式的日期", year)
		}
		checkText(f, fmt.Sprintf("days[%d].name", i), d.Name, 64, true)
	}
	if len(f) > 0 {
		return 0, &ValidationError{Fields: f}
	}
	raw, err := json.Marshal(days)
	if err != nil {
		return 0, fmt.Errorf("encode calendar year %d: %w", year, err)
	}
	y := CalendarYear{Year: year, Source: source, DaysJSON: string(raw), LoadedBy: actor, LoadedAt: now()}
	return s.calendarEdit(ctx, "load_year", fmt.Sprint(year), y, actor, func(tx *gorm.DB) error {
		return tx.Clauses(clause.OnConflict{UpdateAll: true}).Create(&y).Error
	})
}

// ListCalendarChanges returns the edit log, newest first, at most limit rows.
func (s *Store) ListCalendarChanges(ctx context.Context, limit int) ([]CalendarChange, error) {
	var out []CalendarChange
	if err := s.db.WithContext(ctx).Order("revision DESC").Limit(limit).Find(&out).Error; err != nil {
		return nil, dbError(err, "list calendar changes")
	}
	return out, nil
}

// calendarEdit runs one edit and raises the revision in the same transaction, logging the edit;
// the row lock on calendar_state serialises concurrent edits, so revisions are gapless.
func (s *Store) calendarEdit(ctx context.Context, action, subject string, detail any, actor string, edit func(tx *gorm.DB) error) (int64, error) {
	raw, err := json.Marshal(detail)
	if err != nil {
		return 0, fmt.Errorf("encode calendar change: %w", err)
	}
	var rev int64
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var st calendarState
		if err := forUpdate(tx).Take(&st, 1).Error; err != nil {
			return err
		}
		if err := edit(tx); err != nil {
			return err
		}
		rev = st.Revision + 1
		t := now()
		if err := tx.Model(&calendarState{}).Where("id = 1").Updates(map[string]any{"revision": rev, "updated_at": t}).Error; err != nil {
			return err
		}
		return tx.Create(&CalendarChange{Revision: rev, Action: action, Subject: subject, Detail: string(raw), Actor: actor, CreatedAt: t}).Error
	})
	if err != nil {
		return 0, dbError(err, "%s %s", action, subject)
	}
	return rev, nil
}

// CalendarOptions turns the administered data into the calendar's inputs, versioned as the
// official data set plus the revision (e.g. "cn-2026.2+r3").
func (s *Store) CalendarOptions(ctx context.Context) (calendar.Options, int64, error) {
	data, err := s.CalendarData(ctx)
	if err != nil {
		return calendar.Options{}, 0, err
	}
	opts := calendar.Options{Version: fmt.Sprintf("%s+r%d", calendar.OfficialVersion, data.Revision)}
	for _, o := range data.Overrides {
		d, err := calendar.ParseDate(o.Day)
		if err != nil {
			return calendar.Options{}, 0, fmt.Errorf("calendar override %q: %w", o.Day, err)
		}
		opts.Overrides = append(opts.Overrides, calendar.Override{Date: d, Workday: o.Workday, Name: o.Name, Source: o.Source})
	}
	for _, y := range data.Years {
		days, err := y.Days()
		if err != nil {
			return calendar.Options{}, 0, err
		}
		sched := calendar.Schedule{Year: y.Year, Source: y.Source}
		for _, d := range days {
			date, err := calendar.ParseDate(d.Day)
			if err != nil {
				return calendar.Options{}, 0, fmt.Errorf("calendar year %d: %w", y.Year, err)
			}
			sched.Days = append(sched.Days, calendar.SpecialDay{Date: date, Workday: d.Workday, Name: d.Name})
		}
		opts.Loaded = append(opts.Loaded, sched)
	}
	return opts, data.Revision, nil
}
