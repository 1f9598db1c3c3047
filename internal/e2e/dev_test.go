//go:build embedded

package e2e_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/datashare/datashare/internal/e2e"
	"github.com/datashare/datashare/internal/testutil"
	"github.com/datashare/datashare/models"
)

// binaryEnv names a prebuilt `go build -tags embedded ./cmd/datashare` to use instead of
// building one, to iterate on the scenarios without linking each time.
const binaryEnv = "DATASHARE_E2E_BINARY"

// TestProceduresEmbedded runs every procedure of the neixiang profile over HTTP against the
// embedded system, `datashare dev` in a subprocess as `make run` starts it, with one API for
// both of the stack's API addresses (the production topology runs the same driver against
// two), twice.
func TestProceduresEmbedded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the embedded system")
	}
	bin := devBinary(t)
	dev := startDev(t, bin)

	tokens := dev.tokens(t)
	tc, err := client.Dial(client.Options{
		HostPort:  dev.temporalAddr,
		Namespace: "default",
		Logger:    sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))),
	})
	if err != nil {
		t.Fatalf("dial Temporal at %s: %v", dev.temporalAddr, err)
	}
	t.Cleanup(tc.Close)
	// The read model as the dev process writes it (DATA_DIR/datashare.db), opened read-only:
	// the driver only checks rows.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := models.Open(ctx, models.DialectSQLite, filepath.Join(dev.dataDir, "datashare.db")+"?_pragma=query_only(1)",
		models.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatalf("open the read model: %v", err)
	}
	t.Cleanup(func() { _ = models.Close(db) })

	stack := e2e.Stack{API1: dev.base, API2: dev.base, Tokens: tokens, Temporal: tc, DB: db}
	e2e.Procedures(t, stack)
	// Again on the same stack, as a test of the production topology may run it after a
	// failover: new cases, the next free year's annual reports, another proposed catalog value.
	t.Run("again", func(t *testing.T) { e2e.Procedures(t, stack) })
}

// devBinary returns the embedded datashare binary: $DATASHARE_E2E_BINARY, or one built now.
// The build shares the build cache with `go test -tags embedded` (no -trimpath), so after
// the first compile of the embedded Temporal server it only links.
func devBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv(binaryEnv); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("%s: %v", binaryEnv, err)
		}
		return bin
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("no go command to build the embedded binary (or set %s): %v", binaryEnv, err)
	}
	bin := filepath.Join(t.TempDir(), "datashare-dev")
	cmd := exec.Command(goBin, "build", "-tags", "embedded", "-o", bin, "./cmd/datashare")
	cmd.Dir = moduleRoot(t)
	// The project builds without cgo (the SQLite driver is pure Go).
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build -tags embedded ./cmd/datashare: %v\n%s", err, out)
	}
	t.Logf("built %s in %s", bin, time.Since(start).Round(time.Second))
	return bin
}

// moduleRoot is the folder of go.mod, two levels above this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root: %v", err)
	}
	return root
}

// devProcess is a running `datashare dev`.
type devProcess struct {
	dataDir, base, temporalAddr string
	log                         string // its stderr and stdout
}

// startDev starts `datashare dev` under neixiang on free ports and waits until it is ready; the
// process is stopped (SIGINT, as Ctrl-C) when the test ends. A port taken between choosing and
// binding it (another test of the machine) starts it again on others.
func startDev(t *testing.T, bin string) *devProcess {
	t.Helper()
	for attempt := 1; ; attempt++ {
		p, err := tryStartDev(t, bin)
		if err == nil {
			return p
		}
		if attempt == 3 || !strings.Contains(err.Error(), "address already in use") {
			t.Fatal(err)
		}
		t.Logf("starting again on other ports: %v", err)
	}
}

func tryStartDev(t *testing.T, bin string) (*devProcess, error) {
	t.Helper()
	p := &devProcess{dataDir: t.TempDir()}
	apiPort, temporalPort, uiPort := testutil.FreePort(t), testutil.FreePort(t), testutil.FreePort(t)
	p.base = fmt.Sprintf("http://127.0.0.1:%d", apiPort)
	p.temporalAddr = fmt.Sprintf("127.0.0.1:%d", temporalPort)
	p.log = filepath.Join(p.dataDir, "dev.log")
	logf, err := os.Create(p.log)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "dev",
		"--profile", e2e.Jurisdiction,
		"--data-dir", p.dataDir,
		"--http-addr", fmt.Sprintf("127.0.0.1:%d", apiPort),
		"--temporal-address", p.temporalAddr,
		"--temporal-ui-port", fmt.Sprint(uiPort),
		"--log-level", "warn")
	cmd.Env = hermeticEnv()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s dev: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); logf.Close() }()
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(time.Minute):
			_ = cmd.Process.Kill()
			<-exited
			t.Errorf("datashare dev did not stop within a minute of SIGINT; killed")
		}
	}

	deadline := time.Now().Add(3 * time.Minute)
	for {
		select {
		case err := <-exited:
			return nil, fmt.Errorf("datashare dev stopped while starting (%v): %s", err, tail(p.log))
		default:
		}
		if ready(p.base) {
			break
		}
		if time.Now().After(deadline) {
			stop()
			return nil, fmt.Errorf("datashare dev not ready within 3 minutes: %s", tail(p.log))
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("datashare dev log (%s): %s", p.log, tail(p.log))
		}
	})
	return p, nil
}

// hermeticEnv is this process's environment without datashare's and Temporal's settings, so
// the flags alone configure the dev process.
func hermeticEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "DATASHARE_") || strings.HasPrefix(kv, "TEMPORAL_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func ready(base string) bool {
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// tokens waits for demo-tokens.env, which dev writes once the API serves, to name every demo
// user.
func (p *devProcess) tokens(t *testing.T) map[string]string {
	t.Helper()
	path := filepath.Join(p.dataDir, "demo-tokens.env")
	var tokens map[string]string
	e2e.WaitFor(t, time.Minute, func() error {
		var err error
		if tokens, err = e2e.ReadDemoTokens(path); err != nil {
			return err
		}
		if want := len(models.DemoUsersFor(e2e.Jurisdiction)); len(tokens) < want {
			return fmt.Errorf("%s names %d users, want %d", path, len(tokens), want)
		}
		return nil
	})
	return tokens
}

// tail is the end of a log file, for a failure message, without the demo tokens of the banner.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	var keep []string
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "eyJ") {
			keep = append(keep, line)
		}
	}
	const max = 4000
	out := strings.Join(keep, "\n")
	if len(out) > max {
		out = "…" + out[len(out)-max:]
	}
	return out
}
