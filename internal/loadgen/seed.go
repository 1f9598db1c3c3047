package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// SeedConfig is a seed: N share requests created and left open, so that later runs measure
// a read model with that many open tasks.
type SeedConfig struct {
	API        string
	Tokens     Tokens
	ResourceID int64 // 0 finds one, as Run does
	N          int
	Clients    int
	Progress   io.Writer // a line at the start and every 10 %; nil discards them
}

// SeedReport is what a seed did.
type SeedReport struct {
	API              string   `json:"api"`
	Resource         Resource `json:"resource"`
	Clients          int      `json:"clients"`
	N                int      `json:"n"`
	Created          int      `json:"created"`
	Errors           int      `json:"errors"`
	WallSeconds      float64  `json:"wall_seconds"`
	CreatesPerSecond float64  `json:"creates_per_second"`
	Create           Latency  `json:"create"`
	ErrorSamples     []string `json:"error_samples,omitempty"`
}

// Seed creates cfg.N share requests with cfg.Clients clients and approves none. Each attempt
// counts towards N, so failures do not make it run on; ctx cancelled stops it early with
// ctx's error.
func Seed(ctx context.Context, cfg SeedConfig) (*SeedReport, error) {
	if cfg.N < 1 || cfg.Clients < 1 {
		return nil, errors.New("need at least one request and one client")
	}
	c := newClient(cfg.API, cfg.Clients)
	res := Resource{ID: cfg.ResourceID}
	if res.ID == 0 {
		var err error
		if res, err = findResource(ctx, c, cfg.Tokens); err != nil {
			return nil, err
		}
	}
	if cfg.Progress != nil {
		fmt.Fprintf(cfg.Progress, "bench seed: %s: %d share requests for resource %d %s with %d clients\n", c.base, cfg.N, res.ID, res.Code, cfg.Clients)
	}
	var (
		next, created atomic.Int64
		lat           recorder
		failures      tally
		wg            sync.WaitGroup
	)
	step := max(int64(cfg.N/10), 1)
	start := time.Now()
	for range cfg.Clients {
		wg.Go(func() {
			for ctx.Err() == nil {
				n := next.Add(1)
				if n > int64(cfg.N) {
					return
				}
				r, _, ok := create(ctx, c, cfg.Tokens, res.ID, n, &failures)
				if !ok {
					pause(r)
					continue
				}
				lat.add(r.latency)
				if done := created.Add(1); cfg.Progress != nil && done%step == 0 {
					fmt.Fprintf(cfg.Progress, "bench seed: %d created in %.1f s\n", done, time.Since(start).Seconds())
				}
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &SeedReport{
		API: c.base, Resource: res, Clients: cfg.Clients, N: cfg.N,
		Created: int(created.Load()), Errors: failures.count("create"), ErrorSamples: failures.firstSamples(),
		WallSeconds: round3(wall.Seconds()), CreatesPerSecond: round3(float64(created.Load()) / wall.Seconds()),
		Create: lat.summary(),
	}, nil
}
