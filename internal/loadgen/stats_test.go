package loadgen

import (
	"testing"
	"time"
)

func TestLoadgenPercentileNearestRank(t *testing.T) {
	var hundred []time.Duration
	for i := 1; i <= 100; i++ {
		hundred = append(hundred, time.Duration(i)*time.Millisecond)
	}
	for _, tc := range []struct {
		samples []time.Duration
		p       float64
		want    time.Duration
	}{
		{hundred, 50, 50 * time.Millisecond},
		{hundred, 90, 90 * time.Millisecond},
		{hundred, 99, 99 * time.Millisecond},
		{hundred, 99.5, 100 * time.Millisecond},
		{hundred, 100, 100 * time.Millisecond},
		{hundred, 0.1, 1 * time.Millisecond},
		{[]time.Duration{7}, 50, 7},
		{[]time.Duration{7}, 99, 7},
		// Of 4 samples, p50 is the 2nd (50 % at or below it) and p90 the 4th: no interpolation.
		{[]time.Duration{1, 2, 3, 4}, 50, 2},
		{[]time.Duration{1, 2, 3, 4}, 90, 4},
		{nil, 50, 0},
	} {
		if got := Percentile(tc.samples, tc.p); got != tc.want {
			t.Errorf("Percentile(%d samples, %v) = %v, want %v", len(tc.samples), tc.p, got, tc.want)
		}
	}
}

func TestLoadgenSummarizeSortsAndCountsEverySample(t *testing.T) {
	// Out of order, as concurrent callers record them.
	samples := []time.Duration{30 * time.Millisecond, 10 * time.Millisecond, 500 * time.Millisecond, 20 * time.Millisecond}
	l := Summarize(samples)
	want := Latency{Count: 4, P50MS: 20, P90MS: 500, P99MS: 500, MaxMS: 500, MeanMS: 140}
	if l != want {
		t.Fatalf("Summarize = %+v, want %+v", l, want)
	}
	if (Summarize(nil) != Latency{}) {
		t.Fatal("no samples: want the zero Latency")
	}
	if got := Summarize([]time.Duration{1500 * time.Microsecond}).P50MS; got != 1.5 {
		t.Fatalf("1.5 ms reported as %v", got)
	}
}
