package e2e

import (
	"testing"
	"time"
)

// PollInterval is how long WaitFor sleeps between two looks.
var PollInterval = 200 * time.Millisecond

// Timeout bounds each wait of the scenarios: a step's projection, a search attribute reaching
// visibility. It is a bound for a loaded machine, not an expectation of speed.
var Timeout = 90 * time.Second

// WaitFor polls cond until it returns nil, failing t with cond's last error once timeout has
// passed. The error says what is still missing, so a timeout reads like an assertion ("share
// request SR-1 is pending, want granted"), never just "timed out". Steps of a workflow become
// visible only after it projects them, and Temporal visibility is eventually consistent:
// everything observed across that boundary is waited for, never asserted once.
func WaitFor(t testing.TB, timeout time.Duration, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %v", timeout, err)
		}
		time.Sleep(PollInterval)
	}
}
