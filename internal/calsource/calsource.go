// Package calsource keeps a process's working-day calendar current: the official data in the
// binary plus what admins changed in the database, reloaded when the calendar's revision moves.
// It also watches for a missing next-year schedule and counts provisional answers.
package calsource

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/datashare/datashare/internal/calendar"
)

// Loader reads the administered calendar data (the models store implements it).
type Loader interface {
	CalendarRevision(ctx context.Context) (int64, error)
	CalendarOptions(ctx context.Context) (calendar.Options, int64, error)
}

// Source hands out the current calendar. It checks the revision at most once per TTL, so an
// edit made through another API replica is seen within that time, and at once by the replica
// that made it (Invalidate).
type Source struct {
	loader Loader
	ttl    time.Duration
	now    func() time.Time
	log    *slog.Logger

	mu      sync.Mutex
	cal     *calendar.Calendar
	rev     int64
	checked time.Time
	// broken is why the stored calendar data at revision brokenRev could not be built; the
	// last good calendar is served meanwhile. nil when the latest data built.
	broken    error
	brokenRev int64

	provisional prometheus.Counter
	failures    prometheus.Counter
}

// New builds a source; loader nil means the official data only (the CLI).
func New(loader Loader, ttl time.Duration, log *slog.Logger, reg prometheus.Registerer) (*Source, error) {
	s := &Source{loader: loader, ttl: ttl, now: time.Now, log: log,
		provisional: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "datashare_calendar_provisional_total",
			Help: "Deadlines computed into a year without a published holiday schedule.",
		}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "datashare_calendar_build_failures_total",
			Help: "Times the stored calendar data could not be built; the last good calendar was kept.",
		}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{s.provisional, s.failures} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("register calendar metrics: %w", err)
			}
		}
	}
	if loader == nil {
		c, err := calendar.New(calendar.Options{})
		if err != nil {
			return nil, err
		}
		s.cal = c
	}
	return s, nil
}

// Calendar returns the current calendar.
func (s *Source) Calendar(ctx context.Context) (*calendar.Calendar, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loader == nil {
		return s.cal, nil
	}
	now := s.now()
	if s.cal != nil && now.Sub(s.checked) < s.ttl {
		return s.cal, nil
	}
	rev, err := s.loader.CalendarRevision(ctx)
	if err != nil {
		if s.cal != nil {
			// A database hiccup must not stop deadline computations; the cached calendar is at
			// most one edit behind and the next call tries again.
			s.log.Warn("calendar revision check failed; using the cached calendar", slog.Any("error", err))
			return s.cal, nil
		}
		return nil, fmt.Errorf("load calendar: %w", err)
	}
	if s.cal == nil || (rev != s.rev && !(s.broken != nil && rev == s.brokenRev)) {
		opts, rev, err := s.loader.CalendarOptions(ctx)
		if err != nil {
			return nil, fmt.Errorf("load calendar: %w", err)
		}
		c, err := calendar.New(opts)
		switch {
		case err != nil && s.cal == nil:
			return nil, fmt.Errorf("build calendar at revision %d: %w", rev, err)
		case err != nil:
			// Data that cannot be built must not stop every deadline: the last good calendar
			// stays in use until the data is corrected; operators see it in the log, the
			// metric and /readyz.
			s.failures.Inc()
			s.broken, s.brokenRev = fmt.Errorf("calendar data at revision %d cannot be built, revision %d still in use: %w", rev, s.rev, err), rev
			s.log.Error("calendar data cannot be built; keeping the last good calendar",
				slog.Int64("revision", rev), slog.Int64("in_use", s.rev), slog.Any("error", err))
		default:
			s.cal, s.rev, s.broken = c, rev, nil
		}
	}
	s.checked = now
	return s.cal, nil
}

// Healthy is nil while the calendar in use is built from the latest stored data, and says why
// not otherwise (a readiness check).
func (s *Source) Healthy(ctx context.Context) error {
	if _, err := s.Calendar(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.broken
}

// Invalidate makes the next Calendar call re-read the database.
func (s *Source) Invalidate() {
	s.mu.Lock()
	s.checked = time.Time{}
	s.mu.Unlock()
}

// NoteDue counts and logs a provisional deadline, so operators see that answers depend on an
// estimated schedule.
func (s *Source) NoteDue(res calendar.DueResult) {
	if !res.Provisional {
		return
	}
	s.provisional.Inc()
	s.log.Warn("provisional deadline: it reaches a year without a published holiday schedule",
		slog.String("from", res.From.Format(time.RFC3339)), slog.Int("workdays", res.Workdays),
		slog.String("due", res.Due.Format(time.RFC3339)), slog.Int("unconfirmed_days", len(res.UnconfirmedDates)),
		slog.String("calendar_version", res.CalendarVersion))
}

// Status is the calendar's state as admins see it.
type Status struct {
	CalendarVersion string   `json:"calendar_version"`
	PublishedYears  []int    `json:"published_years"`
	NextYear        int      `json:"next_year"`
	NextYearMissing bool     `json:"next_year_missing"`
	Warnings        []string `json:"warnings"`
}

// StatusAt reports the state at now: from 1 November on, a missing schedule for next year is a
// warning (the State Council usually publishes it in the autumn; deadlines reaching into the
// new year are provisional until it is loaded).
func StatusAt(c *calendar.Calendar, now time.Time) Status {
	local := now.In(calendar.Location())
	next := local.Year() + 1
	st := Status{CalendarVersion: c.Version(), PublishedYears: c.PublishedYears(), NextYear: next, Warnings: []string{}}
	if !c.Published(local.Year()) {
		st.Warnings = append(st.Warnings, fmt.Sprintf("no holiday schedule for the current year %d: deadlines are provisional; load it with POST /api/v1/calendar/years/%d", local.Year(), local.Year()))
	}
	if !c.Published(next) {
		st.NextYearMissing = true
		if local.Month() >= time.November {
			st.Warnings = append(st.Warnings, fmt.Sprintf("no holiday schedule for %d yet: deadlines reaching into %d are provisional; load the State Council's notice with POST /api/v1/calendar/years/%d", next, next, next))
		}
	}
	return st
}

// Watch logs the status's warnings at start and then daily until ctx ends.
func (s *Source) Watch(ctx context.Context, every time.Duration) {
	check := func() {
		c, err := s.Calendar(ctx)
		if err != nil {
			s.log.Warn("calendar check failed", slog.Any("error", err))
			return
		}
		for _, w := range StatusAt(c, s.now()).Warnings {
			s.log.Warn("calendar: " + w)
		}
	}
	check()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			check()
		}
	}
}
