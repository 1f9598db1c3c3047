package prod

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/datashare/datashare/models"
)

// The tests of this package run the production topology of stack.sh — the official Temporal
// server on PostgreSQL, MariaDB, two API and two worker processes, the Web UI — as separate
// processes on loopback, on ports and databases of their own so that a `make prod-up` of the
// same machine is left alone. They need PostgreSQL and MariaDB (see stack.sh for the
// defaults); without them they are skipped, except under CI=true, where that is a failure.

// testPortBase keeps the test's stack away from `make prod-up` (17000) and the embedded
// servers other packages start on free ports.
const testPortBase = 19000

var (
	stackOnce sync.Once
	stackErr  error
	theStack  *stack
)

// stack is a running topology and how to reach it.
type stack struct {
	script string
	env    []string          // PROD_* settings of this test's stack
	vars   map[string]string // endpoints.env
	tc     client.Client
	db     *gorm.DB
}

// dir is the stack's PROD_DIR.
func (s *stack) dir() string {
	for _, kv := range s.env {
		if v, ok := strings.CutPrefix(kv, "PROD_DIR="); ok {
			return v
		}
	}
	return ""
}

func TestMain(m *testing.M) {
	code := m.Run()
	if theStack != nil {
		if out, err := theStack.run("down"); err != nil {
			fmt.Fprintf(os.Stderr, "stack.sh down: %v\n%s", err, out)
		}
		theStack.tc.Close()
		_ = models.Close(theStack.db)
	}
	os.Exit(code)
}

// needStack starts the topology once for the package's tests, from nothing: the previous
// run's databases are dropped first.
func needStack(t *testing.T) *stack {
	t.Helper()
	if testing.Short() {
		t.Skip("the production topology takes minutes to build and start; not with -short")
	}
	if missing := missingServices(); missing != "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %s: the production topology cannot be tested", missing)
		}
		t.Skipf("SKIPPED: %s (the production-topology tests need PostgreSQL and MariaDB; .ci/run starts them)", missing)
	}
	stackOnce.Do(func() { theStack, stackErr = startStack() })
	if stackErr != nil {
		t.Fatal(stackErr)
	}
	return theStack
}

func missingServices() string {
	for name, addr := range map[string]string{"PostgreSQL": "127.0.0.1:5432", "MariaDB": "127.0.0.1:3306"} {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			return name + " is not reachable at " + addr
		}
		c.Close()
	}
	return ""
}

func startStack() (*stack, error) {
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	root := filepath.Dir(filepath.Dir(wd))
	s := &stack{
		script: filepath.Join(wd, "stack.sh"),
		env: []string{
			// Under the repository's tmp/ (ignored by git) so that reruns reuse the binaries.
			"PROD_DIR=" + filepath.Join(root, "tmp", "prod-test"),
			fmt.Sprintf("PROD_PORT_BASE=%d", testPortBase),
			"PROD_TEMPORAL_DB=datashare_test_temporal",
			"PROD_TEMPORAL_VISIBILITY_DB=datashare_test_temporal_visibility",
			"PROD_MYSQL_DB=datashare_test_prod",
			"PROD_PROFILE=neixiang",
		},
	}
	if out, err := s.run("purge"); err != nil {
		return nil, fmt.Errorf("stack.sh purge: %w\n%s", err, out)
	}
	if out, err := s.run("up"); err != nil {
		return nil, fmt.Errorf("stack.sh up: %w\n%s", err, out)
	}
	s.vars, err = readEnvFile(filepath.Join(root, "tmp", "prod-test", "endpoints.env"))
	if err != nil {
		return nil, err
	}
	s.tc, err = client.Dial(client.Options{HostPort: s.vars["TEMPORAL_ADDRESS"], Namespace: s.vars["TEMPORAL_NAMESPACE"]})
	if err != nil {
		return nil, fmt.Errorf("dial Temporal at %s: %w", s.vars["TEMPORAL_ADDRESS"], err)
	}
	s.db, err = models.Open(context.Background(), s.vars["DATASHARE_DB_DIALECT"], s.vars["DATASHARE_DB_DSN"])
	if err != nil {
		return nil, fmt.Errorf("open the read model: %w", err)
	}
	return s, nil
}

// run calls stack.sh with this stack's settings and returns its combined output.
func (s *stack) run(args ...string) ([]byte, error) {
	cmd := exec.Command("bash", append([]string{s.script}, args...)...)
	cmd.Env = append(os.Environ(), s.env...)
	return cmd.CombinedOutput()
}

// tokens are the demo users' tokens by user id (TOKEN_APPLICANT → demo-applicant).
func (s *stack) tokens() map[string]string {
	out := map[string]string{}
	for k, v := range s.vars {
		if name, ok := strings.CutPrefix(k, "TOKEN_"); ok {
			out["demo-"+strings.ReplaceAll(strings.ToLower(name), "_", "-")] = v
		}
	}
	return out
}

// readEnvFile reads NAME=VALUE lines as stack.sh writes them (values in single quotes where
// the shell needs them), skipping comments.
func readEnvFile(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	vars := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s: not NAME=VALUE: %q", path, line)
		}
		vars[k] = strings.Trim(v, "'")
	}
	return vars, sc.Err()
}

// TestUpReusesAndDownStopsItsOwn: a second `up` reuses every running process (same pids);
// `down` stops them all and nothing else — not a process whose pid a stale pid file names.
func TestUpReusesAndDownStopsItsOwn(t *testing.T) {
	s := needStack(t)
	pids := func() map[string]string {
		out := map[string]string{}
		for _, c := range []string{"temporal-server", "worker-1", "worker-2", "api-1", "api-2", "temporal-ui"} {
			b, err := os.ReadFile(filepath.Join(s.dir(), "run", c+".pid"))
			if err == nil {
				out[c] = strings.TrimSpace(string(b))
			}
		}
		return out
	}
	before := pids()
	if len(before) != 6 {
		t.Fatalf("pid files of the running stack: %v", before)
	}
	out, err := s.run("up")
	if err != nil {
		t.Fatalf("second up: %v\n%s", err, out)
	}
	if after := pids(); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("second up replaced processes: before %v, after %v\n%s", before, after, out)
	}
	if n := strings.Count(string(out), "reused"); n != 6 {
		t.Errorf("second up reused %d processes, want 6:\n%s", n, out)
	}

	// A stranger: a process that is not the stack's, named by a stale pid file.
	stranger := exec.Command("sleep", "300")
	if err := stranger.Start(); err != nil {
		t.Fatal(err)
	}
	defer stranger.Process.Kill()
	if err := os.WriteFile(filepath.Join(s.dir(), "run", "temporal-ui.pid"), []byte(fmt.Sprint(stranger.Process.Pid)), 0o600); err != nil {
		t.Fatal(err)
	}
	uiPid := before["temporal-ui"]
	if out, err := s.run("down"); err != nil {
		t.Fatalf("down: %v\n%s", err, out)
	}
	for c, pid := range before {
		if c == "temporal-ui" {
			continue
		}
		if _, err := os.Stat("/proc/" + pid); err == nil {
			t.Errorf("%s (pid %s) still runs after down", c, pid)
		}
	}
	if err := stranger.Process.Signal(syscall.Signal(0)); err != nil {
		t.Errorf("down stopped a process that is not the stack's: %v", err)
	}
	// The real UI, whose pid file was overwritten, is stopped by hand (and the next test run
	// starts it again).
	if p, err := strconv.Atoi(uiPid); err == nil {
		_ = syscall.Kill(p, syscall.SIGTERM)
	}
}
