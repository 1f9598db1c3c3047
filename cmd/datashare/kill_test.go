//go:build embedded

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/datashare/datashare/internal/testutil"
)

// devBinary is `datashare dev` built as `make run` builds it, run as a child process so that
// a test can kill it the hard way.
type devBinary struct {
	bin, dataDir          string
	apiPort, temporalPort int
	cmd                   *exec.Cmd
	exited                chan struct{}
	logPath               string
}

func buildDevBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "datashare-dev")
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to build the binary: %v", err)
	}
	build := exec.Command(gobin, "build", "-tags", "embedded", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// start runs the binary on the data folder and waits until it is ready.
func (d *devBinary) start(t *testing.T) {
	t.Helper()
	logf, err := os.OpenFile(d.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	d.cmd = exec.Command(d.bin, "dev",
		"--data-dir", d.dataDir,
		"--http-addr", fmt.Sprintf("127.0.0.1:%d", d.apiPort),
		"--temporal-address", fmt.Sprintf("127.0.0.1:%d", d.temporalPort),
		"--temporal-ui-port", "0",
		"--profile", "ningxia",
		"--log-level", "warn")
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d.exited = make(chan struct{})
	go func() {
		_ = d.cmd.Wait()
		logf.Close()
		close(d.exited)
	}()
	t.Cleanup(func() { d.kill() })
	deadline := time.Now().Add(2 * time.Minute)
	for {
		select {
		case <-d.exited:
			t.Fatalf("datashare dev exited while starting; its log:\n%s", d.log())
		default:
		}
		if resp, err := http.Get(d.base() + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("datashare dev not ready within 2 minutes; its log:\n%s", d.log())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// kill sends SIGKILL, as `kill -9` does, and waits for the process to be gone.
func (d *devBinary) kill() {
	if d.cmd == nil || d.cmd.Process == nil {
		return
	}
	select {
	case <-d.exited:
		return
	default:
	}
	_ = d.cmd.Process.Signal(syscall.SIGKILL)
	<-d.exited
}

func (d *devBinary) base() string { return fmt.Sprintf("http://127.0.0.1:%d", d.apiPort) }

func (d *devBinary) log() string {
	b, _ := os.ReadFile(d.logPath)
	return string(b)
}

// createResult is what one attempt of a keyed create got: an id on 201, else the status (0
// when no answer came at all).
type createResult struct {
	status   int
	id       string
	replayed bool
}

func createShare(client *http.Client, base, token, key, body string) createResult {
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/share-requests", strings.NewReader(body))
	if err != nil {
		return createResult{}
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := client.Do(req)
	if err != nil {
		return createResult{}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	res := createResult{status: resp.StatusCode, replayed: resp.Header.Get("Idempotent-Replayed") == "true"}
	if resp.StatusCode == http.StatusCreated {
		var v struct{ ID string }
		if json.Unmarshal(raw, &v) == nil {
			res.id = v.ID
		}
	}
	return res
}

// TestDevKilledDuringKeyedCreates is issue 10's test: 8 clients create share requests, one
// Idempotency-Key per create, against the embedded default (`make run`); the process is
// SIGKILLed mid-run and started again on the same data folder; every key without an answer
// (and a few answered ones) is retried. Every key then has one request, and the applicant has
// exactly as many requests as keys: none lost, none twice.
func TestDevKilledDuringKeyedCreates(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the dev binary and starts the embedded Temporal server twice")
	}
	d := &devBinary{bin: buildDevBinary(t), dataDir: t.TempDir(),
		apiPort: testutil.FreePort(t), temporalPort: testutil.FreePort(t)}
	d.logPath = filepath.Join(t.TempDir(), "dev.log")
	d.start(t)

	token := readTokens(t, d.dataDir)["TOKEN_APPLICANT"]
	if token == "" {
		t.Fatal("no TOKEN_APPLICANT in demo-tokens.env")
	}
	body := fmt.Sprintf(`{"resource_id":%d,"purpose":"核验社保待遇申领人的企业法定代表人身份","scope":"姓名、证件号码","requested_validity_days":90}`,
		publishedResourceOfAnother(t, d.base(), token))
	before := applicantRequests(t, d.base(), token)

	// 8 clients take keys from one sequence until 40 creates are sent or the process is
	// killed; the kill comes once some creates have answered, with others in flight.
	const clients, maxCreates, killAfter = 8, 40, 12
	httpc := &http.Client{Timeout: 30 * time.Second}
	var (
		mu       sync.Mutex
		next     int
		answered int
		results  = map[string]createResult{}
		killed   = make(chan struct{})
		killOnce sync.Once
	)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for {
				mu.Lock()
				if next == maxCreates {
					mu.Unlock()
					return
				}
				select {
				case <-killed:
					mu.Unlock()
					return
				default:
				}
				next++
				key := fmt.Sprintf("kill-test-%02d", next)
				mu.Unlock()
				res := createShare(httpc, d.base(), token, key, body)
				mu.Lock()
				results[key] = res
				if res.status == http.StatusCreated {
					answered++
				}
				if answered == killAfter {
					killOnce.Do(func() { close(killed) })
				}
				mu.Unlock()
			}
		})
	}
	// The kill happens while the other clients' creates are in flight.
	select {
	case <-killed:
	case <-time.After(90 * time.Second):
		killOnce.Do(func() { close(killed) })
	}
	d.kill()
	wg.Wait()

	unanswered := 0
	for _, r := range results {
		if r.status != http.StatusCreated {
			unanswered++
		}
	}
	t.Logf("%d keys sent before the kill: %d answered, %d without an answer", len(results), len(results)-unanswered, unanswered)

	d.start(t)
	deadline := time.Now().Add(2 * time.Minute)
	answers := map[string]string{}
	startedBeforeKill := 0 // retries answered with a request the killed process had started
	for key, r := range results {
		if r.status == http.StatusCreated {
			answers[key] = r.id
			continue
		}
		for {
			got := createShare(httpc, d.base(), token, key, body)
			if got.status == http.StatusCreated {
				answers[key] = got.id
				if got.replayed {
					startedBeforeKill++
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("key %s still unanswered after the restart: last status %d", key, got.status)
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	t.Logf("after the restart every key answered; %d of the retries found their request started before the kill", startedBeforeKill)
	// A few answered keys sent again answer the same request.
	resent := 0
	for key, r := range results {
		if r.status != http.StatusCreated || resent == 3 {
			continue
		}
		resent++
		if got := createShare(httpc, d.base(), token, key, body); got.status != http.StatusCreated || got.id != r.id || !got.replayed {
			t.Errorf("answered key %s sent again: %+v, want its request %s replayed", key, got, r.id)
		}
	}

	byID := map[string]string{}
	for key, id := range answers {
		if other, ok := byID[id]; ok {
			t.Errorf("keys %s and %s answered the same request %s", key, other, id)
		}
		byID[id] = key
	}
	// Every request is projected once its workflow has run; then there must be no other.
	var got map[string]bool
	for wait := time.Now().Add(time.Minute); ; {
		got = applicantRequests(t, d.base(), token)
		missing := 0
		for id := range byID {
			if !got[id] {
				missing++
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(wait) {
			t.Fatalf("%d requests answered to a key are not in the applicant's list", missing)
		}
		time.Sleep(300 * time.Millisecond)
	}
	extra := []string{}
	for id := range got {
		if !before[id] && byID[id] == "" {
			extra = append(extra, id)
		}
	}
	if len(extra) > 0 || len(got)-len(before) != len(results) {
		t.Fatalf("%d keys, %d new requests in the applicant's list; requests no key answered: %v", len(results), len(got)-len(before), extra)
	}
}

// publishedResourceOfAnother is a published, shareable catalog resource of a department other
// than the applicant's.
func publishedResourceOfAnother(t *testing.T, base, token string) int64 {
	t.Helper()
	status, raw := call(t, "GET", base+"/api/v1/me", token, "")
	var me struct {
		DepartmentID string `json:"department_id"`
	}
	if status != 200 || json.Unmarshal(raw, &me) != nil {
		t.Fatalf("/api/v1/me: %d %s", status, raw)
	}
	for cursor := ""; ; {
		status, raw := call(t, "GET", base+"/api/v1/catalog/resources?limit=100&cursor="+url.QueryEscape(cursor), token, "")
		var page struct {
			Items []struct {
				ID             int64  `json:"id"`
				Status         string `json:"status"`
				ShareType      string `json:"share_type"`
				ProviderDeptID string `json:"provider_dept_id"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		if status != 200 || json.Unmarshal(raw, &page) != nil {
			t.Fatalf("catalog: %d %s", status, raw)
		}
		for _, it := range page.Items {
			if it.Status == "published" && it.ShareType == "conditional" && it.ProviderDeptID != me.DepartmentID {
				return it.ID
			}
		}
		if page.NextCursor == "" {
			t.Fatal("no published conditional resource of another department in the demo catalog")
		}
		cursor = page.NextCursor
	}
}

// applicantRequests is the set of share request ids the applicant's list shows, every page.
func applicantRequests(t *testing.T, base, token string) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	for cursor := ""; ; {
		status, raw := call(t, "GET", base+"/api/v1/share-requests?limit=100&cursor="+url.QueryEscape(cursor), token, "")
		var page struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		if status != 200 || json.Unmarshal(raw, &page) != nil {
			t.Fatalf("share requests: %d %s", status, raw)
		}
		for _, it := range page.Items {
			if ids[it.ID] {
				t.Fatalf("request %s listed twice", it.ID)
			}
			ids[it.ID] = true
		}
		if page.NextCursor == "" {
			return ids
		}
		cursor = page.NextCursor
	}
}
