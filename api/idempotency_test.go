package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/models/modelstest"
)

const resourcesPath = "/api/v1/catalog/resources"

func idemKey(keys ...string) http.Header { return http.Header{HeaderIdempotencyKey: keys} }

// resourceCount is how many catalog resources exist; the authority sees them all.
func (ta *testAPI) resourceCount() int {
	ta.t.Helper()
	n, cursor := 0, ""
	for {
		var page CatalogResourceList
		ta.expect(ta.do("GET", resourcesPath+"?limit=100&cursor="+cursor, ta.authority(), nil), 200).json(ta.t, &page)
		n += len(page.Items)
		if page.NextCursor == "" {
			return n
		}
		cursor = page.NextCursor
	}
}

func wantReplay(t *testing.T, got, first response) {
	t.Helper()
	if got.status != first.status || !bytes.Equal(got.body, first.body) {
		t.Fatalf("replay = %d %s, want %d %s", got.status, got.body, first.status, first.body)
	}
	if got.header.Get(HeaderIdempotentReplayed) != "true" {
		t.Errorf("replay lacks %s: true (headers %v)", HeaderIdempotentReplayed, got.header)
	}
	if ct := got.header.Get("Content-Type"); ct != first.header.Get("Content-Type") || !strings.HasPrefix(ct, "application/json") {
		t.Errorf("replay Content-Type %q, first answer's %q", ct, first.header.Get("Content-Type"))
	}
}

// A retried create with the same key gets the first answer and creates nothing; the key is
// bound to its body and belongs to its caller.
func TestIdempotentCreate(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ta := newTestAPI(t, db)
		owner := ta.providerApprover()
		before := ta.resourceCount()

		first := ta.expect(ta.doWithHeader("POST", resourcesPath, owner, idemKey("create-I01"), conditionalInput("NX-SCJG-I01")), 201)
		if first.header.Get(HeaderIdempotentReplayed) != "" {
			t.Errorf("first answer marked as replayed")
		}
		var created CatalogResourceView
		first.json(t, &created)
		// The handler read the body the middleware had hashed.
		if created.Code != "NX-SCJG-I01" || created.LegalBasis != "《企业信息公示暂行条例》第八条" {
			t.Fatalf("created = %+v", created)
		}

		again := ta.doWithHeader("POST", resourcesPath, owner, idemKey("create-I01"), conditionalInput("NX-SCJG-I01"))
		wantReplay(t, again, first)
		var replayed CatalogResourceView
		again.json(t, &replayed)
		if replayed.ID != created.ID {
			t.Errorf("replay id %d, want %d", replayed.ID, created.ID)
		}
		if n := ta.resourceCount(); n != before+1 {
			t.Errorf("%d resources after a create and its replay, want %d", n, before+1)
		}

		// The same key with another body is refused, and creates nothing.
		r := ta.doWithHeader("POST", resourcesPath, owner, idemKey("create-I01"), conditionalInput("NX-SCJG-I02"))
		if r.status != http.StatusUnprocessableEntity {
			t.Fatalf("same key, other body: %d %s, want 422", r.status, r.body)
		}
		if e := r.errorBody(t); e.Code != CodeIdempotencyKeyReused || !strings.Contains(e.Message, HeaderIdempotencyKey) {
			t.Errorf("same key, other body: %+v", e)
		}
		if n := ta.resourceCount(); n != before+1 {
			t.Errorf("%d resources after a reused key, want %d", n, before+1)
		}

		// Keys belong to their caller: another approver's identical key is a new create.
		other := ta.otherApprover()
		theirs := ta.expect(ta.doWithHeader("POST", resourcesPath, other, idemKey("create-I01"), conditionalInput("NX-RST-I01")), 201)
		var theirView CatalogResourceView
		theirs.json(t, &theirView)
		if theirView.ID == created.ID || theirView.Code != "NX-RST-I01" || theirs.header.Get(HeaderIdempotentReplayed) != "" {
			t.Errorf("other caller's create = %+v, replayed %q", theirView, theirs.header.Get(HeaderIdempotentReplayed))
		}
		wantReplay(t, ta.doWithHeader("POST", resourcesPath, other, idemKey("create-I01"), conditionalInput("NX-RST-I01")), theirs)
		wantReplay(t, ta.doWithHeader("POST", resourcesPath, owner, idemKey("create-I01"), conditionalInput("NX-SCJG-I01")), first)
		if n := ta.resourceCount(); n != before+2 {
			t.Errorf("%d resources, want %d", n, before+2)
		}
	})
}

// A refused first attempt is not stored: the client fixes the body and retries with the key.
func TestIdempotentCreateRetryAfterError(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		ta := newTestAPI(t, db)
		owner := ta.providerApprover()
		noBasis := conditionalInput("NX-SCJG-I03")
		delete(noBasis, "legal_basis")
		if e := ta.expect(ta.doWithHeader("POST", resourcesPath, owner, idemKey("create-I03"), noBasis), 400).errorBody(t); e.Fields["legal_basis"] == "" {
			t.Fatalf("missing legal basis: %+v", e)
		}
		fixed := ta.expect(ta.doWithHeader("POST", resourcesPath, owner, idemKey("create-I03"), conditionalInput("NX-SCJG-I03")), 201)
		if fixed.header.Get(HeaderIdempotentReplayed) != "" {
			t.Errorf("fixed retry marked as replayed")
		}
		wantReplay(t, ta.doWithHeader("POST", resourcesPath, owner, idemKey("create-I03"), conditionalInput("NX-SCJG-I03")), fixed)
	})
}

func TestIdempotencyKeyValidation(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	owner := ta.providerApprover()
	before := ta.resourceCount()
	cases := []struct {
		name string
		keys []string
	}{
		{"empty", []string{""}},
		{"too long", []string{strings.Repeat("k", 129)}},
		{"not ASCII", []string{"键-1"}},
		{"control character", []string{"a\tb"}},
		{"sent twice", []string{"k-1", "k-2"}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ta.doWithHeader("POST", resourcesPath, owner, idemKey(tc.keys...), conditionalInput("NX-SCJG-K0"+itoa(int64(i))))
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", r.status, r.body)
			}
			e := r.errorBody(t)
			if e.Code != CodeInvalidInput || e.Fields[HeaderIdempotencyKey] == "" || !strings.Contains(e.Message, HeaderIdempotencyKey) {
				t.Errorf("error = %+v, want invalid_input naming %s", e, HeaderIdempotencyKey)
			}
		})
	}
	if n := ta.resourceCount(); n != before {
		t.Errorf("refused keys created %d resources", n-before)
	}
	longest := strings.Repeat("k", models.MaxIdempotencyKeyLength-2) + " ~"
	ta.expect(ta.doWithHeader("POST", resourcesPath, owner, idemKey(longest), conditionalInput("NX-SCJG-K10")), 201)
}

// The route is part of the fingerprint: a key used on one create cannot replay on another.
// With one idempotent route in the table, two test routes stand in.
func TestIdempotencyKeyBoundToRoute(t *testing.T) {
	st := models.NewStore(modelstest.NewSQLite(t))
	calls := 0
	engine := newIdempotencyEngine(st, func(c *gin.Context) {
		calls++
		c.JSON(http.StatusCreated, gin.H{"call": calls})
	})
	if rec := serveIdem(engine, "/a", "k-route"); rec.Code != 201 {
		t.Fatalf("first: %d %s", rec.Code, rec.Body)
	}
	rec := serveIdem(engine, "/b", "k-route")
	var e ErrorBody
	_ = json.Unmarshal(rec.Body.Bytes(), &e)
	if rec.Code != 422 || e.Error.Code != CodeIdempotencyKeyReused || !strings.Contains(e.Error.Message, "POST /a") {
		t.Fatalf("same key on another route: %d %s", rec.Code, rec.Body)
	}
	if calls != 1 {
		t.Errorf("handler ran %d times, want 1", calls)
	}
}

// Failures around the store never lose the handler's answer and never run it twice.
func TestIdempotencyStoreFailures(t *testing.T) {
	created := func(c *gin.Context) { c.JSON(http.StatusCreated, gin.H{"id": 1}) }
	t.Run("claim fails", func(t *testing.T) {
		ran := false
		engine := newIdempotencyEngine(&fakeIdemStore{claimErr: errors.New("connection refused")}, func(c *gin.Context) { ran = true })
		rec := serveIdem(engine, "/a", "k")
		if rec.Code != 500 || ran || !strings.Contains(rec.Body.String(), CodeInternal) {
			t.Errorf("lookup failure: %d %s, handler ran %v", rec.Code, rec.Body, ran)
		}
	})
	for name, saveErr := range map[string]error{
		"claim taken over meanwhile": models.ErrNotFound,
		"save fails":                 errors.New("connection refused"),
	} {
		t.Run(name, func(t *testing.T) {
			engine := newIdempotencyEngine(&fakeIdemStore{saveErr: saveErr}, created)
			rec := serveIdem(engine, "/a", "k")
			if rec.Code != 201 || rec.Body.String() != `{"id":1}` || rec.Header().Get(HeaderIdempotentReplayed) != "" {
				t.Errorf("answer = %d %s %v, want the handler's own 201", rec.Code, rec.Body, rec.Header())
			}
		})
	}
	t.Run("handler panics", func(t *testing.T) {
		st := &fakeIdemStore{}
		engine := newIdempotencyEngine(st, func(*gin.Context) { panic("boom") })
		rec := serveIdem(engine, "/a", "k")
		if rec.Code != 500 || !strings.Contains(rec.Body.String(), CodeInternal) || len(st.saved) != 0 || st.released != 1 {
			t.Errorf("panic: %d %s, saved %d, released %d; want the 500 envelope, nothing saved, the claim released", rec.Code, rec.Body, len(st.saved), st.released)
		}
	})
	t.Run("caller hangs up", func(t *testing.T) {
		st := &fakeIdemStore{}
		ctx, cancel := context.WithCancel(context.Background())
		engine := newIdempotencyEngine(st, func(c *gin.Context) {
			cancel() // the client gives up while the create commits
			created(c)
		})
		req := httptest.NewRequestWithContext(ctx, "POST", "/a", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(HeaderIdempotencyKey, "k")
		engine.ServeHTTP(httptest.NewRecorder(), req)
		if len(st.saved) != 1 || st.saveCtxErr != nil {
			t.Errorf("saved %d records, with context error %v; want the answer stored regardless", len(st.saved), st.saveCtxErr)
		}
	})
}

func TestIdempotentRoutesMustBeSafe(t *testing.T) {
	st := &fakeIdemStore{}
	ok := route{method: "POST", path: "/api/v1/things", idempotent: true}
	if err := checkIdempotentRoute(ok, st); err != nil {
		t.Fatalf("plain create refused: %v", err)
	}
	bad := map[string]struct {
		rt    route
		store IdempotencyStore
	}{
		"no store":        {ok, nil},
		"public":          {route{method: "POST", path: "/x", public: true}, st},
		"path parameter":  {route{method: "POST", path: "/x/:id/y"}, st},
		"query parameter": {route{method: "POST", path: "/x", query: []param{{"q", ""}}}, st},
	}
	for name, tc := range bad {
		if err := checkIdempotentRoute(tc.rt, tc.store); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := NewRouter(Deps{}); err == nil {
		t.Error("NewRouter without an idempotency store succeeded")
	}
}

func TestOpenAPIDocumentsIdempotencyKey(t *testing.T) {
	ta := newTestAPI(t, modelstest.NewSQLite(t))
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name, In string
				Required bool
			} `json:"parameters"`
			Responses map[string]struct {
				Headers map[string]json.RawMessage `json:"headers"`
			} `json:"responses"`
		} `json:"paths"`
	}
	ta.expect(ta.do("GET", OpenAPIPath, "", nil), 200).json(t, &doc)
	documented := map[string]bool{}
	for _, rt := range routes(Deps{}) {
		name := rt.method + " " + rt.path
		op := doc.Paths[openAPIPath(rt.path)][strings.ToLower(rt.method)]
		for _, p := range op.Parameters {
			if p.Name == HeaderIdempotencyKey && p.In == "header" {
				documented[name] = true
				if p.Required {
					t.Errorf("%s: %s is required, want optional", name, HeaderIdempotencyKey)
				}
			}
		}
		if documented[name] != rt.idempotent {
			t.Errorf("%s: documents %s = %v, want %v", name, HeaderIdempotencyKey, documented[name], rt.idempotent)
		}
		if rt.idempotent {
			if _, ok := op.Responses[itoa(int64(rt.status))].Headers[HeaderIdempotentReplayed]; !ok {
				t.Errorf("%s: success response does not document %s", name, HeaderIdempotentReplayed)
			}
			if _, ok := op.Responses["422"]; !ok {
				t.Errorf("%s: 422 not documented", name)
			}
		}
	}
	if !documented["POST "+resourcesPath] {
		t.Errorf("POST %s does not document %s", resourcesPath, HeaderIdempotencyKey)
	}
}

// newIdempotencyEngine serves POST /a and POST /b through the middleware and the panic
// recoverer, for a caller "u1".
func newIdempotencyEngine(store IdempotencyStore, h gin.HandlerFunc) *gin.Engine {
	log := slog.New(slog.DiscardHandler)
	r := gin.New()
	r.Use(withRequestID(), recoverer(log), limitBody(4096))
	asCaller := func(c *gin.Context) {
		c.Set(ctxPrincipal, auth.Principal{Subject: "u1"})
		c.Next()
	}
	for _, p := range []string{"/a", "/b"} {
		r.POST(p, asCaller, idempotency(store, log, http.MethodPost, p, false), h)
	}
	return r
}

func serveIdem(h http.Handler, path, key string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", path, strings.NewReader(`{"name":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderIdempotencyKey, key)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// fakeIdemStore finds nothing, fails as told and remembers what it was asked to store.
type fakeIdemStore struct {
	getErr, claimErr, saveErr error
	claimed                   int
	saved                     []*models.IdempotencyRecord
	released                  int
	saveCtxErr                error
}

func (f *fakeIdemStore) GetIdempotencyRecord(context.Context, string, string) (*models.IdempotencyRecord, error) {
	if f.getErr != nil {
		return nil, f.getErr
	}
	return nil, models.ErrNotFound
}

func (f *fakeIdemStore) ClaimIdempotencyKey(context.Context, *models.IdempotencyRecord) error {
	f.claimed++
	return f.claimErr
}

func (f *fakeIdemStore) CompleteIdempotencyKey(ctx context.Context, rec *models.IdempotencyRecord) error {
	f.saved = append(f.saved, rec)
	f.saveCtxErr = ctx.Err()
	return f.saveErr
}

func (f *fakeIdemStore) ReleaseIdempotencyKey(context.Context, string, string, time.Time) error {
	f.released++
	return nil
}

// Of two concurrent requests with one key, one runs; the other is told to retry (409 with
// Retry-After) and, once the first has answered, gets its answer. Nothing is created twice.
func TestIdempotentCreateConcurrent(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		st := models.NewStore(db)
		entered, finish := make(chan struct{}), make(chan struct{})
		runs := 0
		engine := newIdempotencyEngine(st, func(c *gin.Context) {
			runs++
			close(entered)
			<-finish
			c.JSON(http.StatusCreated, gin.H{"id": runs})
		})
		first := make(chan *httptest.ResponseRecorder)
		go func() { first <- serveIdem(engine, "/a", "k-concurrent") }()
		<-entered
		second := serveIdem(engine, "/a", "k-concurrent")
		if second.Code != 409 || !strings.Contains(second.Body.String(), CodeIdempotencyKeyInProgress) || second.Header().Get("Retry-After") == "" {
			t.Fatalf("concurrent request: %d %s %v", second.Code, second.Body, second.Header())
		}
		// Another body under the same key is still a reuse, even while the first runs.
		req := httptest.NewRequest("POST", "/a", strings.NewReader(`{"name":"other"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(HeaderIdempotencyKey, "k-concurrent")
		reused := httptest.NewRecorder()
		engine.ServeHTTP(reused, req)
		if reused.Code != 422 || !strings.Contains(reused.Body.String(), CodeIdempotencyKeyReused) {
			t.Errorf("reuse while in progress: %d %s", reused.Code, reused.Body)
		}
		close(finish)
		got := <-first
		if got.Code != 201 || got.Body.String() != `{"id":1}` {
			t.Fatalf("first request: %d %s", got.Code, got.Body)
		}
		third := serveIdem(engine, "/a", "k-concurrent")
		if third.Code != 201 || third.Body.String() != `{"id":1}` || third.Header().Get(HeaderIdempotentReplayed) != "true" || runs != 1 {
			t.Fatalf("after the first answered: %d %s %v, handler ran %d times", third.Code, third.Body, third.Header(), runs)
		}
	})
}

// A claim left by a process that died mid-request holds a retry back only until it is
// abandoned; then the retry takes the key over and runs.
func TestIdempotencyAbandonedClaimIsTakenOver(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		st := models.NewStore(db)
		runs := 0
		engine := newIdempotencyEngine(st, func(c *gin.Context) {
			runs++
			c.JSON(http.StatusCreated, gin.H{"id": runs})
		})
		body := `{"name":"x"}`
		sum := sha256.Sum256([]byte(body))
		claim := &models.IdempotencyRecord{Subject: "u1", Key: "k-dead", Method: "POST", Route: "/a", RequestHash: hex.EncodeToString(sum[:])}
		if err := st.ClaimIdempotencyKey(context.Background(), claim); err != nil {
			t.Fatal(err)
		}
		if rec := serveIdem(engine, "/a", "k-dead"); rec.Code != 409 || runs != 0 {
			t.Fatalf("fresh claim: %d %s, ran %d", rec.Code, rec.Body, runs)
		}
		old := time.Now().Add(-idempotencyAbandonedAfter - time.Minute).UTC()
		if err := db.Model(&models.IdempotencyRecord{}).Where("idem_key = ?", "k-dead").Update("created_at", old).Error; err != nil {
			t.Fatal(err)
		}
		if rec := serveIdem(engine, "/a", "k-dead"); rec.Code != 201 || runs != 1 {
			t.Fatalf("abandoned claim: %d %s, ran %d", rec.Code, rec.Body, runs)
		}
		if rec := serveIdem(engine, "/a", "k-dead"); rec.Code != 201 || rec.Header().Get(HeaderIdempotentReplayed) != "true" || runs != 1 {
			t.Fatalf("after the takeover: %d %s, ran %d", rec.Code, rec.Body, runs)
		}
	})
}

// newRedriveEngine serves POST /r as a redrive route: a create that names its case with
// newRequestID and starts it with startProcedure, for a caller "u1".
func newRedriveEngine(store IdempotencyStore, h gin.HandlerFunc) *gin.Engine {
	log := slog.New(slog.DiscardHandler)
	r := gin.New()
	r.Use(withRequestID(), recoverer(log), limitBody(4096))
	asCaller := func(c *gin.Context) {
		c.Set(ctxPrincipal, auth.Principal{Subject: "u1"})
		c.Next()
	}
	r.POST("/r", asCaller, idempotency(store, log, http.MethodPost, "/r", true), h)
	return r
}

// memStarter is Temporal's start as far as ids go: a second start of an id is refused as
// already started. failAfterStart fails a start after it happened, as a timeout while
// Temporal restarts or a process killed before it answered leaves it.
type memStarter struct {
	WorkflowStarter
	mu             sync.Mutex
	started        []string
	failAfterStart bool
}

func (m *memStarter) ExecuteWorkflow(_ context.Context, o client.StartWorkflowOptions, _ any, _ ...any) (client.WorkflowRun, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if slices.Contains(m.started, o.ID) {
		return nil, serviceerror.NewWorkflowExecutionAlreadyStarted("workflow execution already started", "", "")
	}
	m.started = append(m.started, o.ID)
	if m.failAfterStart {
		return nil, serviceerror.NewDeadlineExceeded("context deadline exceeded")
	}
	return fakeRun{id: o.ID}, nil
}

func (m *memStarter) ids() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.started)
}

// startingHandler creates like the procedures do: an id from newRequestID, then the start.
// A body without "name" is refused before anything starts.
func startingHandler(starter WorkflowStarter, entered func()) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in struct{ Name string }
		if err := c.ShouldBindJSON(&in); err != nil || in.Name == "" {
			abort(c, invalidField("name", "is required"))
			return
		}
		id, err := newRequestID(c, "T", time.Now())
		if err != nil {
			abort(c, err)
			return
		}
		if entered != nil {
			entered()
		}
		if _, err := startProcedure(c, starter, client.StartWorkflowOptions{ID: id}, "TestWorkflow", nil); err != nil {
			abort(c, err)
			return
		}
		c.JSON(http.StatusCreated, gin.H{"id": id})
	}
}

func serveBody(h http.Handler, path, key, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderIdempotencyKey, key)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// A create whose start happened but whose answer was lost keeps its claim; the retry drives
// it again at once (no 409) under the same id, finds the workflow started and answers with
// it. Nothing is started twice, and the answer is stored for later retries.
func TestIdempotencyRedriveAfterFailedStart(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		st := models.NewStore(db)
		starter := &memStarter{failAfterStart: true}
		engine := newRedriveEngine(st, startingHandler(starter, nil))

		if rec := serveIdem(engine, "/r", "k-lost"); rec.Code < 500 {
			t.Fatalf("start that failed after it happened: %d %s", rec.Code, rec.Body)
		}
		stored, err := st.GetIdempotencyRecord(context.Background(), "u1", "k-lost")
		if err != nil || !stored.Pending() {
			t.Fatalf("after a failure past the start the claim = %+v, %v; want it pending", stored, err)
		}
		if len(starter.ids()) != 1 {
			t.Fatalf("started %v", starter.ids())
		}

		starter.mu.Lock()
		starter.failAfterStart = false
		starter.mu.Unlock()
		retry := serveIdem(engine, "/r", "k-lost")
		want := `{"id":"` + starter.ids()[0] + `"}`
		if retry.Code != 201 || retry.Body.String() != want || retry.Header().Get(HeaderIdempotentReplayed) != "true" {
			t.Fatalf("retry: %d %s %v, want 201 %s replayed", retry.Code, retry.Body, retry.Header(), want)
		}
		if ids := starter.ids(); len(ids) != 1 {
			t.Fatalf("started %v, want the first start only", ids)
		}
		// The retry stored the answer: the next one is a plain replay.
		again := serveIdem(engine, "/r", "k-lost")
		if again.Code != 201 || again.Body.String() != want || again.Header().Get(HeaderIdempotentReplayed) != "true" {
			t.Fatalf("after the retry: %d %s", again.Code, again.Body)
		}
		if stored, err := st.GetIdempotencyRecord(context.Background(), "u1", "k-lost"); err != nil || stored.Pending() {
			t.Fatalf("stored = %+v, %v; want the answer", stored, err)
		}
		// The key is still bound to its body.
		if rec := serveBody(engine, "/r", "k-lost", `{"name":"other"}`); rec.Code != 422 || !strings.Contains(rec.Body.String(), CodeIdempotencyKeyReused) {
			t.Fatalf("other body: %d %s", rec.Code, rec.Body)
		}
	})
}

// A retry of a create that never reached the start (the process died before it) starts the
// workflow itself, under the id the claim derives; a pending claim with another body is still
// a reused key.
func TestIdempotencyRedriveStartsWhatNeverStarted(t *testing.T) {
	st := models.NewStore(modelstest.NewSQLite(t))
	starter := &memStarter{}
	engine := newRedriveEngine(st, startingHandler(starter, nil))
	sum := sha256.Sum256([]byte(`{"name":"x"}`))
	claim := &models.IdempotencyRecord{Subject: "u1", Key: "k-died", Method: "POST", Route: "/r", RequestHash: hex.EncodeToString(sum[:])}
	if err := st.ClaimIdempotencyKey(context.Background(), claim); err != nil {
		t.Fatal(err)
	}
	if rec := serveBody(engine, "/r", "k-died", `{"name":"y"}`); rec.Code != 422 || !strings.Contains(rec.Body.String(), CodeIdempotencyKeyReused) {
		t.Fatalf("pending claim, other body: %d %s", rec.Code, rec.Body)
	}
	rec := serveIdem(engine, "/r", "k-died")
	wantID := "T-" + claim.CreatedAt.In(chinaTime).Format("20060102150405") + "-" + newIdempotencySeed("u1", "k-died", claim.CreatedAt).hash
	if rec.Code != 201 || rec.Body.String() != `{"id":"`+wantID+`"}` || rec.Header().Get(HeaderIdempotentReplayed) != "" {
		t.Fatalf("retry of a create that never started: %d %s %v, want 201 %s", rec.Code, rec.Body, rec.Header(), wantID)
	}
	if ids := starter.ids(); len(ids) != 1 || ids[0] != wantID {
		t.Fatalf("started %v", ids)
	}
}

// Of two concurrent requests with one key on a redrive route, neither waits: both run, one
// starts the workflow, the other finds it started, and both answer the same id.
func TestIdempotencyRedriveConcurrent(t *testing.T) {
	modelstest.ForEachDB(t, func(t *testing.T, db *gorm.DB) {
		st := models.NewStore(db)
		starter := &memStarter{}
		var first atomic.Bool
		entered, finish := make(chan struct{}), make(chan struct{})
		engine := newRedriveEngine(st, startingHandler(starter, func() {
			if first.CompareAndSwap(false, true) { // the first request holds before its start
				close(entered)
				<-finish
			}
		}))
		held := make(chan *httptest.ResponseRecorder)
		go func() { held <- serveIdem(engine, "/r", "k-twice") }()
		<-entered
		second := serveIdem(engine, "/r", "k-twice")
		close(finish)
		got := <-held
		if second.Code != 201 || got.Code != 201 || second.Body.String() != got.Body.String() {
			t.Fatalf("concurrent answers: %d %s and %d %s, want one 201", got.Code, got.Body, second.Code, second.Body)
		}
		if ids := starter.ids(); len(ids) != 1 || !strings.Contains(got.Body.String(), ids[0]) {
			t.Fatalf("started %v, answered %s", ids, got.Body)
		}
		third := serveIdem(engine, "/r", "k-twice")
		if third.Code != 201 || third.Body.String() != got.Body.String() || third.Header().Get(HeaderIdempotentReplayed) != "true" {
			t.Fatalf("after both: %d %s", third.Code, third.Body)
		}
	})
}

// A create refused before its start releases the key, as before: the client fixes the body
// and sends it again with the same key.
func TestIdempotencyRedriveRefusalReleases(t *testing.T) {
	st := models.NewStore(modelstest.NewSQLite(t))
	starter := &memStarter{}
	engine := newRedriveEngine(st, startingHandler(starter, nil))
	if rec := serveBody(engine, "/r", "k-fix", `{}`); rec.Code != 400 {
		t.Fatalf("refused: %d %s", rec.Code, rec.Body)
	}
	if _, err := st.GetIdempotencyRecord(context.Background(), "u1", "k-fix"); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("after a refusal the key is %v, want released", err)
	}
	if rec := serveIdem(engine, "/r", "k-fix"); rec.Code != 201 || len(starter.ids()) != 1 {
		t.Fatalf("fixed retry: %d %s, started %v", rec.Code, rec.Body, starter.ids())
	}
}

// The id of a keyed create comes from the caller, the key and the claim's time; without a key
// it is random. Either way it keeps the format the lists sort by.
func TestRequestIDFromIdempotencyKey(t *testing.T) {
	at := time.Date(2026, 3, 1, 16, 30, 5, 123456000, time.UTC)
	idFor := func(seed *idempotencySeed) string {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		if seed != nil {
			c.Set(ctxIdempotencySeed, *seed)
		}
		id, err := newRequestID(c, "SR", at.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	seed := newIdempotencySeed("u1", "k1", at)
	a, b := idFor(&seed), idFor(&seed)
	if a != b || !regexp.MustCompile(`^SR-20260302003005-[0-9a-f]{10}$`).MatchString(a) {
		t.Fatalf("keyed ids %q and %q, want one SR-20260302003005-<10 hex>", a, b)
	}
	for _, other := range []idempotencySeed{newIdempotencySeed("u2", "k1", at), newIdempotencySeed("u1", "k2", at)} {
		if idFor(&other) == a {
			t.Errorf("another caller or key got the same id %s", a)
		}
	}
	r1, r2 := idFor(nil), idFor(nil)
	if r1 == r2 || !regexp.MustCompile(`^SR-20260302013005-[0-9a-f]{10}$`).MatchString(r1) {
		t.Fatalf("unkeyed ids %q and %q, want random SR-20260302013005-<10 hex>", r1, r2)
	}
}
