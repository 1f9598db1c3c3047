package temporalx_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/datashare/datashare/internal/devserver"
	"github.com/datashare/datashare/internal/temporalx"
	"github.com/datashare/datashare/internal/testutil"
)

// TestClientAgainstRealServer: the lazy client reaches a real Temporal server, reports health,
// exports SDK metrics into the registry, and registers search attributes idempotently.
func TestClientAgainstRealServer(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	srv, err := devserver.Start(context.Background(), devserver.Options{DataDir: t.TempDir(), FrontendPort: testutil.FreePort(t), UIPort: -1, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()

	reg := prometheus.NewRegistry()
	c, closer, err := temporalx.NewClient(temporalx.Config{Address: srv.FrontendHostPort(), Namespace: "default"}, quiet, reg)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := temporalx.CheckHealth(ctx, c); err != nil {
		t.Fatalf("health: %v", err)
	}

	attrs := map[string]enumspb.IndexedValueType{"DsTestKeyword": enumspb.INDEXED_VALUE_TYPE_KEYWORD, "DsTestTime": enumspb.INDEXED_VALUE_TYPE_DATETIME}
	for i := 0; i < 2; i++ { // the second call finds them present and changes nothing
		if err := temporalx.EnsureSearchAttributes(ctx, c, "default", attrs); err != nil {
			t.Fatalf("ensure #%d: %v", i+1, err)
		}
	}
	got, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range attrs {
		if got.GetCustomAttributes()[name] != typ {
			t.Fatalf("%s = %v, want %v", name, got.GetCustomAttributes()[name], typ)
		}
	}
	err = temporalx.EnsureSearchAttributes(ctx, c, "default", map[string]enumspb.IndexedValueType{"DsTestKeyword": enumspb.INDEXED_VALUE_TYPE_INT})
	if err == nil || !strings.Contains(err.Error(), "DsTestKeyword") {
		t.Fatalf("type clash not reported: %v", err)
	}

	// A namespace is registered with the retention asked for, raised when a longer one is
	// asked for later, and never lowered (an operator's longer choice stands).
	retention := func() time.Duration {
		t.Helper()
		d, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: "ds-test"})
		if err != nil {
			t.Fatal(err)
		}
		return d.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration()
	}
	for _, step := range []struct{ ask, want time.Duration }{{48 * time.Hour, 48 * time.Hour}, {24 * time.Hour, 48 * time.Hour}, {72 * time.Hour, 72 * time.Hour}} {
		// A namespace just registered reaches the frontend's cache a moment later; callers
		// (datashare temporal-setup) retry, as here.
		for err := temporalx.EnsureNamespace(ctx, c, "ds-test", step.ask); err != nil; err = temporalx.EnsureNamespace(ctx, c, "ds-test", step.ask) {
			if ctx.Err() != nil {
				t.Fatalf("ensure namespace with %s: %v", step.ask, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
		if got := retention(); got != step.want {
			t.Fatalf("after asking for %s: retention %s, want %s", step.ask, got, step.want)
		}
	}

	// SDK metrics reach the registry (reported every second by the tally scope).
	deadline := time.Now().Add(5 * time.Second)
	for {
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, mf := range mfs {
			if strings.HasPrefix(mf.GetName(), "temporal_") {
				found = true
			}
		}
		if found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no temporal_ metric in the registry")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestTLSConfigErrorsNameTheSetting(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(bad, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		cfg  temporalx.Config
		want string
	}{
		{temporalx.Config{Address: "x:7233", TLS: true, CAFile: bad}, "TEMPORAL_TLS_CA"},
		{temporalx.Config{Address: "x:7233", TLS: true, CAFile: filepath.Join(dir, "missing.pem")}, "TEMPORAL_TLS_CA"},
		{temporalx.Config{Address: "x:7233", TLS: true, CertFile: bad, KeyFile: bad}, "TEMPORAL_TLS_CERT"},
	} {
		if _, _, err := temporalx.NewClient(tc.cfg, slog.New(slog.DiscardHandler), nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want it to name %s", tc.cfg, err, tc.want)
		}
	}
}
