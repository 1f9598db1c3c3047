package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// HTTPClient sends every request of the driver. Creates wait on the server for the new
// workflow's first step, so the timeout is generous; a hung server still ends the call.
var HTTPClient = &http.Client{Timeout: 2 * time.Minute}

// Request is one call to the API.
type Request struct {
	Method string
	URL    string // absolute: base URL and path, e.g. http://127.0.0.1:18081/api/v1/me
	Token  string // bearer token; empty sends none
	// Body is sent as JSON: a []byte or string as it is, anything else marshalled. nil sends
	// no body.
	Body any
	// IdempotencyKey is sent as the Idempotency-Key header when not empty.
	IdempotencyKey string
}

// Response is the answer to a Request, kept whole so failure messages can show it.
type Response struct {
	Method, URL string
	Status      int
	Header      http.Header
	Body        []byte
	// JSON is the body decoded as a JSON object; nil when the body is empty or not an object
	// (every answer of the API is an object, errors included).
	JSON map[string]any
}

// bodyExcerpt is how much of a body a failure message shows: enough for the error envelope
// or the fields asserted on, not a whole page of a list.
const bodyExcerpt = 800

// String names the call and its answer: method, URL, status and the start of the body.
func (r *Response) String() string {
	b := strings.TrimSpace(string(r.Body))
	if len(b) > bodyExcerpt {
		b = b[:bodyExcerpt] + "…"
	}
	return fmt.Sprintf("%s %s → %d %s", r.Method, r.URL, r.Status, b)
}

// Decode unmarshals the body into v, failing t with the call when it does not fit.
func (r *Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %T from %s: %v", v, r, err)
	}
}

// Str returns the string field name of the decoded body, "" when absent or not a string.
func (r *Response) Str(name string) string {
	s, _ := r.JSON[name].(string)
	return s
}

// Do sends req and reads the whole answer. It fails only when no answer came (connection
// refused, timeout) or the body could not be read, so callers that expect outages (a chaos
// test killing an API) can retry; any HTTP status is a Response.
func Do(ctx context.Context, req Request) (*Response, error) {
	var body io.Reader
	switch b := req.Body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
	case string:
		body = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return nil, fmt.Errorf("%s %s: encode body: %w", req.Method, req.URL, err)
		}
		body = bytes.NewReader(raw)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, req.URL, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL, err)
	}
	if req.Token != "" {
		hr.Header.Set("Authorization", "Bearer "+req.Token)
	}
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if req.IdempotencyKey != "" {
		hr.Header.Set("Idempotency-Key", req.IdempotencyKey)
	}
	resp, err := HTTPClient.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("%s %s → %d: read body: %w", req.Method, req.URL, resp.StatusCode, err)
	}
	out := &Response{Method: req.Method, URL: req.URL, Status: resp.StatusCode, Header: resp.Header, Body: raw}
	// A body that is not a JSON object (a proxy's error page, the CSV export) leaves JSON nil;
	// String still shows it.
	_ = json.Unmarshal(raw, &out.JSON)
	return out, nil
}

// Send is Do for tests: a call that got no answer fails t.
func Send(t testing.TB, req Request) *Response {
	t.Helper()
	resp, err := Do(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// Call sends one request and returns its status and decoded JSON object (nil when the body is
// empty). body is as in Request.Body. A call that got no answer fails t, naming method and URL.
func Call(t testing.TB, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	resp := Send(t, Request{Method: method, URL: url, Token: token, Body: body})
	return resp.Status, resp.JSON
}

// Expect sends req and fails t unless the answer has one of the statuses want; the failure
// names method, URL, status and the start of the body.
func Expect(t testing.TB, req Request, want ...int) *Response {
	t.Helper()
	resp := Send(t, req)
	if !slices.Contains(want, resp.Status) {
		t.Fatalf("want status %v: %s", want, resp)
	}
	return resp
}
