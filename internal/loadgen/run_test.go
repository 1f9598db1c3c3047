package loadgen

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeAPI answers the calls of a run as datashare does (docs/api.md), in memory, and counts
// them, so a test can check the report against what the server saw. Its faults are
// deterministic: every failEvery-th create answers 503; the first read of every hideEvery-th
// created request lists no open task (a read model lagging behind its write); every
// task404Every-th task read by id answers 404; every staleEvery-th approved request still
// reads pending once. 0 turns a fault off.
type fakeAPI struct {
	failEvery, hideEvery, task404Every, staleEvery int

	mu                                    sync.Mutex
	posts, failed, hidden, task404, stale int
	taskReads, claims, completes, inbox   int
	badRequests                           []string
	requests                              map[string]*fakeRequest
}

type fakeRequest struct {
	n                 int
	status            string
	claimed, hideOnce bool
	staleOnce         bool
}

const (
	fakeApplicant = "applicant-token"
	fakeApprover  = "approver-token"
)

func (f *fakeAPI) handler() http.Handler {
	mux := http.NewServeMux()
	dept := map[string]string{fakeApplicant: "nx-rst", fakeApprover: "nx-scjg"}
	// auth answers 401 without a known token and returns the caller's token.
	auth := func(w http.ResponseWriter, r *http.Request) (string, bool) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if dept[tok] == "" {
			http.Error(w, `{"error":{"code":"unauthenticated"}}`, http.StatusUnauthorized)
			return "", false
		}
		return tok, true
	}
	// jsonBody checks that a body comes as JSON, as every create and decision must.
	jsonBody := func(r *http.Request, v any) bool {
		if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(v) != nil {
			f.mu.Lock()
			f.badRequests = append(f.badRequests, r.Method+" "+r.URL.Path)
			f.mu.Unlock()
			return false
		}
		return true
	}
	reply := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	taskOf := func(id string) string { return id + "~reply~1" }

	mux.HandleFunc("GET /api/v1/me", func(w http.ResponseWriter, r *http.Request) {
		if tok, ok := auth(w, r); ok {
			reply(w, 200, map[string]any{"subject": tok, "department_id": dept[tok]})
		}
	})
	mux.HandleFunc("GET /api/v1/catalog/resources", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := auth(w, r); !ok {
			return
		}
		// The applicant's own resource and an unconditional one come first: neither is the one.
		reply(w, 200, map[string]any{"items": []map[string]any{
			{"id": 1, "code": "NX-RST-0001", "share_type": "conditional", "provider_dept_id": "nx-rst", "status": "published"},
			{"id": 3, "code": "NX-SCJG-0001", "share_type": "unconditional", "provider_dept_id": "nx-scjg", "status": "published"},
			{"id": 2, "code": "NX-SCJG-0002", "share_type": "conditional", "provider_dept_id": "nx-scjg", "status": "published"},
		}})
	})
	mux.HandleFunc("POST /api/v1/share-requests", func(w http.ResponseWriter, r *http.Request) {
		if tok, ok := auth(w, r); !ok || tok != fakeApplicant {
			return
		}
		var in struct {
			ResourceID int64  `json:"resource_id"`
			Purpose    string `json:"purpose"`
		}
		if !jsonBody(r, &in) || in.ResourceID != 2 || in.Purpose == "" {
			reply(w, 400, map[string]any{"error": map[string]any{"code": "invalid_input"}})
			return
		}
		time.Sleep(2 * time.Millisecond) // a create waits for its workflow; keep the pace sane
		f.mu.Lock()
		defer f.mu.Unlock()
		f.posts++
		if f.failEvery > 0 && f.posts%f.failEvery == 0 {
			f.failed++
			reply(w, 503, map[string]any{"error": map[string]any{"code": "unavailable", "message": "temporal: deadline exceeded"}})
			return
		}
		n := f.posts - f.failed
		id := fmt.Sprintf("SR-%06d", n)
		f.requests[id] = &fakeRequest{n: n, status: "pending", hideOnce: f.hideEvery > 0 && n%f.hideEvery == 0}
		reply(w, 201, map[string]any{"id": id, "status": "pending", "current_step": "reply", "due_at": "2026-12-04T23:59:59+08:00"})
	})
	mux.HandleFunc("GET /api/v1/share-requests/{id}", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := auth(w, r); !ok {
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		sr := f.requests[r.PathValue("id")]
		if sr == nil {
			reply(w, 404, map[string]any{"error": map[string]any{"code": "not_found"}})
			return
		}
		id := r.PathValue("id")
		status, tasks := sr.status, []map[string]any{}
		switch {
		case sr.hideOnce:
			sr.hideOnce = false
			f.hidden++
		case sr.staleOnce:
			sr.staleOnce = false
			status = "pending"
		case sr.status == "pending":
			tasks = append(tasks, map[string]any{"id": taskOf(id), "step": "reply", "status": "open"})
		}
		reply(w, 200, map[string]any{"id": id, "status": status, "current_step": "reply", "open_tasks": tasks, "timeline": []any{}})
	})
	// request finds the request of a task id, or answers 404.
	request := func(w http.ResponseWriter, r *http.Request) *fakeRequest {
		if tok, ok := auth(w, r); !ok {
			return nil
		} else if tok != fakeApprover {
			reply(w, 404, map[string]any{"error": map[string]any{"code": "not_found"}})
			return nil
		}
		id, ok := strings.CutSuffix(r.PathValue("id"), "~reply~1")
		sr := f.requests[id]
		if !ok || sr == nil {
			reply(w, 404, map[string]any{"error": map[string]any{"code": "not_found"}})
			return nil
		}
		return sr
	}
	mux.HandleFunc("GET /api/v1/tasks/{id}", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		sr := request(w, r)
		if sr == nil {
			return
		}
		f.taskReads++
		if f.task404Every > 0 && f.taskReads%f.task404Every == 0 {
			f.task404++
			reply(w, 404, map[string]any{"error": map[string]any{"code": "not_found"}})
			return
		}
		reply(w, 200, map[string]any{"id": r.PathValue("id"), "status": "open", "timeline": []any{}})
	})
	mux.HandleFunc("POST /api/v1/tasks/{id}/claim", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		sr := request(w, r)
		if sr == nil {
			return
		}
		if sr.claimed || r.ContentLength > 0 {
			reply(w, 409, map[string]any{"error": map[string]any{"code": "invalid_state"}})
			return
		}
		sr.claimed = true
		f.claims++
		reply(w, 200, map[string]any{"id": r.PathValue("id"), "status": "open", "assignee": "demo-approver"})
	})
	mux.HandleFunc("POST /api/v1/tasks/{id}/complete", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Decision     string `json:"decision"`
			Scope        string `json:"scope"`
			UsagePurpose string `json:"usage_purpose"`
			ValidityDays int    `json:"validity_days"`
		}
		ok := jsonBody(r, &in)
		f.mu.Lock()
		defer f.mu.Unlock()
		sr := request(w, r)
		if sr == nil {
			return
		}
		if !ok || in.Decision != "approve" || in.Scope == "" || in.UsagePurpose == "" || in.ValidityDays < 1 || !sr.claimed || sr.status != "pending" {
			reply(w, 422, map[string]any{"error": map[string]any{"code": "rule_violated"}})
			return
		}
		sr.status = "granted"
		f.completes++
		sr.staleOnce = f.staleEvery > 0 && f.completes%f.staleEvery == 0
		if sr.staleOnce {
			f.stale++
		}
		reply(w, 200, map[string]any{"id": r.PathValue("id"), "status": "completed", "decision": "approve"})
	})
	mux.HandleFunc("GET /api/v1/tasks", func(w http.ResponseWriter, r *http.Request) {
		if tok, ok := auth(w, r); !ok || tok != fakeApprover || r.URL.Query().Get("status") != "open" || r.URL.Query().Get("limit") != "20" {
			http.Error(w, "bad inbox call", 400)
			return
		}
		time.Sleep(time.Millisecond)
		f.mu.Lock()
		f.inbox++
		f.mu.Unlock()
		reply(w, 200, map[string]any{"items": []any{}, "total": 0})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) { reply(w, 200, map[string]any{"status": "ok"}) })
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer metrics-secret-token" {
			http.Error(w, "unauthorized", 401)
			return
		}
		fmt.Fprint(w, "# HELP process_resident_memory_bytes Resident memory size in bytes.\n# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes 1.5e+08\n")
	})
	return mux
}

func newFake(t *testing.T, f *fakeAPI) *httptest.Server {
	f.requests = map[string]*fakeRequest{}
	srv := httptest.NewServer(f.handler())
	t.Cleanup(srv.Close)
	return srv
}

var fakeTokens = Tokens{Applicant: fakeApplicant, Approver: fakeApprover}

// TestLoadgenRunAgainstFake runs the default mode for a second against the fake and checks
// every count of the report against what the fake saw, and that each kind of
// read-your-writes miss the fake plants is found.
func TestLoadgenRunAgainstFake(t *testing.T) {
	f := &fakeAPI{failEvery: 10, hideEvery: 4, task404Every: 7, staleEvery: 3}
	srv := newFake(t, f)
	rep, err := Run(context.Background(), Config{
		API: srv.URL + "/", Tokens: fakeTokens, Clients: 4, Approvers: 2, Duration: time.Second, SampleEvery: 1,
		MetricsToken: "metrics-secret-token",
	})
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.badRequests) > 0 {
		t.Fatalf("calls without a JSON body: %v", f.badRequests)
	}
	if rep.Resource.ID != 2 || rep.Resource.Code != "NX-SCJG-0002" {
		t.Errorf("resource = %+v, want the approver's conditional resource 2", rep.Resource)
	}
	if rep.Created != f.posts-f.failed || rep.Created < 20 || rep.Create.Count != rep.Created {
		t.Errorf("created %d (%d latencies), the fake answered %d of %d with 201", rep.Created, rep.Create.Count, f.posts-f.failed, f.posts)
	}
	if rep.Errors.Create != f.failed || f.failed == 0 || len(rep.Errors.Samples) == 0 || !strings.Contains(rep.Errors.Samples[0], "→ 503") {
		t.Errorf("create errors %d %q, the fake failed %d", rep.Errors.Create, rep.Errors.Samples, f.failed)
	}
	if rep.Errors.Read+rep.Errors.Claim+rep.Errors.Approve+rep.Errors.Inbox != 0 {
		t.Errorf("errors besides the planted ones: %+v", rep.Errors)
	}
	// Planted misses, each found, none invented.
	if rep.Misses.AfterCreate != f.hidden || f.hidden == 0 {
		t.Errorf("misses after create %d, the fake hid %d open tasks", rep.Misses.AfterCreate, f.hidden)
	}
	if rep.Misses.TaskByID != f.task404 || f.task404 == 0 || rep.Misses.TaskByIDChecked != f.taskReads || f.taskReads != rep.Created-f.hidden {
		t.Errorf("task by id: %d misses of %d checked; the fake read %d tasks, 404 for %d; %d created, %d hidden",
			rep.Misses.TaskByID, rep.Misses.TaskByIDChecked, f.taskReads, f.task404, rep.Created, f.hidden)
	}
	if rep.Misses.AfterApprove != f.stale || f.stale == 0 {
		t.Errorf("misses after approve %d, the fake read stale %d times", rep.Misses.AfterApprove, f.stale)
	}
	if len(rep.Misses.Samples) == 0 {
		t.Error("no miss samples")
	}
	// Approvals: every claim was completed; the hidden tasks were found again by the approvers.
	if rep.Approved != f.completes || f.completes == 0 || rep.Approve.Count != f.completes || rep.Claim.Count != f.claims || f.claims != f.completes {
		t.Errorf("approved %d (claims %d), the fake claimed %d and completed %d", rep.Approved, rep.Claim.Count, f.claims, f.completes)
	}
	if rep.Approved+rep.LeftOpen > rep.Created {
		t.Errorf("%d approved + %d left open > %d created", rep.Approved, rep.LeftOpen, rep.Created)
	}
	if rep.Inbox.Count != f.inbox || f.inbox == 0 {
		t.Errorf("inbox reads %d, the fake answered %d", rep.Inbox.Count, f.inbox)
	}
	if rep.Create.P50MS <= 0 || rep.Create.P50MS > rep.Create.P99MS || rep.Create.P99MS > rep.Create.MaxMS {
		t.Errorf("create latency %+v", rep.Create)
	}
	if rep.WallSeconds < 1 || rep.CreatesPerSecond <= 0 {
		t.Errorf("wall %v s, %v creates/s", rep.WallSeconds, rep.CreatesPerSecond)
	}
	if rep.Memory.RSSBytes != 150_000_000 || rep.Memory.Error != "" || !strings.Contains(rep.Memory.Source, "/metrics") {
		t.Errorf("memory %+v", rep.Memory)
	}
}

// TestLoadgenRunCleanAndSeed: a server that sees every write reports no misses and no
// errors; a seed creates exactly N and approves none.
func TestLoadgenRunCleanAndSeed(t *testing.T) {
	f := &fakeAPI{}
	srv := newFake(t, f)
	rep, err := Run(context.Background(), Config{API: srv.URL, Tokens: fakeTokens, ResourceID: 2, Clients: 2, Approvers: 1, Duration: 300 * time.Millisecond, SampleEvery: 3})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created == 0 || rep.Errors.Total() != 0 || rep.Misses.Total() != 0 || rep.Approved == 0 {
		t.Fatalf("clean run: %+v", rep)
	}
	if want := rep.Created / 3; rep.Misses.TaskByIDChecked != want {
		t.Errorf("every 3rd task read by id: %d of %d", rep.Misses.TaskByIDChecked, rep.Created)
	}
	// Without the token /metrics wants, the memory says why it is missing.
	if rep.Memory.RSSBytes != 0 || !strings.Contains(rep.Memory.Error, "401") {
		t.Errorf("memory without the metrics token: %+v", rep.Memory)
	}

	f = &fakeAPI{failEvery: 5}
	srv = newFake(t, f)
	seed, err := Seed(context.Background(), SeedConfig{API: srv.URL, Tokens: fakeTokens, N: 50, Clients: 4})
	if err != nil {
		t.Fatal(err)
	}
	if seed.Created != 40 || seed.Errors != 10 || f.posts != 50 || f.completes != 0 || seed.Create.Count != 40 {
		t.Fatalf("seed: %+v; the fake saw %d posts, %d completes", seed, f.posts, f.completes)
	}

	// A token the server refuses stops the run before it starts, naming whose it is.
	_, err = Run(context.Background(), Config{API: srv.URL, Tokens: Tokens{Applicant: "stale", Approver: fakeApprover}, Clients: 1, Duration: time.Second})
	if err == nil || !strings.Contains(err.Error(), "applicant") || !strings.Contains(err.Error(), "401") {
		t.Fatalf("refused token: %v", err)
	}
}
