package calendar

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func d(s string) Date { return mustDate(s) }

func TestParseDate(t *testing.T) {
	good := []struct {
		in   string
		want Date
	}{
		{"2026-02-14", Date{2026, time.February, 14}},
		{"2024-02-29", Date{2024, time.February, 29}},
		{"2008-01-01", Date{2008, time.January, 1}},
	}
	for _, tc := range good {
		got, err := ParseDate(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if got.String() != tc.in {
			t.Errorf("%v.String() = %q, want %q", got, got.String(), tc.in)
		}
	}
	for _, in := range []string{"", "2026-2-14", "2026-02-4", "20260214", "2026/02/14", " 2026-02-14", "2026-02-14 ",
		"2026-02-14T00:00:00Z", "2026-02-30", "2025-02-29", "2026-13-01", "26-02-14", "２０２６-02-14"} {
		if got, err := ParseDate(in); !errors.Is(err, ErrInvalidDate) {
			t.Errorf("ParseDate(%q) = %v, %v; want ErrInvalidDate", in, got, err)
		}
	}
}

func TestDateJSON(t *testing.T) {
	type wrap struct {
		D Date `json:"d"`
	}
	b, err := json.Marshal(wrap{d("2026-02-14")})
	if err != nil || string(b) != `{"d":"2026-02-14"}` {
		t.Fatalf("Marshal = %s, %v", b, err)
	}
	var w wrap
	if err := json.Unmarshal([]byte(`{"d":"2025-10-08"}`), &w); err != nil || w.D != d("2025-10-08") {
		t.Fatalf("Unmarshal = %v, %v", w.D, err)
	}
	if err := json.Unmarshal([]byte(`{"d":"2025-10-8"}`), &w); !errors.Is(err, ErrInvalidDate) {
		t.Fatalf("Unmarshal of a bad date: err = %v", err)
	}
}

func TestDateOf(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		at   time.Time
		want Date
	}{
		{time.Date(2026, 2, 13, 17, 0, 0, 0, time.UTC), d("2026-02-14")},   // 01:00 next day in Shanghai
		{time.Date(2026, 2, 13, 15, 59, 59, 0, time.UTC), d("2026-02-13")}, // 23:59:59 in Shanghai
		{time.Date(2026, 2, 13, 12, 0, 0, 0, ny), d("2026-02-14")},         // noon EST is 01:00 in Shanghai
		{time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC), d("2026-01-01")},
		{time.Date(2026, 2, 14, 0, 0, 0, 0, Location()), d("2026-02-14")},
	}
	for _, tc := range tests {
		if got := DateOf(tc.at); got != tc.want {
			t.Errorf("DateOf(%v) = %v, want %v", tc.at, got, tc.want)
		}
	}
	if _, off := time.Date(2026, 7, 1, 0, 0, 0, 0, Location()).Zone(); off != 8*3600 {
		t.Errorf("Location offset = %d, want +08:00", off)
	}
}

func TestDateArithmetic(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-02-28", 1, "2026-03-01"},
		{"2024-02-28", 1, "2024-02-29"},
		{"2025-12-31", 1, "2026-01-01"},
		{"2026-01-01", -1, "2025-12-31"},
		{"2026-02-14", 0, "2026-02-14"},
		{"2026-02-14", 365, "2027-02-14"},
		{"2100-02-28", 1, "2100-03-01"}, // 2100 is no leap year
	}
	for _, tc := range tests {
		if got := d(tc.from).AddDays(tc.n); got != d(tc.want) {
			t.Errorf("%s.AddDays(%d) = %v, want %s", tc.from, tc.n, got, tc.want)
		}
	}
	if !d("2026-02-13").Before(d("2026-02-14")) || d("2026-02-14").Before(d("2026-02-14")) || !d("2027-01-01").After(d("2026-12-31")) {
		t.Error("Before/After disagree with the calendar order")
	}
	// Day numbers, weekdays and validity agree with package time over the whole range.
	for tm := time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC); tm.Year() <= 2101; tm = tm.AddDate(0, 0, 1) {
		dt := Date{tm.Year(), tm.Month(), tm.Day()}
		if got := fromDayNumber(dt.dayNumber()); got != dt {
			t.Fatalf("round trip of %v gave %v", dt, got)
		}
		if dt.Weekday() != tm.Weekday() || !dt.Valid() {
			t.Fatalf("%v: weekday %v (want %v), valid %v", dt, dt.Weekday(), tm.Weekday(), dt.Valid())
		}
	}
	for _, bad := range []Date{{2026, 2, 29}, {2026, 4, 31}, {2026, 0, 1}, {2026, 13, 1}, {2026, 1, 0}, {}} {
		if bad.Valid() {
			t.Errorf("%v reported valid", bad)
		}
	}
}
