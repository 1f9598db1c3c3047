package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/config"
)

// The banner tells how the temporal CLI reaches the embedded server: unconfigured only on the
// CLI's own defaults, else with the --address (and --namespace) the start was given.
func TestBannerNamesTheTemporalCLIsAddress(t *testing.T) {
	for _, tc := range []struct {
		addr, namespace string
		want, not       string
	}{
		{"127.0.0.1:7233", "default", "works unconfigured", "--address"},
		{"localhost:7233", "default", "works unconfigured", "--address"},
		{"0.0.0.0:7233", "default", "works unconfigured", "--address"},
		{"127.0.0.1:17233", "default", "temporal workflow list --address 127.0.0.1:17233", "unconfigured"},
		{"0.0.0.0:17233", "default", "--address 127.0.0.1:17233", "unconfigured"},
		{"10.0.0.5:7233", "default", "--address 10.0.0.5:7233", "unconfigured"},
		{"127.0.0.1:7233", "datashare", "temporal workflow list --namespace datashare", "--address"},
		{"127.0.0.1:17233", "datashare", "--address 127.0.0.1:17233 --namespace datashare", "unconfigured"},
	} {
		got := temporalCLIHint(tc.addr, tc.namespace)
		if !strings.Contains(got, tc.want) || strings.Contains(got, tc.not) {
			t.Errorf("%s %s: %q, want %q without %q", tc.addr, tc.namespace, got, tc.want, tc.not)
		}
	}

	// The banner of a start on a moved port, and the tokens it writes.
	cfg := config.Config{PublicURL: "http://127.0.0.1:9080", TemporalNamespace: "default", DataDir: t.TempDir()}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := printBanner(&out, cfg, "ningxia", true, "http://127.0.0.1:18233", "127.0.0.1:17233", auth.NewDevSigner(key)); err != nil {
		t.Fatal(err)
	}
	b := out.String()
	for _, want := range []string{"Temporal UI  http://127.0.0.1:18233", "Temporal     127.0.0.1:17233  namespace default",
		"temporal workflow list --address 127.0.0.1:17233", "http://127.0.0.1:9080/console/", "demo-applicant"} {
		if !strings.Contains(b, want) {
			t.Errorf("banner lacks %q:\n%s", want, b)
		}
	}
	if strings.Contains(b, "unconfigured") {
		t.Errorf("banner says the CLI works unconfigured on a moved port:\n%s", b)
	}
	env, err := os.ReadFile(filepath.Join(cfg.DataDir, "demo-tokens.env"))
	if err != nil || !strings.Contains(string(env), "TOKEN_APPLICANT=") {
		t.Errorf("demo-tokens.env: %v\n%s", err, env)
	}
}
