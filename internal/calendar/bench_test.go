package calendar

import (
	"testing"
	"time"
)

func BenchmarkDue(b *testing.B) {
	c := official(b)
	cases := []struct {
		name     string
		received time.Time
		n        int
	}{
		{"N=10 across Spring Festival", at("2026-02-13 09:00"), 10},
		{"N=365", at("2025-01-02 10:00"), 365},
		{"N=30 into 2027 (estimated)", at("2026-12-24 10:00"), 30},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Due(bc.received, bc.n); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNew is the cost of rebuilding the calendar after an admin's edit.
func BenchmarkNew(b *testing.B) {
	opts := Options{Overrides: []Override{{Date: d("2026-03-03"), Name: "x", Source: "y"}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := New(opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDays366(b *testing.B) {
	c := official(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Days(d("2026-06-01"), d("2027-06-01")); err != nil {
			b.Fatal(err)
		}
	}
}
