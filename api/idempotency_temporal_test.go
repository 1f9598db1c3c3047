package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.temporal.io/sdk/client"

	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// killedAfterStart starts the workflow for real and then fails as a process killed between
// the start and its answer leaves it: the workflow runs, no answer is stored.
type killedAfterStart struct {
	WorkflowStarter
	mu      sync.Mutex
	started []string
}

func (k *killedAfterStart) ExecuteWorkflow(ctx context.Context, o client.StartWorkflowOptions, wf any, args ...any) (client.WorkflowRun, error) {
	if _, err := k.WorkflowStarter.ExecuteWorkflow(ctx, o, wf, args...); err != nil {
		return nil, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.started = append(k.started, o.ID)
	return nil, errors.New("the process died before it answered")
}

// postRaw sends a create with a key, safe to call from several goroutines.
func (ta *testAPI) postRaw(path, token, key, body string) response {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set(HeaderIdempotencyKey, key)
	rec := httptest.NewRecorder()
	ta.handler.ServeHTTP(rec, req)
	return response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// TestIdempotentShareRequestAfterKillBetweenStartAndAnswer: a create whose workflow started
// but whose process died before answering is retried, with its key, on a restarted process
// (a new router over the same database and Temporal). The retry answers 201 at once with the
// request the first attempt started — no 409 wait, no second request. Concurrent duplicates
// answer one request too, and the key stays bound to its body.
func TestIdempotentShareRequestAfterKillBetweenStartAndAnswer(t *testing.T) {
	s := startShareStack(t)
	dying := &killedAfterStart{WorkflowStarter: s.tc}
	s.ta.starter.via = dying
	body, err := json.Marshal(shareInput(demoResourceID(t, s.ta, "NX-SCJG-0002")))
	if err != nil {
		t.Fatal(err)
	}
	const path = "/api/v1/share-requests"

	if r := s.ta.postRaw(path, s.ta.applicant(), "sr-kill-1", string(body)); r.status < 500 {
		t.Fatalf("dying create: %d %s", r.status, r.body)
	}
	if len(dying.started) != 1 {
		t.Fatalf("dying process started %v", dying.started)
	}
	claim, err := models.NewStore(s.db).GetIdempotencyRecord(s.ctx, "demo-applicant", "sr-kill-1")
	if err != nil || !claim.Pending() {
		t.Fatalf("claim after the kill = %+v, %v; want pending, without an answer", claim, err)
	}

	restarted := newTestAPIFor(t, s.db, "ningxia")
	restarted.updater.via, restarted.starter.via = s.tc, s.tc
	r := restarted.expect(restarted.postRaw(path, restarted.applicant(), "sr-kill-1", string(body)), 201)
	var created ShareRequestStatus
	r.json(t, &created)
	if created.WorkflowID != dying.started[0] || contract.ShareRequestWorkflowID(created.ID) != created.WorkflowID ||
		created.Status != "pending" || created.CurrentStep != "reply" || created.DueAt == nil {
		t.Fatalf("retry after the kill = %+v, want the request of workflow %s with its first step", created, dying.started[0])
	}
	if r.header.Get("Location") != path+"/"+created.ID || r.header.Get(HeaderIdempotentReplayed) != "true" {
		t.Errorf("retry headers = %v", r.header)
	}
	again := restarted.expect(restarted.postRaw(path, restarted.applicant(), "sr-kill-1", string(body)), 201)
	wantReplay(t, again, r)
	other := strings.Replace(string(body), "核验", "复核", 1)
	if e := restarted.expect(restarted.postRaw(path, restarted.applicant(), "sr-kill-1", other), 422).errorBody(t); e.Code != CodeIdempotencyKeyReused {
		t.Errorf("same key, other body: %+v", e)
	}

	// Two concurrent requests with one key: one request, both answers name it.
	var wg sync.WaitGroup
	answers := make([]response, 2)
	for i := range answers {
		wg.Go(func() { answers[i] = restarted.postRaw(path, restarted.applicant(), "sr-twice", string(body)) })
	}
	wg.Wait()
	var a, b ShareRequestStatus
	for i, got := range answers {
		if got.status != 201 {
			t.Fatalf("concurrent request %d: %d %s", i, got.status, got.body)
		}
	}
	answers[0].json(t, &a)
	answers[1].json(t, &b)
	if a.ID == "" || a.ID != b.ID || a.ID == created.ID {
		t.Fatalf("concurrent requests answered %s and %s (first key's request %s)", a.ID, b.ID, created.ID)
	}

	// The read model has one request per key, and nothing else.
	want := map[string]bool{created.ID: true, a.ID: true}
	var mine ShareRequestList
	s.eventually(t, "both requests projected", func() bool {
		restarted.expect(restarted.do("GET", path+"?limit=100", restarted.applicant(), nil), 200).json(t, &mine)
		n := 0
		for _, it := range mine.Items {
			if want[it.ID] {
				n++
			}
		}
		return n == len(want)
	})
	if len(mine.Items) != len(want) {
		ids := make([]string, 0, len(mine.Items))
		for _, it := range mine.Items {
			ids = append(ids, it.ID)
		}
		t.Fatalf("applicant's requests %v, want only %v", ids, want)
	}
}
