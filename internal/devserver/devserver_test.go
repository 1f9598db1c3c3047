package devserver

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	namespacepb "go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdktemporal "go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

const (
	testTaskQueue = "devserver-test"
	sleeperName   = "DevserverSleeper"
	bumpUpdate    = "bump"
	// keywordSA and timeSA stand in for the product's search attributes.
	keywordSA = "DevserverProcedure"
	timeSA    = "DevserverDueAt"
)

var testSearchAttributes = map[string]enums.IndexedValueType{
	keywordSA: enums.INDEXED_VALUE_TYPE_KEYWORD,
	timeSA:    enums.INDEXED_VALUE_TYPE_DATETIME,
}

// Server log records that report trouble the embedded setup must prevent.
var (
	lockErrors     atomic.Int64 // "database is locked"
	notEnoughHosts atomic.Int64 // "not enough hosts to serve the request"
)

// logWatcher passes records on, counting the ones above.
type logWatcher struct{ slog.Handler }

func (h logWatcher) Handle(ctx context.Context, r slog.Record) error {
	text := r.Message
	r.Attrs(func(a slog.Attr) bool {
		text += " " + a.Value.String()
		return true
	})
	text = strings.ToLower(text)
	if strings.Contains(text, "database is locked") {
		lockErrors.Add(1)
	}
	if strings.Contains(text, "not enough hosts") {
		notEnoughHosts.Add(1)
	}
	return h.Handler.Handle(ctx, r)
}

func (h logWatcher) WithAttrs(attrs []slog.Attr) slog.Handler {
	return logWatcher{Handler: h.Handler.WithAttrs(attrs)}
}

func (h logWatcher) WithGroup(name string) slog.Handler {
	return logWatcher{Handler: h.Handler.WithGroup(name)}
}

// shared is the one server of this package's tests; the restart test
// replaces it with a new server on the same folder and ports.
var shared struct {
	once sync.Once
	dir  string
	opts Options
	srv  *Server
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.srv != nil {
		if err := shared.srv.Stop(); err != nil {
			slog.Error("stop shared server", "error", err)
			code = 1
		}
	}
	if shared.dir != "" {
		_ = os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

func sharedServer(t *testing.T) (*Server, Options) {
	t.Helper()
	shared.once.Do(func() {
		if shared.dir, shared.err = os.MkdirTemp("", "devserver-test-"); shared.err != nil {
			return
		}
		shared.opts = Options{
			// A subfolder that does not exist yet: Start must create it.
			DataDir:          shared.dir + "/data",
			FrontendPort:     freeTestPort(t),
			UIPort:           freeTestPort(t),
			SearchAttributes: testSearchAttributes,
			Logger:           slog.New(logWatcher{Handler: slog.NewTextHandler(os.Stderr, nil)}),
		}
		shared.srv, shared.err = startTimed(t, shared.opts)
	})
	if shared.err != nil {
		t.Fatalf("start shared server: %v", shared.err)
	}
	return shared.srv, shared.opts
}

// restartShared stops the shared server and starts it again on the same
// folder and ports, after change adjusts the options.
func restartShared(t *testing.T, change func(*Options)) *Server {
	t.Helper()
	sharedServer(t)
	start := time.Now()
	if err := shared.srv.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if err := shared.srv.Stop(); err != nil {
		t.Fatalf("second stop must be a no-op, got %v", err)
	}
	t.Logf("server stopped in %s", time.Since(start).Round(time.Millisecond))
	shared.srv = nil
	change(&shared.opts)
	srv, err := startTimed(t, shared.opts)
	if err != nil {
		t.Fatalf("restart on the same data dir and ports: %v", err)
	}
	shared.srv = srv
	return srv
}

func startTimed(t *testing.T, opts Options) (*Server, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	start := time.Now()
	srv, err := Start(ctx, opts)
	t.Logf("server started in %s", time.Since(start).Round(time.Millisecond))
	return srv, err
}

func freeTestPort(t *testing.T) int {
	t.Helper()
	port, err := freePort(loopback)
	if err != nil {
		t.Fatal(err)
	}
	return port
}

func dial(t *testing.T, srv *Server, namespace string) client.Client {
	t.Helper()
	c, err := client.Dial(client.Options{
		HostPort:  srv.FrontendHostPort(),
		Namespace: namespace,
		Logger:    sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler)),
	})
	if err != nil {
		t.Fatalf("dial %s: %v", srv.FrontendHostPort(), err)
	}
	t.Cleanup(c.Close)
	return c
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// sleeper waits an hour on a durable timer; its bump update adds to a counter.
func sleeper(ctx workflow.Context) (int, error) {
	count := 0
	err := workflow.SetUpdateHandlerWithOptions(ctx, bumpUpdate,
		func(_ workflow.Context, by int) (int, error) {
			count += by
			return count, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, by int) error {
			if by <= 0 {
				return errors.New("by must be positive")
			}
			return nil
		}},
	)
	if err != nil {
		return 0, err
	}
	if err := workflow.Sleep(ctx, time.Hour); err != nil {
		return 0, err
	}
	return count, nil
}

func startWorker(t *testing.T, c client.Client) worker.Worker {
	t.Helper()
	w := worker.New(c, testTaskQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(sleeper, workflow.RegisterOptions{Name: sleeperName})
	if err := w.Start(); err != nil {
		t.Fatalf("start worker: %v", err)
	}
	return w
}

// timerEvents counts TimerStarted and TimerFired events in a run's history.
func timerEvents(ctx context.Context, t *testing.T, c client.Client, id, runID string) (started, fired int, timeout time.Duration) {
	t.Helper()
	it := c.GetWorkflowHistory(ctx, id, runID, false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("read history: %v", err)
		}
		switch ev.GetEventType() {
		case enums.EVENT_TYPE_TIMER_STARTED:
			started++
			timeout = ev.GetTimerStartedEventAttributes().GetStartToFireTimeout().AsDuration()
		case enums.EVENT_TYPE_TIMER_FIRED:
			fired++
		}
	}
	return started, fired, timeout
}

func TestNamespaceRetentionAndSearchAttributes(t *testing.T) {
	srv, opts := sharedServer(t)
	c := dial(t, srv, DefaultNamespace)
	ctx := testContext(t)

	if got, want := srv.FrontendHostPort(), "127.0.0.1:"+strconv.Itoa(opts.FrontendPort); got != want {
		t.Errorf("FrontendHostPort() = %q, want %q", got, want)
	}
	// Only the database and its WAL companions: the connection parameters
	// carried in the database name must not leak into a file name.
	entries, err := os.ReadDir(opts.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		files = append(files, e.Name())
	}
	if want := DBFileName + "," + DBFileName + "-shm," + DBFileName + "-wal"; strings.Join(files, ",") != want {
		t.Errorf("data dir holds %q, want %s", files, want)
	}

	desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: DefaultNamespace})
	if err != nil {
		t.Fatalf("describe namespace %q: %v", DefaultNamespace, err)
	}
	want := opts.Retention
	if want == 0 {
		want = DefaultRetention
	}
	if got := desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); got != want {
		t.Errorf("retention = %s, want %s", got, want)
	}

	list, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: DefaultNamespace})
	if err != nil {
		t.Fatalf("list search attributes: %v", err)
	}
	for name, typ := range testSearchAttributes {
		if got, ok := list.GetCustomAttributes()[name]; !ok || got != typ {
			t.Errorf("custom search attribute %s = %v (present %v), want %v", name, got, ok, typ)
		}
	}

	// Usable by the very next request: the server validates them on start.
	id := "devserver-sa-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        id,
		TaskQueue: "devserver-no-worker",
		TypedSearchAttributes: sdktemporal.NewSearchAttributes(
			sdktemporal.NewSearchAttributeKeyKeyword(keywordSA).ValueSet("catalog-share"),
			sdktemporal.NewSearchAttributeKeyTime(timeSA).ValueSet(time.Now().Add(72*time.Hour)),
		),
	}, "NoWorkerWorkflow")
	if err != nil {
		t.Fatalf("start workflow with custom search attributes: %v", err)
	}
	if err := c.TerminateWorkflow(ctx, id, run.GetRunID(), "test done"); err != nil {
		t.Errorf("terminate: %v", err)
	}
}

func TestUI(t *testing.T) {
	srv, opts := sharedServer(t)
	base := srv.UIURL()
	if want := "http://127.0.0.1:" + strconv.Itoa(opts.UIPort); base != want {
		t.Fatalf("UIURL() = %q, want %q", base, want)
	}

	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatalf("GET /: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET / status = %d, want 200", resp.StatusCode)
	}
	var csrfCookies int
	for _, c := range resp.Cookies() {
		if c.Name != "_csrf" {
			continue
		}
		csrfCookies++
		if c.Secure {
			t.Errorf("CSRF cookie is Secure, the browser would not send it back over plain HTTP: %s", c.Raw)
		}
	}
	if csrfCookies == 0 {
		t.Errorf("GET / set no _csrf cookie; Set-Cookie: %q", resp.Header.Values("Set-Cookie"))
	}

	var namespaces struct {
		Namespaces []struct {
			NamespaceInfo struct {
				Name string `json:"name"`
			} `json:"namespaceInfo"`
		} `json:"namespaces"`
	}
	getJSON(t, base+"/api/v1/namespaces", &namespaces)
	var names []string
	for _, ns := range namespaces.Namespaces {
		names = append(names, ns.NamespaceInfo.Name)
	}
	if !strings.Contains(","+strings.Join(names, ",")+",", ","+DefaultNamespace+",") {
		t.Errorf("UI lists namespaces %q, want %q among them", names, DefaultNamespace)
	}

	var settings struct{ DefaultNamespace string }
	getJSON(t, base+"/api/v1/settings", &settings)
	if settings.DefaultNamespace != DefaultNamespace {
		t.Errorf("UI default namespace = %q, want %q", settings.DefaultNamespace, DefaultNamespace)
	}
}

func getJSON(t *testing.T, url string, into any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s status = %d: %s", url, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, into); err != nil {
		t.Fatalf("GET %s: decode %s: %v", url, body, err)
	}
}

func TestRestartKeepsTimersAndServesUpdates(t *testing.T) {
	srv, _ := sharedServer(t)
	ctx := testContext(t)
	c := dial(t, srv, DefaultNamespace)
	w := startWorker(t, c)

	id := "devserver-restart-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: testTaskQueue}, sleeperName)
	if err != nil {
		t.Fatalf("start workflow: %v", err)
	}
	for {
		if started, _, _ := timerEvents(ctx, t, c, id, run.GetRunID()); started > 0 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatal("workflow never started its timer")
		case <-time.After(100 * time.Millisecond):
		}
	}
	w.Stop()
	c.Close()

	// A longer retention on restart must be applied to the existing namespace.
	const longer = 45 * 24 * time.Hour
	hostErrors := notEnoughHosts.Load()
	srv = restartShared(t, func(o *Options) { o.Retention = longer })
	defer func() {
		if n := notEnoughHosts.Load() - hostErrors; n > 0 {
			t.Errorf("server logged %d \"not enough hosts\" errors after the restart", n)
		}
	}()
	ctx = testContext(t)
	c = dial(t, srv, DefaultNamespace)

	desc, err := c.DescribeWorkflowExecution(ctx, id, run.GetRunID())
	if err != nil {
		t.Fatalf("describe after restart: %v", err)
	}
	if got := desc.GetWorkflowExecutionInfo().GetStatus(); got != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
		t.Fatalf("status after restart = %v, want RUNNING", got)
	}
	started, fired, timeout := timerEvents(ctx, t, c, id, run.GetRunID())
	if started != 1 || fired != 0 || timeout != time.Hour {
		t.Errorf("after restart: %d TimerStarted (%s), %d TimerFired; want the one pending 1h timer", started, timeout, fired)
	}

	w = startWorker(t, c)
	defer w.Stop()
	handle, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   id,
		RunID:        run.GetRunID(),
		UpdateName:   bumpUpdate,
		Args:         []any{2},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		t.Fatalf("update after restart: %v", err)
	}
	var count int
	if err := handle.Get(ctx, &count); err != nil || count != 2 {
		t.Errorf("update result = %d, %v; want 2", count, err)
	}

	ns, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: DefaultNamespace})
	if err != nil {
		t.Fatalf("describe namespace: %v", err)
	}
	if got := ns.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration(); got != longer {
		t.Errorf("retention after restart = %s, want %s", got, longer)
	}

	if err := c.TerminateWorkflow(ctx, id, run.GetRunID(), "test done"); err != nil {
		t.Errorf("terminate: %v", err)
	}
}

// TestSQLiteWaitsForWriteLock holds the write lock from another connection
// while the server updates the namespace: in WAL mode, with a busy timeout
// and transactions that take the write lock up front, the server waits for
// the lock instead of failing with "database is locked".
func TestSQLiteWaitsForWriteLock(t *testing.T) {
	srv, opts := sharedServer(t)
	ctx := testContext(t)
	c := dial(t, srv, DefaultNamespace)

	db, err := sql.Open("sqlite", "file:"+filepath.Join(opts.DataDir, DBFileName)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}

	before := lockErrors.Load()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatalf("take the write lock: %v", err)
	}
	description := "write-lock test " + time.Now().Format(time.RFC3339Nano)
	done := make(chan error, 1)
	go func() {
		_, err := c.WorkflowService().UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{
			Namespace:  DefaultNamespace,
			UpdateInfo: &namespacepb.UpdateNamespaceInfo{Description: description},
		})
		done <- err
	}()
	time.Sleep(500 * time.Millisecond)
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatalf("release the write lock: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("update namespace while the database was locked: %v", err)
	}
	if n := lockErrors.Load() - before; n > 0 {
		t.Errorf("server logged %d \"database is locked\" errors instead of waiting for the lock", n)
	}
	desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: DefaultNamespace})
	if err != nil || desc.GetNamespaceInfo().GetDescription() != description {
		t.Errorf("description = %q, %v; want %q", desc.GetNamespaceInfo().GetDescription(), err, description)
	}
}

func TestStartFailsOnBusyPort(t *testing.T) {
	busy, err := net.Listen("tcp", net.JoinHostPort(loopback, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port

	tests := []struct {
		name string
		opts Options
	}{
		{"frontend", Options{FrontendPort: port, UIPort: -1}},
		{"UI", Options{FrontendPort: freeTestPort(t), UIPort: port}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.DataDir = t.TempDir()
			srv, err := Start(testContext(t), tt.opts)
			if err == nil {
				_ = srv.Stop()
				t.Fatal("Start succeeded on a busy port")
			}
			if !strings.Contains(err.Error(), tt.name+" port "+strconv.Itoa(port)) {
				t.Errorf("error %q does not name the %s port %d", err, tt.name, port)
			}
		})
	}
}

func TestOptionsValidation(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{"no data dir", Options{}, "DataDir is required"},
		{"host name", Options{DataDir: "x", Host: "example.org"}, "must be an IP"},
		{"short retention", Options{DataDir: "x", Retention: time.Minute}, "below the server minimum"},
		{"same ports", Options{DataDir: "x", FrontendPort: 9000, UIPort: 9000}, "both set to port 9000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.opts.withDefaults()
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("withDefaults() error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}

	o, err := Options{DataDir: "x", Host: "localhost"}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if o.Host != "127.0.0.1" || o.FrontendPort != 7233 || o.UIPort != 8233 ||
		o.Namespace != "default" || o.Retention != 30*24*time.Hour || o.Logger == nil {
		t.Errorf("defaults = %+v", o)
	}
}
