package calsource

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/datashare/datashare/internal/calendar"
)

type fakeLoader struct {
	rev       int64
	loads     int
	overrides []calendar.Override
}

func (f *fakeLoader) CalendarRevision(context.Context) (int64, error) { return f.rev, nil }
func (f *fakeLoader) CalendarOptions(context.Context) (calendar.Options, int64, error) {
	f.loads++
	return calendar.Options{Overrides: f.overrides, Version: "v" + string(rune('0'+f.rev))}, f.rev, nil
}

func TestSourceReloadsOnlyWhenTheRevisionMoves(t *testing.T) {
	l := &fakeLoader{}
	s, err := New(l, time.Minute, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return clock }
	ctx := context.Background()
	c1, _ := s.Calendar(ctx)
	c2, _ := s.Calendar(ctx)
	if c1 != c2 || l.loads != 1 {
		t.Fatalf("loads = %d, want 1 (cached)", l.loads)
	}
	d, _ := calendar.ParseDate("2026-03-02")
	l.rev, l.overrides = 1, []calendar.Override{{Date: d, Workday: false, Name: "测试", Source: "测试"}}
	if c, _ := s.Calendar(ctx); c.IsWorkday(d) == false {
		t.Fatal("edit seen before the TTL passed")
	}
	s.Invalidate()
	c3, _ := s.Calendar(ctx)
	if c3.IsWorkday(d) || l.loads != 2 || c3.Version() != "v1" {
		t.Fatalf("after invalidate: workday=%v loads=%d version=%s", c3.IsWorkday(d), l.loads, c3.Version())
	}
	clock = clock.Add(2 * time.Minute)
	if _, _ = s.Calendar(ctx); l.loads != 2 {
		t.Fatalf("unchanged revision reloaded: loads = %d", l.loads)
	}
}

func TestProvisionalAnswersAreCounted(t *testing.T) {
	reg := prometheus.NewRegistry()
	s, err := New(nil, 0, slog.New(slog.DiscardHandler), reg)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := s.Calendar(context.Background())
	settled, _ := c.Due(time.Date(2026, 3, 2, 9, 0, 0, 0, calendar.Location()), 5)
	s.NoteDue(settled)
	if got := counterValue(t, s.provisional); got != 0 {
		t.Fatalf("counted a settled deadline: %v", got)
	}
	prov, _ := c.Due(time.Date(2026, 12, 28, 9, 0, 0, 0, calendar.Location()), 10)
	s.NoteDue(prov)
	if got := counterValue(t, s.provisional); got != 1 || !prov.Provisional {
		t.Fatalf("provisional counter = %v (provisional=%v)", got, prov.Provisional)
	}
}

func TestStatusWarnsFromFirstNovember(t *testing.T) {
	c, err := calendar.New(calendar.Options{})
	if err != nil {
		t.Fatal(err)
	}
	oct := StatusAt(c, time.Date(2026, 10, 31, 12, 0, 0, 0, calendar.Location()))
	if !oct.NextYearMissing || len(oct.Warnings) != 0 {
		t.Fatalf("31 October: %+v", oct)
	}
	// 31 October 17:00 UTC is already 1 November in China.
	nov := StatusAt(c, time.Date(2026, 10, 31, 17, 0, 0, 0, time.UTC))
	if len(nov.Warnings) != 1 || !strings.Contains(nov.Warnings[0], "2027") {
		t.Fatalf("1 November: %+v", nov)
	}
	unpublished := StatusAt(c, time.Date(2027, 3, 1, 12, 0, 0, 0, calendar.Location()))
	if len(unpublished.Warnings) != 1 || !strings.Contains(unpublished.Warnings[0], "current year 2027") {
		t.Fatalf("in an unpublished year: %+v", unpublished)
	}
}

func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// Stored data the calendar cannot be built from (an override written before edits were
// checked) does not stop deadlines: the last good calendar stays in use, the failure is
// counted and Healthy says why, once, until the data is corrected.
func TestBrokenDataKeepsTheLastGoodCalendar(t *testing.T) {
	l := &fakeLoader{}
	reg := prometheus.NewRegistry()
	s, err := New(l, time.Minute, slog.New(slog.DiscardHandler), reg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	good, err := s.Calendar(ctx)
	if err != nil || s.Healthy(ctx) != nil {
		t.Fatalf("first build: %v, healthy %v", err, s.Healthy(ctx))
	}
	d, _ := calendar.ParseDate("2030-03-04")
	l.rev, l.overrides = 1, []calendar.Override{{Date: d, Name: "a\x00b", Source: "s"}}
	s.Invalidate()
	c, err := s.Calendar(ctx)
	if err != nil || c != good {
		t.Fatalf("after broken data: %v, calendar %p, want the last good %p", err, c, good)
	}
	if h := s.Healthy(ctx); h == nil || !strings.Contains(h.Error(), "revision 1") {
		t.Fatalf("healthy = %v, want the broken revision named", h)
	}
	loads := l.loads
	s.Invalidate()
	if _, _ = s.Calendar(ctx); l.loads != loads {
		t.Errorf("the same broken revision was built again: %d loads", l.loads)
	}
	mfs, _ := reg.Gather()
	failures := -1.0
	for _, mf := range mfs {
		if mf.GetName() == "datashare_calendar_build_failures_total" {
			failures = mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	if failures != 1 {
		t.Errorf("build failures counted %v, want 1", failures)
	}
	// Corrected: the new revision builds and the source is healthy again.
	l.rev, l.overrides = 2, []calendar.Override{{Date: d, Name: "ab", Source: "s"}}
	s.Invalidate()
	if c, err := s.Calendar(ctx); err != nil || c == good || s.Healthy(ctx) != nil {
		t.Fatalf("after the correction: %v, healthy %v", err, s.Healthy(ctx))
	}
}
