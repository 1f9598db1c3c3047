package prod

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/datashare/datashare/internal/e2e"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// The chaos run's shape: how many clients, how long each phase lasts. Bounded in count and
// time; the figures it logs are what docs/production.md reports.
const (
	chaosCreators    = 4                // clients creating share requests, one Idempotency-Key per create
	chaosDeciders    = 2                // clients approving open tasks
	chaosWarmUp      = 8 * time.Second  // steady load before the first kill
	chaosBetween     = 10 * time.Second // load between the kills, and after the last one
	chaosDrain       = 3 * time.Minute  // bound on retrying the creates left unanswered
	chaosCallTimeout = 20 * time.Second // one HTTP call
)

// chaosLog collects what the clients saw.
type chaosLog struct {
	mu        sync.Mutex
	ids       map[string]map[string]bool // Idempotency-Key → request ids answered for it
	answered  []answer                   // every create answered 201
	attempts  int                        // create calls, retries included
	failures  map[string]int             // unanswered or non-2xx create calls, by cause
	approved  map[string]bool            // requests whose approval was answered 200
	decisions int                        // approval calls
}

// answer is a create answered 201: when its key was first sent, and when it was answered.
type answer struct{ sent, at time.Time }

func (l *chaosLog) created(key, id string, a answer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ids[key] == nil {
		l.ids[key] = map[string]bool{}
	}
	l.ids[key][id] = true
	l.answered = append(l.answered, a)
}

func (l *chaosLog) failed(cause string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures[cause]++
}

// servingAgain is how long after t the first create sent after t was answered 201: a new
// request served end to end, not an answer replayed from the idempotency store.
func (l *chaosLog) servingAgain(t time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var first time.Time
	for _, a := range l.answered {
		if a.sent.After(t) && (first.IsZero() || a.at.Before(first)) {
			first = a.at
		}
	}
	return first.Sub(t)
}

// TestChaosUnderLoad kills processes of the topology with SIGKILL while clients create and
// decide share requests through both APIs: a worker and an API, then the Temporal server.
// Afterwards every create is retried with its key until answered, and the books must balance:
// each key one request, every request in the read model and in Temporal once, no decision
// twice, no request without its open task, every open task's timer pending.
func TestChaosUnderLoad(t *testing.T) {
	s := needStack(t)
	apis := []string{s.vars["DATASHARE_API_1"], s.vars["DATASHARE_API_2"]}
	tok := s.tokens()
	applicant, decider := tok[e2e.UserApplicant], tok[e2e.UserAuthority] // neixiang: the authority decides (内乡 第十二条)
	resource := e2e.ResourceByCode(t, apis[0], applicant, e2e.ResourceConditional).ID

	// Received times are stored to the second: start on a fresh one so that nothing created
	// before the run falls into its window.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second)))
	start := time.Now()
	log := &chaosLog{ids: map[string]map[string]bool{}, failures: map[string]int{}, approved: map[string]bool{}}
	stop := make(chan struct{})
	var wg sync.WaitGroup

	// Creators: one key per create; a failed call is retried with the same key, alternating
	// APIs, until it is answered — as a careful client would.
	var unansweredMu sync.Mutex
	var unanswered []string
	for g := range chaosCreators {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key := fmt.Sprintf("chaos-%d-%d-%d", start.Unix(), g, i)
				if !createUntilAnswered(log, apis, applicant, resource, key, g+i, stop) {
					unansweredMu.Lock()
					unanswered = append(unanswered, key)
					unansweredMu.Unlock()
					return
				}
			}
		}()
	}
	// Deciders: approve open share tasks of this run through either API.
	for g := range chaosDeciders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-time.After(300 * time.Millisecond):
				}
				approveSome(log, apis[(g+i)%2], decider, start)
			}
		}()
	}

	restart := func(components ...string) (killedAt time.Time) {
		killedAt = time.Now()
		for _, c := range components {
			if out, err := s.run("kill", c); err != nil {
				t.Fatalf("kill %s: %v\n%s", c, err, out)
			}
		}
		t.Logf("killed %s (SIGKILL) at +%s", strings.Join(components, ", "), killedAt.Sub(start).Round(time.Millisecond))
		time.Sleep(2 * time.Second)
		for _, c := range components {
			if out, err := s.run("start", c); err != nil {
				t.Fatalf("restart %s: %v\n%s", c, err, out)
			}
		}
		t.Logf("restarted %s, healthy %s after the kill", strings.Join(components, ", "), time.Since(killedAt).Round(time.Millisecond))
		return killedAt
	}

	time.Sleep(chaosWarmUp)
	killed1 := restart("worker-1", "api-1")
	time.Sleep(chaosBetween)
	killed2 := restart("temporal-server")
	time.Sleep(chaosBetween)
	close(stop)
	wg.Wait()

	// Creates cut off by the stop are driven to an answer with their keys.
	drainUntil := time.Now().Add(chaosDrain)
	for _, key := range unanswered {
		if !createUntilAnswered(log, apis, applicant, resource, key, 0, deadlineChan(drainUntil)) {
			t.Errorf("create with Idempotency-Key %s never answered 201 within %s", key, chaosDrain)
		}
	}
	// A key answered once is answered the same again, after all the restarts.
	for key := range log.ids {
		if !createUntilAnswered(log, apis, applicant, resource, key, 1, deadlineChan(time.Now().Add(time.Minute))) {
			t.Errorf("replay of Idempotency-Key %s not answered", key)
		}
		break
	}

	// The books.
	keys := len(log.ids)
	answeredIDs := map[string]string{} // request id → key
	duplicatedKeys := 0
	for key, ids := range log.ids {
		if len(ids) != 1 {
			duplicatedKeys++
			t.Errorf("Idempotency-Key %s answered with %d different requests: %v", key, len(ids), ids)
		}
		for id := range ids {
			answeredIDs[id] = key
		}
	}
	if keys < 10 {
		t.Fatalf("only %d creates went through: the load did not run", keys)
	}

	// A create answered while the Temporal server was down may be answered from the
	// workflow's state before its first writes are retried: every answered request must reach
	// the read model, within the time Temporal is given below.
	ctx := context.Background()
	inDB := map[string]models.ShareRequest{}
	e2e.WaitFor(t, 2*time.Minute, func() error {
		var rows []models.ShareRequest
		if err := s.db.WithContext(ctx).Where("created_at >= ?", start.UTC()).Find(&rows).Error; err != nil {
			return err
		}
		clear(inDB)
		for _, r := range rows {
			inDB[r.ID] = r
		}
		var missing []string
		for id, key := range answeredIDs {
			if _, ok := inDB[id]; !ok {
				missing = append(missing, id+" (key "+key+")")
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			return fmt.Errorf("%d requests answered 201 are not in the read model: %v", len(missing), missing)
		}
		return nil
	})
	lost, extra := 0, 0
	for id := range inDB {
		if _, ok := answeredIDs[id]; !ok {
			extra++
			t.Errorf("request %s is in the read model but no client was answered with it (a duplicate)", id)
		}
	}

	// Temporal holds one workflow per request, none failed.
	inTemporal := map[string]enumspb.WorkflowExecutionStatus{}
	e2e.WaitFor(t, 2*time.Minute, func() error {
		clear(inTemporal)
		q := fmt.Sprintf("WorkflowType = '%s' AND StartTime >= '%s'", contract.ShareRequestWorkflowType, start.UTC().Format(time.RFC3339))
		var token []byte
		for {
			resp, err := s.tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: q, NextPageToken: token})
			if err != nil {
				return err
			}
			for _, e := range resp.GetExecutions() {
				inTemporal[e.GetExecution().GetWorkflowId()] = e.GetStatus()
			}
			if token = resp.GetNextPageToken(); len(token) == 0 {
				break
			}
		}
		if len(inTemporal) != len(inDB) {
			return fmt.Errorf("%d share-request workflows in Temporal visibility, %d requests in the read model", len(inTemporal), len(inDB))
		}
		return nil
	})
	for id := range inDB {
		st, ok := inTemporal[contract.ShareRequestWorkflowID(id)]
		switch {
		case !ok:
			t.Errorf("request %s has no workflow in Temporal", id)
		case st != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING && st != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
			t.Errorf("workflow of request %s is %s", id, st)
		}
	}

	// Decisions: one per request at most; every approval answered 200 became a grant. The
	// read model catches up with the workflows first.
	store := models.NewStore(s.db)
	orphans, doubleDecided := 0, 0
	e2e.WaitFor(t, 2*time.Minute, func() error {
		for id := range log.approved {
			sr, err := store.GetShareRequest(ctx, id)
			if err != nil {
				return err
			}
			if sr.Status != contract.ShareStatusGranted {
				return fmt.Errorf("request %s approved (200) but %s in the read model", id, sr.Status)
			}
		}
		return nil
	})
	for id := range inDB {
		events, err := store.ListTimeline(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		granted := 0
		for _, e := range events {
			if e.Kind == "granted" {
				granted++
			}
		}
		var grants int64
		if err := s.db.WithContext(ctx).Model(&models.Grant{}).Where("request_id = ?", id).Count(&grants).Error; err != nil {
			t.Fatal(err)
		}
		if granted > 1 || grants > 1 {
			doubleDecided++
			t.Errorf("request %s: %d granted events, %d grants", id, granted, grants)
		}
	}

	// No request without its open task; every open task's timer armed in Temporal.
	e2e.WaitFor(t, 2*time.Minute, func() error {
		for id := range inDB {
			sr, err := store.GetShareRequest(ctx, id)
			if err != nil {
				return err
			}
			if sr.Status != contract.ShareStatusPending {
				continue
			}
			open, err := store.ListRequestTasks(ctx, id, "open")
			if err != nil {
				return err
			}
			if len(open) != 1 {
				return fmt.Errorf("pending request %s has %d open tasks", id, len(open))
			}
		}
		return nil
	})
	pendingChecked := 0
	for id, r := range inDB {
		sr, err := store.GetShareRequest(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if sr.Status != contract.ShareStatusPending {
			continue
		}
		open, err := store.ListRequestTasks(ctx, id, "open")
		if err != nil || len(open) != 1 {
			orphans++
			t.Errorf("pending request %s: open tasks %d (%v)", id, len(open), err)
			continue
		}
		at, ok := e2e.PendingTimer(ctx, s.tc, r.WorkflowID)
		switch {
		case !ok:
			orphans++
			t.Errorf("request %s: task %s open but no timer pending in its workflow", id, open[0].TaskID)
		case open[0].DueAt != nil && at.After(open[0].DueAt.Add(time.Second)):
			t.Errorf("request %s: the pending timer fires at %s, after the task's due time %s", id, at, open[0].DueAt)
		}
		pendingChecked++
	}

	gap1, gap2 := log.servingAgain(killed1), log.servingAgain(killed2)
	causes, retried := make([]string, 0, len(log.failures)), 0
	for c, n := range log.failures {
		causes = append(causes, fmt.Sprintf("%s ×%d", c, n))
		retried += n
	}
	sort.Strings(causes)
	t.Logf("chaos figures: %d creates answered (%d keys, %d calls, %d retried: %s), %d approvals answered 200 (%d calls); "+
		"lost %d, duplicated %d (keys with two requests %d), decided twice %d, pending without open task or timer %d (%d pending checked); "+
		"a create sent after the kill first answered %s after the worker+API kill, %s after the Temporal server kill",
		len(answeredIDs), keys, log.attempts, retried, strings.Join(causes, ", "), len(log.approved), log.decisions,
		lost, extra, duplicatedKeys, doubleDecided, orphans, pendingChecked, gap1.Round(time.Millisecond), gap2.Round(time.Millisecond))
}

// createUntilAnswered sends the create with key until it is answered 201, alternating APIs
// from the n-th; false when stop closed first.
func createUntilAnswered(log *chaosLog, apis []string, token string, resource int64, key string, n int, stop <-chan struct{}) bool {
	sent := time.Now()
	for attempt := 0; ; attempt++ {
		base := apis[(n+attempt)%len(apis)]
		ctx, cancel := context.WithTimeout(context.Background(), chaosCallTimeout)
		resp, err := e2e.TryCreateShareRequest(ctx, base, token, resource, key)
		cancel()
		log.mu.Lock()
		log.attempts++
		log.mu.Unlock()
		switch {
		case err != nil:
			log.failed("no answer")
		case resp.Status == 201:
			if id := resp.Str("id"); id != "" {
				log.created(key, id, answer{sent: sent, at: time.Now()})
				return true
			}
			log.failed("201 without id")
		default:
			log.failed(fmt.Sprintf("%d %s", resp.Status, errorCode(resp)))
		}
		select {
		case <-stop:
			return false
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func errorCode(r *e2e.Response) string {
	if e, ok := r.JSON["error"].(map[string]any); ok {
		if c, ok := e["code"].(string); ok {
			return c
		}
	}
	return ""
}

// approveSome approves up to three open share tasks of requests created in this run.
func approveSome(log *chaosLog, base, token string, since time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), chaosCallTimeout)
	defer cancel()
	resp, err := e2e.Do(ctx, e2e.Request{Method: "GET", URL: e2e.APIPath(base, "/tasks?status=open&procedure=share&limit=20"), Token: token})
	if err != nil || resp.Status != 200 {
		return
	}
	items, _ := resp.JSON["items"].([]any)
	n := 0
	for _, it := range items {
		task, _ := it.(map[string]any)
		id, _ := task["id"].(string)
		req, _ := task["request_id"].(string)
		if task["kind"] != "step" || !createdSince(req, since) || n == 3 {
			continue
		}
		n++
		r, err := e2e.Do(ctx, e2e.Request{Method: "POST", URL: e2e.TaskPath(base, id, "complete"), Token: token, Body: e2e.ShareApproval()})
		log.mu.Lock()
		log.decisions++
		if err == nil && r.Status == 200 {
			log.approved[req] = true
		}
		log.mu.Unlock()
	}
}

// createdSince: share request ids carry their submission time (SR-yyyymmddhhmmss-…, China).
func createdSince(id string, since time.Time) bool {
	parts := strings.Split(id, "-")
	if len(parts) < 3 {
		return false
	}
	at, err := time.ParseInLocation("20060102150405", parts[1], time.FixedZone("CST", 8*3600))
	return err == nil && !at.Before(since.Truncate(time.Second))
}

func deadlineChan(at time.Time) <-chan struct{} {
	c := make(chan struct{})
	time.AfterFunc(time.Until(at), func() { close(c) })
	return c
}
