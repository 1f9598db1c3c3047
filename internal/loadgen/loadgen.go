// Package loadgen drives a running datashare through its HTTP API and measures it: how many
// share requests it creates per second, how long creating, claiming, approving and reading the
// inbox take, whether a read right after a write sees that write (read-your-writes), the
// server's resident memory, and how long a restart takes until the API serves again. It is the
// code behind `datashare bench` (`make bench`).
//
// It is a plain HTTP client and imports nothing of the server, so it measures any deployment
// that answers on a base URL: `make run` as well as several APIs behind a load balancer.
//
// Three modes:
//
//   - Run: clients create share requests as fast as they are answered for a while, approvers
//     claim and approve their reply tasks, and an inbox reader lists the approver's open tasks;
//     every write is read back at once.
//   - Seed: create a number of open share requests, to measure later runs on a larger read model.
//   - Restart: stop a server process, start its command again, and time until it serves.
package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// DefaultTokensFile is where `make run` writes the demo users' tokens, relative to the
// repository.
const DefaultTokensFile = "data/demo-tokens.env"

// maxSamples is how many error and miss descriptions a report keeps: enough to see what went
// wrong, not a page per failed request.
const maxSamples = 5

// bodyExcerpt is how much of an answer's body a sample shows: the error envelope, not a list.
const bodyExcerpt = 300

// client sends the calls of one run. Every call carries the bearer token of the user it acts
// as, and a body is always JSON.
type client struct {
	base string // scheme and host, e.g. http://127.0.0.1:8080, without a trailing slash
	http *http.Client
}

// newClient keeps up to conns connections open to the API, one per concurrent caller, so
// that no call pays for a new TCP connection. Creates wait on the server until the new
// workflow has opened its first task, so the timeout is generous; a hung server still ends
// the call.
func newClient(base string, conns int) *client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = conns + 4
	tr.MaxIdleConnsPerHost = conns + 4
	return &client{base: strings.TrimRight(base, "/"), http: &http.Client{Transport: tr, Timeout: 2 * time.Minute}}
}

// result is the answer to one call and how long it took, from sending the request to the
// last byte of the body.
type result struct {
	method, path string
	status       int
	body         []byte
	latency      time.Duration
}

// String names the call and its answer with the start of the body, for error samples.
func (r result) String() string {
	b := strings.TrimSpace(string(r.body))
	if len(b) > bodyExcerpt {
		b = b[:bodyExcerpt] + "…"
	}
	return fmt.Sprintf("%s %s → %d %s", r.method, r.path, r.status, b)
}

// do sends one call. body nil sends none; anything else is marshalled as JSON and sent with
// Content-Type: application/json. It fails only when no answer came; any status is a result.
func (c *client) do(ctx context.Context, method, path, token string, body any) (result, error) {
	res := result{method: method, path: path}
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return res, fmt.Errorf("%s %s: encode body: %w", method, path, err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return res, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return res, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	res.body, err = io.ReadAll(resp.Body)
	res.latency = time.Since(start)
	res.status = resp.StatusCode
	if err != nil {
		return res, fmt.Errorf("%s %s → %d: read body: %w", method, path, resp.StatusCode, err)
	}
	return res, nil
}

// getJSON sends a GET and decodes a 200 answer into v; any other status is an error naming
// the answer.
func (c *client) getJSON(ctx context.Context, path, token string, v any) error {
	r, err := c.do(ctx, http.MethodGet, path, token, nil)
	if err != nil {
		return err
	}
	if r.status != http.StatusOK {
		return fmt.Errorf("%s", r)
	}
	if err := json.Unmarshal(r.body, v); err != nil {
		return fmt.Errorf("%s %s: decode: %w", r.method, r.path, err)
	}
	return nil
}

// pathEscape puts an id into a path. Task ids are URL-safe as the API writes them; escaping
// costs nothing and keeps an odd id from changing the route.
func pathEscape(id string) string { return url.PathEscape(id) }

// tally counts failures of one kind and keeps the first few descriptions. Safe for
// concurrent use.
type tally struct {
	mu      sync.Mutex
	counts  map[string]int
	samples []string
}

func (t *tally) add(kind, what string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.counts == nil {
		t.counts = map[string]int{}
	}
	t.counts[kind]++
	if len(t.samples) < maxSamples {
		t.samples = append(t.samples, kind+": "+what)
	}
}

func (t *tally) count(kind string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.counts[kind]
}

func (t *tally) firstSamples() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]string{}, t.samples...)
}
