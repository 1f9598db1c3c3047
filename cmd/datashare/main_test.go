package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestProductionBinaryHasNoTemporalServer: the api/worker binary must not link the server;
// only the embedded build (-tags embedded) does.
func TestProductionBinaryHasNoTemporalServer(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "go.temporal.io/server") || strings.HasPrefix(pkg, "github.com/temporalio/ui-server") {
			t.Fatalf("production binary links %s", pkg)
		}
	}
	out, err = exec.Command("go", "list", "-deps", "-tags", "embedded", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -tags embedded: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "go.temporal.io/server/temporal\n") {
		t.Fatal("embedded build does not link the Temporal server: the check above proves nothing")
	}
}

func TestMigrateUpStatusAndPendingRefusal(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "app.db")
	t.Setenv("DATASHARE_DB_DSN", dsn)
	t.Setenv("DATASHARE_LOG_LEVEL", "error")
	ctx := context.Background()

	// On an empty database the API refuses to start and says what to do.
	err := run(ctx, []string{"api", "--http-addr", "127.0.0.1:1"})
	if err == nil || !strings.Contains(err.Error(), "datashare migrate up") {
		t.Fatalf("api on an unmigrated database: %v", err)
	}
	if err := run(ctx, []string{"worker"}); err == nil || !strings.Contains(err.Error(), "datashare migrate up") {
		t.Fatalf("worker on an unmigrated database: %v", err)
	}
	if err := run(ctx, []string{"migrate", "status"}); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"migrate", "up"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dsn); err != nil {
		t.Fatalf("database file: %v", err)
	}
	// Up again is a no-op.
	if err := run(ctx, []string{"migrate", "up"}); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"migrate", "sideways"}); err == nil {
		t.Fatal("unknown migrate action accepted")
	}
}

func TestBadConfigurationNamesTheVariable(t *testing.T) {
	err := run(context.Background(), []string{"api", "--db-dialect", "oracle"})
	if err == nil || !strings.Contains(err.Error(), "DATASHARE_DB_DIALECT") {
		t.Fatalf("err = %v", err)
	}
	if err := run(context.Background(), []string{"frobnicate"}); err == nil || !strings.Contains(err.Error(), "frobnicate") {
		t.Fatalf("unknown command: %v", err)
	}
}

func TestMalformedPolicyFileStopsTheStart(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "yinchuan.yaml")
	if err := os.WriteFile(bad, []byte("id: yinchuan\nname: 银川\nprocedures:\n  - code: share\n    colour: red\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DATASHARE_DB_DSN", filepath.Join(dir, "app.db"))
	t.Setenv("DATASHARE_LOG_LEVEL", "error")
	err := run(context.Background(), []string{"api", "--policy-file", bad})
	if err == nil || !strings.Contains(err.Error(), "DATASHARE_POLICY_FILE") || !strings.Contains(err.Error(), "yinchuan.yaml") || !strings.Contains(err.Error(), "line ") {
		t.Fatalf("err = %v", err)
	}
}
