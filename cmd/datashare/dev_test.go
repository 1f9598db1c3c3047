//go:build embedded

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/datashare/datashare/internal/e2e"
	"github.com/datashare/datashare/internal/testutil"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// devProcess runs `datashare dev` in this process, as `make run` does.
type devProcess struct {
	cancel context.CancelFunc
	done   chan error
}

func startDev(t *testing.T, dataDir string, apiPort, temporalPort, uiPort int) *devProcess {
	t.Helper()
	p, err := tryStartDev(t, dataDir, apiPort, temporalPort, uiPort)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// tryStartDev starts dev and waits until it is ready; an error is dev stopping while it
// starts (a port taken, say).
func tryStartDev(t *testing.T, dataDir string, apiPort, temporalPort, uiPort int, extra ...string) (*devProcess, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p := &devProcess{cancel: cancel, done: make(chan error, 1)}
	go func() {
		p.done <- run(ctx, append([]string{"dev",
			"--data-dir", dataDir,
			"--http-addr", fmt.Sprintf("127.0.0.1:%d", apiPort),
			"--temporal-address", fmt.Sprintf("127.0.0.1:%d", temporalPort),
			"--temporal-ui-port", fmt.Sprint(uiPort),
			"--log-level", "warn",
		}, extra...))
	}()
	base := fmt.Sprintf("http://127.0.0.1:%d", apiPort)
	deadline := time.Now().Add(3 * time.Minute)
	for {
		select {
		case err := <-p.done:
			cancel()
			return nil, fmt.Errorf("dev stopped while starting: %w", err)
		default:
		}
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p, nil
			}
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatal("dev not ready within 3 minutes")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (p *devProcess) stop(t *testing.T) {
	t.Helper()
	p.cancel()
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("dev stopped with error: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("dev did not stop within a minute")
	}
}

func readTokens(t *testing.T, dataDir string) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dataDir, "demo-tokens.env"))
	if err != nil {
		t.Fatalf("demo tokens: %v", err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 64*1024)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			out[k] = v
		}
	}
	return out
}

func call(t *testing.T, method, url, token, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestDevModeEndToEnd starts the whole embedded system as `make run` does, uses it over real
// HTTP and gRPC, stops it, starts it again on the same data folder and finds everything kept.
func TestDevModeEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server twice")
	}
	// Free ports can be taken by another process between choosing and binding them (tests of
	// other packages, on a busy machine): then start again on new ones.
	var (
		dataDir                       string
		apiPort, temporalPort, uiPort int
		p                             *devProcess
	)
	for attempt := 1; p == nil; attempt++ {
		dataDir = t.TempDir()
		apiPort, temporalPort, uiPort = testutil.FreePort(t), testutil.FreePort(t), testutil.FreePort(t)
		var err error
		if p, err = tryStartDev(t, dataDir, apiPort, temporalPort, uiPort); err != nil {
			if attempt == 3 || !strings.Contains(err.Error(), "address already in use") {
				t.Fatal(err)
			}
			t.Logf("starting again on other ports: %v", err)
		}
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", apiPort)

	tokens := readTokens(t, dataDir)
	if len(tokens) < 8 || tokens["TOKEN_APPLICANT"] == "" || tokens["TOKEN_AUTHORITY"] == "" {
		t.Fatalf("demo tokens = %v", tokens)
	}
	status, body := call(t, "GET", base+"/api/v1/me", tokens["TOKEN_APPLICANT"], "")
	if status != 200 || !strings.Contains(string(body), `"department_id":"nx-rst"`) {
		t.Fatalf("/api/v1/me: %d %s", status, body)
	}
	if status, _ := call(t, "GET", base+"/api/v1/me", "", ""); status != 401 {
		t.Fatalf("/api/v1/me without token: %d", status)
	}
	// The approver registers a draft: it must survive the restart.
	status, body = call(t, "POST", base+"/api/v1/catalog/resources", tokens["TOKEN_APPROVER"],
		`{"code":"NX-SCJG-E2E","name":"个体工商户登记信息","format":"数据库表","share_type":"unconditional","update_frequency":"实时","provision_method":"接口","open_type":"unconditional"}`)
	if status != 201 {
		t.Fatalf("create resource: %d %s", status, body)
	}
	var created struct{ ID int64 }
	_ = json.Unmarshal(body, &created)

	// Temporal UI serves its page and lists the namespace.
	uiBase := fmt.Sprintf("http://127.0.0.1:%d", uiPort)
	if status, _ := call(t, "GET", uiBase+"/", "", ""); status != 200 {
		t.Fatalf("Temporal UI: %d", status)
	}
	if status, body := call(t, "GET", uiBase+"/api/v1/namespaces", "", ""); status != 200 || !strings.Contains(string(body), `"default"`) {
		t.Fatalf("Temporal UI namespaces: %d %s", status, body)
	}
	// The Temporal frontend has the custom search attributes.
	tc, err := client.Dial(client.Options{HostPort: fmt.Sprintf("127.0.0.1:%d", temporalPort)})
	if err != nil {
		t.Fatal(err)
	}
	sa, err := tc.OperatorService().ListSearchAttributes(context.Background(), &operatorservice.ListSearchAttributesRequest{Namespace: "default"})
	tc.Close()
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range contract.SearchAttributes() {
		if got, ok := sa.GetCustomAttributes()[name]; !ok || got != typ {
			t.Errorf("search attribute %s = %v, want %v", name, got, typ)
		}
	}
	// A conditional-share request is open on the provider's task list when the process stops.
	status, body = call(t, "POST", base+"/api/v1/share-requests", tokens["TOKEN_APPLICANT"],
		`{"resource_id":2,"purpose":"社会保险待遇资格认证","scope":"法定代表人姓名","requested_validity_days":30}`)
	if status != 201 {
		t.Fatalf("create share request: %d %s", status, body)
	}
	var req struct {
		ID    string `json:"id"`
		DueAt string `json:"due_at"`
	}
	_ = json.Unmarshal(body, &req)
	if req.ID == "" || req.DueAt == "" {
		t.Fatalf("share request = %s", body)
	}
	// The web console is on the same listener: the approver signs in and finds the task.
	// The task row is projected by an activity after the create answers, so the inbox is
	// read until it shows the request.
	browser := consoleSignIn(t, base, "demo-approver")
	var inbox string
	for deadline := time.Now().Add(20 * time.Second); ; {
		status, body := browse(t, browser, base+"/console/")
		if status == 200 && strings.Contains(body, req.ID) {
			break
		}
		inbox = fmt.Sprintf("%d %s", status, body)
		if time.Now().After(deadline) {
			t.Fatalf("console inbox never showed %s: %s", req.ID, inbox)
		}
		time.Sleep(200 * time.Millisecond)
	}
	p.stop(t)

	// While it is stopped, two answers to Idempotency-Keys are on file: one past the retention
	// (24 hours by default), one not yet.
	db, err := models.Open(context.Background(), models.DialectSQLite, filepath.Join(dataDir, "datashare.db"),
		models.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer models.Close(db)
	seedIdempotencyAnswers(t, db, map[string]time.Duration{"older": 25 * time.Hour, "younger": 23 * time.Hour})

	// Second start on the same folder: same signing key, same data, demo not seeded twice.
	p = startDev(t, dataDir, apiPort, temporalPort, uiPort)
	defer p.stop(t)
	// The started process purges the answer past the retention and keeps the other.
	waitPurged(t, db, "older", "younger")
	status, body = call(t, "GET", fmt.Sprintf("%s/api/v1/catalog/resources/%d", base, created.ID), tokens["TOKEN_APPROVER"], "")
	if status != 200 || !strings.Contains(string(body), "NX-SCJG-E2E") {
		t.Fatalf("resource after restart: %d %s", status, body)
	}
	// Its deadline is armed: the persisted history holds a timer that has neither fired nor
	// been cancelled, set for the task's next alarm (a reminder, at the latest the deadline).
	// The stop may have come before the workflow armed it; then the restarted worker does.
	due, err := time.Parse(time.RFC3339, req.DueAt)
	if err != nil {
		t.Fatal(err)
	}
	tc, err = client.Dial(client.Options{HostPort: fmt.Sprintf("127.0.0.1:%d", temporalPort)})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	for wait := time.Now().Add(30 * time.Second); ; {
		fireAt, ok := e2e.PendingTimer(context.Background(), tc, contract.ShareRequestWorkflowID(req.ID))
		if ok && fireAt.After(time.Now()) && !fireAt.After(due) {
			break
		}
		if time.Now().After(wait) {
			t.Fatalf("pending timer after restart = %v (%v), want one before the deadline %s", fireAt, ok, due)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// An admin's calendar edit moves the open deadline in the restarted process.
	checkCalendarEditMovesDeadline(t, base, tokens["TOKEN_ADMIN"], tokens["TOKEN_APPLICANT"], req.ID)
	// The request goes on: its task is still open and is decided after the restart.
	taskID := url.PathEscape("share-request-" + req.ID + "/reply/1")
	if status, body := call(t, "POST", base+"/api/v1/tasks/"+taskID+"/complete", tokens["TOKEN_APPROVER"],
		`{"decision":"approve","scope":"法定代表人姓名","usage_purpose":"社会保险待遇资格认证","validity_days":30,"conditions":"仅限本单位使用"}`); status != 200 {
		t.Fatalf("approve after restart: %d %s", status, body)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, body = call(t, "GET", base+"/api/v1/share-requests/"+req.ID, tokens["TOKEN_APPLICANT"], "")
		if status == 200 && strings.Contains(string(body), `"status":"granted"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("request after restart: %d %s", status, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	status, body = call(t, "GET", base+"/api/v1/departments", tokens["TOKEN_APPLICANT"], "")
	if status != 200 || strings.Count(string(body), `"id"`) != 4 {
		t.Fatalf("departments after restart: %d %s", status, body)
	}
	// The console's session key is kept in the data folder: the session survives the restart.
	if status, body := browse(t, browser, base+"/console/done"); status != 200 || !strings.Contains(body, req.ID) {
		t.Fatalf("console after restart: %d %s", status, body)
	}
}

// consoleSignIn signs a browser in to the web console as a demo user (dev sign-in).
func consoleSignIn(t *testing.T, base, user string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	status, page := browse(t, c, base+"/console/login")
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(page)
	if status != 200 || m == nil || !strings.Contains(page, user) {
		t.Fatalf("console sign-in page: %d %s", status, page)
	}
	resp, err := c.PostForm(base+"/console/login", url.Values{"csrf": {m[1]}, "user": {user}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("console sign-in: %d", resp.StatusCode)
	}
	return c
}

func browse(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestDevModeProfile: `DATASHARE_PROFILE=neixiang make run` seeds the 内乡 demo — the county's
// departments, named as its regulation names them, and the catalog — and the printed tokens
// put the demo users in them.
func TestDevModeProfile(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	var p *devProcess
	var dataDir string
	var apiPort int
	for attempt := 1; p == nil; attempt++ {
		dataDir = t.TempDir()
		apiPort = testutil.FreePort(t)
		var err error
		if p, err = tryStartDev(t, dataDir, apiPort, testutil.FreePort(t), testutil.FreePort(t), "--profile", "neixiang"); err != nil {
			if attempt == 3 || !strings.Contains(err.Error(), "address already in use") {
				t.Fatal(err)
			}
		}
	}
	defer p.stop(t)
	base := fmt.Sprintf("http://127.0.0.1:%d", apiPort)
	tokens := readTokens(t, dataDir)
	status, body := call(t, "GET", base+"/api/v1/me", tokens["TOKEN_APPLICANT"], "")
	if status != 200 || !strings.Contains(string(body), `"department_id":"neixiang-rsj"`) {
		t.Fatalf("me under neixiang: %d %s", status, body)
	}
	status, body = call(t, "GET", base+"/api/v1/catalog/resources?q=NEIXIANG-SCJG", tokens["TOKEN_APPLICANT"], "")
	if status != 200 || strings.Count(string(body), `"code":"NEIXIANG-SCJG-`) != 4 {
		t.Fatalf("neixiang catalog: %d %s", status, body)
	}
	status, body = call(t, "GET", base+"/api/v1/policies/neixiang", tokens["TOKEN_APPLICANT"], "")
	if status != 200 || !strings.Contains(string(body), `"active":true`) {
		t.Fatalf("active policy: %d %s", status, body)
	}
}
