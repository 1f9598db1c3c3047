package config

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestDefaultsAreTheEmbeddedMode(t *testing.T) {
	cfg, err := Load(nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPAddr != "127.0.0.1:8080" || cfg.TemporalAddress != "127.0.0.1:7233" || cfg.TemporalUIPort != 8233 ||
		cfg.DBDialect != "sqlite" || cfg.DBDSN != "data/datashare.db" || cfg.AuthMode != AuthDev ||
		cfg.TemporalNamespace != "default" || cfg.TemporalRetention != 720*time.Hour || cfg.PublicURL != "http://127.0.0.1:8080" {
		t.Fatalf("defaults = %+v", cfg)
	}
}

func TestEnvironmentThenFlagsOverride(t *testing.T) {
	cfg, err := Load(
		[]string{"--http-addr", "0.0.0.0:9090", "--temporal-namespace=prod"},
		[]string{"DATASHARE_HTTP_ADDR=127.0.0.1:1", "DATASHARE_DATA_DIR=/srv/ds", "TEMPORAL_NAMESPACE=env", "DATASHARE_DEMO_DATA=false"},
		map[string]string{"DATASHARE_DEMO_DATA": "true", "DATASHARE_LOG_LEVEL": "debug"},
	)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPAddr != "0.0.0.0:9090" || cfg.TemporalNamespace != "prod" {
		t.Fatalf("flags did not win: %+v", cfg)
	}
	if cfg.DataDir != "/srv/ds" || cfg.DBDSN != "/srv/ds/datashare.db" || cfg.DevKeyFile != "/srv/ds/dev-signing-key.pem" {
		t.Fatalf("derived paths = %q %q", cfg.DBDSN, cfg.DevKeyFile)
	}
	if cfg.DemoData || cfg.LogLevel != "debug" {
		t.Fatalf("environment must beat binary overrides, overrides beat defaults: demo=%v level=%s", cfg.DemoData, cfg.LogLevel)
	}
}

// TestWrongValuesNameTheVariable: every bad value stops the start with the variable's name.
func TestWrongValuesNameTheVariable(t *testing.T) {
	cases := map[string][]string{
		"DATASHARE_HTTP_ADDR":              {"DATASHARE_HTTP_ADDR=8080"},
		"TEMPORAL_ADDRESS":                 {"TEMPORAL_ADDRESS=localhost:99999"},
		"DATASHARE_DB_DIALECT":             {"DATASHARE_DB_DIALECT=postgres"},
		"DATASHARE_DB_DSN":                 {"DATASHARE_DB_DIALECT=mysql"},
		"DATASHARE_PROFILE":                {"DATASHARE_PROFILE=beijing"},
		"DATASHARE_AUDIT_RETENTION_MONTHS": {"DATASHARE_AUDIT_RETENTION_MONTHS=3"},
		"DATASHARE_AUTH_MODE":              {"DATASHARE_AUTH_MODE=none"},
		"DATASHARE_OIDC_ISSUER":            {"DATASHARE_AUTH_MODE=oidc", "DATASHARE_OIDC_AUDIENCE=x"},
		"DATASHARE_OIDC_AUDIENCE":          {"DATASHARE_AUTH_MODE=oidc", "DATASHARE_OIDC_ISSUER=https://sso.example.gov.cn"},
		"DATASHARE_PRINCIPAL_SOURCE":       {"DATASHARE_PRINCIPAL_SOURCE=ldap"},
		"DATASHARE_MAX_BODY_BYTES":         {"DATASHARE_MAX_BODY_BYTES=abc"},
		"DATASHARE_TEMPORAL_UI_PORT":       {"DATASHARE_TEMPORAL_UI_PORT=70000"},
		"DATASHARE_TEMPORAL_RETENTION":     {"DATASHARE_TEMPORAL_RETENTION=1h"},
		"DATASHARE_SHUTDOWN_TIMEOUT":       {"DATASHARE_SHUTDOWN_TIMEOUT=soon"},
		"DATASHARE_LOG_LEVEL":              {"DATASHARE_LOG_LEVEL=loud"},
		"DATASHARE_LOG_FORMAT":             {"DATASHARE_LOG_FORMAT=xml"},
		"TEMPORAL_TLS_CERT":                {"TEMPORAL_TLS_CERT=/nonexistent/cert.pem"},
		"DATASHARE_DEMO_DATA":              {"DATASHARE_DEMO_DATA=maybe"},
		"DATASHARE_LOCAL_DEFAULT_WORKDAYS": {"DATASHARE_LOCAL_DEFAULT_WORKDAYS=0"},
		"DATASHARE_CALENDAR_REFRESH":       {"DATASHARE_CALENDAR_REFRESH=2h"},
		"DATASHARE_POLICY_FILE":            {"DATASHARE_POLICY_FILE=/nonexistent/profile.yaml"},
		"DATASHARE_OIDC_CLIENT_ID":         {"DATASHARE_OIDC_CLIENT_ID=console"},
		"DATASHARE_OIDC_CLIENT_SECRET":     {"DATASHARE_OIDC_CLIENT_SECRET=s3cret"},
		"DATASHARE_OIDC_REDIRECT_URL":      {"DATASHARE_AUTH_MODE=oidc", "DATASHARE_OIDC_ISSUER=https://sso.example.gov.cn", "DATASHARE_OIDC_AUDIENCE=x", "DATASHARE_OIDC_CLIENT_ID=console", "DATASHARE_OIDC_REDIRECT_URL=/console/auth/callback"},
		"DATASHARE_OIDC_SCOPES":            {"DATASHARE_AUTH_MODE=oidc", "DATASHARE_OIDC_ISSUER=https://sso.example.gov.cn", "DATASHARE_OIDC_AUDIENCE=x", "DATASHARE_OIDC_CLIENT_ID=console", "DATASHARE_OIDC_SCOPES=profile email"},
	}
	for name, env := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Load(nil, env, nil)
			if err == nil {
				t.Fatalf("%v accepted", env)
			}
			if !strings.Contains(err.Error(), name) {
				t.Fatalf("error does not name %s: %v", name, err)
			}
		})
	}
}

func TestUnknownFlagIsRefused(t *testing.T) {
	if _, err := Load([]string{"--no-such-flag=1"}, nil, nil); err == nil || !strings.Contains(err.Error(), "no-such-flag") {
		t.Fatalf("err = %v", err)
	}
}

func TestTLSImpliedByCredentials(t *testing.T) {
	cfg, err := Load(nil, []string{"TEMPORAL_API_KEY=k"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.TemporalTLS {
		t.Fatal("an API key must imply TLS")
	}
}

func TestVarsListEveryField(t *testing.T) {
	vars := Vars()
	seen := map[string]bool{}
	for _, v := range vars {
		if v.Usage == "" {
			t.Errorf("%s has no usage text", v.Env)
		}
		if seen[v.Flag] {
			t.Errorf("flag %s twice", v.Flag)
		}
		seen[v.Flag] = true
	}
	if !seen["http-addr"] || !seen["temporal-address"] {
		t.Fatalf("flags = %v", seen)
	}
}

// TestDocsListEveryVariable keeps the configuration table in docs/configuration.md complete.
func TestDocsListEveryVariable(t *testing.T) {
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatalf("docs/configuration.md: %v", err)
	}
	for _, v := range Vars() {
		if !strings.Contains(string(doc), "`"+v.Env+"`") {
			t.Errorf("docs/configuration.md does not list %s", v.Env)
		}
	}
}

// A retention of the audit log below six months stops the start, naming the variable and the
// article that sets the floor.
func TestAuditRetentionFloor(t *testing.T) {
	_, err := FromOS(nil, map[string]string{"DATASHARE_AUDIT_RETENTION_MONTHS": "5"})
	if err == nil || !strings.Contains(err.Error(), "DATASHARE_AUDIT_RETENTION_MONTHS") || !strings.Contains(err.Error(), "第三十三条") {
		t.Fatalf("err = %v", err)
	}
	cfg, err := FromOS(nil, map[string]string{"DATASHARE_AUDIT_RETENTION_MONTHS": "6"})
	if err != nil || cfg.AuditRetentionMonths != 6 {
		t.Fatalf("six months: %+v, %v", cfg.AuditRetentionMonths, err)
	}
}

// The console's OIDC client needs only its id: the redirect URI follows DATASHARE_PUBLIC_URL and
// the scopes default to the standard ones; the issuer is required, a JWKS URL is not enough.
func TestConsoleSignInDefaults(t *testing.T) {
	env := []string{"DATASHARE_AUTH_MODE=oidc", "DATASHARE_OIDC_ISSUER=https://sso.example.gov.cn", "DATASHARE_OIDC_AUDIENCE=console",
		"DATASHARE_OIDC_CLIENT_ID=console", "DATASHARE_PUBLIC_URL=https://datashare.example.gov.cn/"}
	cfg, err := Load(nil, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OIDCRedirectURL != "https://datashare.example.gov.cn/console/auth/callback" {
		t.Fatalf("redirect URL = %q", cfg.OIDCRedirectURL)
	}
	if got := cfg.OIDCScopeList(); strings.Join(got, " ") != "openid profile email" {
		t.Fatalf("scopes = %q", got)
	}
	if cfg.OIDCClientSecret != "" {
		t.Fatal("a public client has no secret")
	}
	_, err = Load(nil, []string{"DATASHARE_AUTH_MODE=oidc", "DATASHARE_OIDC_JWKS_URL=https://sso.example.gov.cn/keys", "DATASHARE_OIDC_AUDIENCE=console", "DATASHARE_OIDC_CLIENT_ID=console"}, nil)
	if err == nil || !strings.Contains(err.Error(), "DATASHARE_OIDC_ISSUER") {
		t.Fatalf("console sign-in without an issuer: err = %v", err)
	}
}
