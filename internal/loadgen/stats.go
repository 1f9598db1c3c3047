package loadgen

import (
	"math"
	"slices"
	"sync"
	"time"
)

// Percentile is the p-th percentile (0 < p ≤ 100) of sorted by the nearest-rank method: the
// smallest sample with at least p % of the samples at or below it. Every sample counts; none
// is estimated or interpolated, so p99 of 100 samples is the 99th slowest, and max is p100.
// 0 for no samples.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = max(1, min(rank, len(sorted)))
	return sorted[rank-1]
}

// Latency sums up the latencies of one kind of call, in milliseconds.
type Latency struct {
	Count  int     `json:"count"`
	P50MS  float64 `json:"p50_ms"`
	P90MS  float64 `json:"p90_ms"`
	P99MS  float64 `json:"p99_ms"`
	MaxMS  float64 `json:"max_ms"`
	MeanMS float64 `json:"mean_ms"`
}

// Summarize computes the Latency of the samples (which it sorts).
func Summarize(samples []time.Duration) Latency {
	if len(samples) == 0 {
		return Latency{}
	}
	slices.Sort(samples)
	var sum time.Duration
	for _, d := range samples {
		sum += d
	}
	return Latency{
		Count: len(samples),
		P50MS: ms(Percentile(samples, 50)), P90MS: ms(Percentile(samples, 90)), P99MS: ms(Percentile(samples, 99)),
		MaxMS: ms(samples[len(samples)-1]), MeanMS: ms(sum / time.Duration(len(samples))),
	}
}

// ms is d in milliseconds, to the microsecond.
func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

// recorder collects the latencies of one kind of call from concurrent callers.
type recorder struct {
	mu sync.Mutex
	d  []time.Duration
}

func (r *recorder) add(d time.Duration) {
	r.mu.Lock()
	r.d = append(r.d, d)
	r.mu.Unlock()
}

func (r *recorder) summary() Latency {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Summarize(r.d)
}
