// Package config loads datashare's one typed configuration from environment variables and
// command-line flags, with defaults for the embedded mode, and validates it at start.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
)

// Auth modes.
const (
	// AuthDev signs and verifies tokens with a key generated into the data folder (embedded mode).
	AuthDev = "dev"
	// AuthOIDC verifies tokens against an OIDC issuer's JWKS (government unified identity).
	AuthOIDC = "oidc"
)

// Principal sources: where department and roles of a verified token come from.
const (
	PrincipalFromClaims = "claims"
	PrincipalFromUsers  = "users"
)

// Database dialects.
const (
	DialectSQLite = "sqlite"
	DialectMySQL  = "mysql"
)

// Jurisdictions are the shipped jurisdiction profiles (docs/regulations.md).
var Jurisdictions = []string{"ningxia", "wuhai", "liaoning", "neixiang", "national"}

// Config is every setting of every datashare process. Each field names its variable; the flag of
// a variable is its name in lower case without the DATASHARE_ prefix, with dashes
// (DATASHARE_HTTP_ADDR → --http-addr, TEMPORAL_ADDRESS → --temporal-address).
type Config struct {
	// HTTPAddr is where the API listens.
	HTTPAddr string `env:"DATASHARE_HTTP_ADDR" envDefault:"127.0.0.1:8080" usage:"API listen address (host:port)"`
	// PublicURL is how users reach the API; only printed and used in links.
	PublicURL string `env:"DATASHARE_PUBLIC_URL" usage:"external URL of the API (default: http://DATASHARE_HTTP_ADDR)"`
	// DataDir holds the embedded mode's files: SQLite databases, the dev signing key.
	DataDir string `env:"DATASHARE_DATA_DIR" envDefault:"./data" usage:"folder for embedded-mode data"`

	DBDialect string `env:"DATASHARE_DB_DIALECT" envDefault:"sqlite" usage:"application database: sqlite or mysql"`
	DBDSN     string `env:"DATASHARE_DB_DSN" usage:"database DSN (sqlite: file path, default DATA_DIR/datashare.db; mysql: user:pass@tcp(host:3306)/db)"`

	// Profile selects the jurisdiction profile in force (docs/regulations.md).
	Profile string `env:"DATASHARE_PROFILE" envDefault:"ningxia" usage:"jurisdiction profile: ningxia, wuhai, liaoning, neixiang or national (the 政务数据共享条例 alone)"`
	// PolicyFile replaces the embedded profile with a deployment's own (YAML, same schema).
	PolicyFile string `env:"DATASHARE_POLICY_FILE" usage:"a jurisdiction profile file (YAML) to use instead of the embedded one"`
	// RefusalReasonsFile replaces the profile's refusal reason catalogue (YAML: refusal_reasons).
	RefusalReasonsFile string `env:"DATASHARE_REFUSAL_REASONS_FILE" usage:"a refusal reason catalogue (YAML, key refusal_reasons) to use instead of the profile's"`
	// LocalDefaultWorkdays fills deadlines where a regulation sets none; shown as a local default, never as law.
	LocalDefaultWorkdays int `env:"DATASHARE_LOCAL_DEFAULT_WORKDAYS" envDefault:"10" usage:"deadline in working days where the regulation sets none (shown as local default)"`
	// CalendarRefresh bounds how long an admin's calendar edit takes to reach other processes.
	CalendarRefresh time.Duration `env:"DATASHARE_CALENDAR_REFRESH" envDefault:"5s" usage:"how often a process checks the database for calendar edits"`

	TemporalAddress       string `env:"TEMPORAL_ADDRESS" envDefault:"127.0.0.1:7233" usage:"Temporal frontend host:port (embedded mode: where the in-process server listens)"`
	TemporalNamespace     string `env:"TEMPORAL_NAMESPACE" envDefault:"default" usage:"Temporal namespace"`
	TemporalTaskQueue     string `env:"DATASHARE_TASK_QUEUE" envDefault:"datashare" usage:"Temporal task queue of the worker"`
	TemporalTLS           bool   `env:"TEMPORAL_TLS" usage:"use TLS to reach Temporal (implied by a client certificate or an API key)"`
	TemporalTLSCert       string `env:"TEMPORAL_TLS_CERT" usage:"client certificate file (PEM) for mTLS"`
	TemporalTLSKey        string `env:"TEMPORAL_TLS_KEY" usage:"client key file (PEM) for mTLS"`
	TemporalTLSCA         string `env:"TEMPORAL_TLS_CA" usage:"CA certificate file (PEM) to verify the server"`
	TemporalTLSServerName string `env:"TEMPORAL_TLS_SERVER_NAME" usage:"server name expected in the server's certificate"`
	TemporalAPIKey        string `env:"TEMPORAL_API_KEY" usage:"API key for Temporal Cloud or a proxy that checks keys"`

	TemporalUIPort int `env:"DATASHARE_TEMPORAL_UI_PORT" envDefault:"8233" usage:"embedded mode: Temporal Web UI port (0 disables the UI)"`
	// TemporalUIURL is where the web console links administrators to a case's workflow.
	TemporalUIURL     string        `env:"DATASHARE_TEMPORAL_UI_URL" usage:"Temporal Web UI base URL the console links admins to, e.g. https://temporal.example.gov.cn (embedded mode: its own UI); empty hides the links"`
	TemporalRetention time.Duration `env:"DATASHARE_TEMPORAL_RETENTION" envDefault:"720h" usage:"retention of closed workflows in the namespace: set by the embedded mode and by temporal-setup"`

	AuthMode        string `env:"DATASHARE_AUTH_MODE" envDefault:"dev" usage:"token verification: dev (generated key, demo tokens) or oidc"`
	PrincipalSource string `env:"DATASHARE_PRINCIPAL_SOURCE" envDefault:"claims" usage:"department and roles from token claims or from the users table: claims or users"`
	DevKeyFile      string `env:"DATASHARE_DEV_KEY_FILE" usage:"dev mode: Ed25519 signing key (PEM), generated if missing (default DATA_DIR/dev-signing-key.pem)"`
	// ConsoleKeyFile seals the web console's session cookies; every API process behind one
	// load balancer must read the same key.
	ConsoleKeyFile string `env:"DATASHARE_CONSOLE_KEY_FILE" usage:"web console: AES-256 key (base64) that encrypts and authenticates session cookies, generated if missing (default DATA_DIR/console-session-key); share it between API processes"`
	OIDCIssuer     string `env:"DATASHARE_OIDC_ISSUER" usage:"oidc mode: issuer URL (discovery document at ISSUER/.well-known/openid-configuration)"`
	OIDCAudience   string `env:"DATASHARE_OIDC_AUDIENCE" usage:"oidc mode: expected audience (client id)"`
	OIDCJWKSURL    string `env:"DATASHARE_OIDC_JWKS_URL" usage:"oidc mode: JWKS URL, for issuers without discovery"`
	OIDCDeptClaim  string `env:"DATASHARE_OIDC_DEPT_CLAIM" envDefault:"dept" usage:"claim holding the department id"`
	OIDCRolesClaim string `env:"DATASHARE_OIDC_ROLES_CLAIM" envDefault:"roles" usage:"claim holding the roles (array or space/comma separated)"`
	OIDCNameClaim  string `env:"DATASHARE_OIDC_NAME_CLAIM" envDefault:"name" usage:"claim holding the display name"`

	// OIDCClientID turns on sign-in to the web console through the issuer (authorization code
	// flow with PKCE); without it the console offers no OIDC sign-in and the API is unaffected.
	OIDCClientID string `env:"DATASHARE_OIDC_CLIENT_ID" usage:"web console sign-in: client id registered at the issuer (authorization code flow with PKCE); empty: no console sign-in through the issuer"`
	// OIDCClientSecret is for a confidential client; a public client relies on PKCE alone.
	OIDCClientSecret string `env:"DATASHARE_OIDC_CLIENT_SECRET" usage:"web console sign-in: client secret of a confidential client; empty for a public client (PKCE alone)"`
	// OIDCRedirectURL must be registered at the issuer exactly as the browser reaches it.
	OIDCRedirectURL string `env:"DATASHARE_OIDC_REDIRECT_URL" usage:"web console sign-in: redirect URI registered for the client (default: DATASHARE_PUBLIC_URL/console/auth/callback)"`
	OIDCScopes      string `env:"DATASHARE_OIDC_SCOPES" envDefault:"openid profile email" usage:"web console sign-in: scopes requested, separated by spaces; must include openid"`

	// MetricsTokenFile holds the bearer token /metrics asks for; without it /metrics is open
	// and its port must stay inside the cluster.
	MetricsTokenFile string `env:"DATASHARE_METRICS_TOKEN_FILE" usage:"file holding the bearer token that /metrics requires (a mounted secret); empty: /metrics answers anyone who reaches the port"`

	// WorkflowCacheSize bounds the workflows a worker keeps in memory between their tasks; one
	// evicted is replayed from its history at its next task.
	WorkflowCacheSize int `env:"DATASHARE_WORKFLOW_CACHE_SIZE" envDefault:"1000" usage:"workflows a worker keeps in memory between their tasks (sticky cache); an evicted one is replayed from its history at its next task"`

	MaxBodyBytes    int64         `env:"DATASHARE_MAX_BODY_BYTES" envDefault:"1048576" usage:"largest accepted request body in bytes"`
	ShutdownTimeout time.Duration `env:"DATASHARE_SHUTDOWN_TIMEOUT" envDefault:"20s" usage:"how long a stop waits for requests and activities to finish"`
	// AuditRetentionMonths is how long the audit log is kept: never below six months (内乡
	// 第三十三条), nor below the profile's floor, which the start checks (政务数据共享条例 第二十九条
	// 第二款: 3 years since 2025-08-01).
	AuditRetentionMonths int `env:"DATASHARE_AUDIT_RETENTION_MONTHS" envDefault:"36" usage:"months the audit log is kept before the nightly purge; at least the profile's floor: 36 under 政务数据共享条例 第二十九条第二款 (6 before it, 内乡 第三十三条)"`
	// IdempotencyRetention is how long the answer to an Idempotency-Key is kept for retries.
	IdempotencyRetention time.Duration `env:"DATASHARE_IDEMPOTENCY_RETENTION" envDefault:"24h" usage:"how long answers to Idempotency-Key requests are kept for retries"`
	LogLevel             string        `env:"DATASHARE_LOG_LEVEL" envDefault:"info" usage:"debug, info, warn or error"`
	LogFormat            string        `env:"DATASHARE_LOG_FORMAT" envDefault:"text" usage:"text or json"`
	DemoData             bool          `env:"DATASHARE_DEMO_DATA" envDefault:"false" usage:"create demo departments, users and catalog on start (embedded mode turns it on)"`
}

// Var describes one configuration variable, for help texts and the table in docs/configuration.md.
type Var struct {
	Env     string
	Flag    string
	Default string
	Usage   string
}

// Vars lists every variable of Config in declaration order.
func Vars() []Var {
	t := reflect.TypeOf(Config{})
	vars := make([]Var, 0, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := f.Tag.Get("env")
		if name == "" {
			continue
		}
		vars = append(vars, Var{Env: name, Flag: flagName(name), Default: f.Tag.Get("envDefault"), Usage: f.Tag.Get("usage")})
	}
	return vars
}

func flagName(envName string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(envName, "DATASHARE_")), "_", "-")
}

// Load reads the configuration: defaults, overridden by the environment, overridden by flags in
// args. overrides (may be nil) replace built-in defaults before the environment is read, so a
// binary can choose its own (the embedded mode turns demo data on). The result is validated;
// an error names the variable at fault.
func Load(args []string, environ []string, overrides map[string]string) (Config, error) {
	envMap := make(map[string]string, len(environ))
	for k, v := range overrides {
		envMap[k] = v
	}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			envMap[k] = v
		}
	}
	fs := flag.NewFlagSet("datashare", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	flagVals := map[string]*string{}
	for _, v := range Vars() {
		flagVals[v.Env] = fs.String(v.Flag, "", v.Usage)
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, fmt.Errorf("flags: %w", err)
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	fs.Visit(func(f *flag.Flag) {
		for env, p := range flagVals {
			if flagName(env) == f.Name {
				envMap[env] = *p
			}
		}
	})

	var cfg Config
	if err := env.ParseWithOptions(&cfg, env.Options{Environment: envMap}); err != nil {
		return Config{}, describeParseError(err)
	}
	cfg.applyDerivedDefaults()
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// FromOS loads the configuration from the process environment and the given flags.
func FromOS(args []string, overrides map[string]string) (Config, error) {
	return Load(args, os.Environ(), overrides)
}

// describeParseError rewrites the env library's field-named errors to name the variable.
func describeParseError(err error) error {
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return err
	}
	t := reflect.TypeOf(Config{})
	msgs := make([]string, 0, len(agg.Errors))
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) {
			if f, ok := t.FieldByName(pe.Name); ok {
				msgs = append(msgs, fmt.Sprintf("%s: not a valid %s: %v", f.Tag.Get("env"), pe.Type, unwrapParse(pe.Err)))
				continue
			}
		}
		msgs = append(msgs, e.Error())
	}
	sort.Strings(msgs)
	return errors.New(strings.Join(msgs, "; "))
}

func unwrapParse(err error) error {
	var ne *strconv.NumError
	if errors.As(err, &ne) {
		return fmt.Errorf("%q", ne.Num)
	}
	return err
}

func (c *Config) applyDerivedDefaults() {
	if c.DBDSN == "" && c.DBDialect == DialectSQLite {
		c.DBDSN = filepath.Join(c.DataDir, "datashare.db")
	}
	if c.DevKeyFile == "" {
		c.DevKeyFile = filepath.Join(c.DataDir, "dev-signing-key.pem")
	}
	if c.ConsoleKeyFile == "" {
		c.ConsoleKeyFile = filepath.Join(c.DataDir, "console-session-key")
	}
	c.TemporalUIURL = strings.TrimRight(c.TemporalUIURL, "/")
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.HTTPAddr
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.OIDCRedirectURL == "" {
		c.OIDCRedirectURL = c.PublicURL + "/console/auth/callback"
	}
	if c.TemporalTLSCert != "" || c.TemporalAPIKey != "" || c.TemporalTLSCA != "" {
		c.TemporalTLS = true
	}
}

// Validate checks every value and reports all problems at once, each naming its variable.
func (c Config) Validate() error {
	var errs []string
	bad := func(env, format string, args ...any) {
		errs = append(errs, env+": "+fmt.Sprintf(format, args...))
	}
	if err := checkHostPort(c.HTTPAddr); err != nil {
		bad("DATASHARE_HTTP_ADDR", "%v", err)
	}
	if err := checkHostPort(c.TemporalAddress); err != nil {
		bad("TEMPORAL_ADDRESS", "%v", err)
	}
	if c.DataDir == "" {
		bad("DATASHARE_DATA_DIR", "must not be empty")
	}
	switch c.DBDialect {
	case DialectSQLite:
	case DialectMySQL:
		if c.DBDSN == "" {
			bad("DATASHARE_DB_DSN", "required when DATASHARE_DB_DIALECT=mysql")
		}
	default:
		bad("DATASHARE_DB_DIALECT", "must be sqlite or mysql, got %q", c.DBDialect)
	}
	// A deployment's own profile file names its own jurisdiction.
	if c.PolicyFile == "" && !slices.Contains(Jurisdictions, c.Profile) {
		bad("DATASHARE_PROFILE", "must be one of %s, got %q", strings.Join(Jurisdictions, ", "), c.Profile)
	}
	if c.LocalDefaultWorkdays < 1 || c.LocalDefaultWorkdays > 365 {
		bad("DATASHARE_LOCAL_DEFAULT_WORKDAYS", "must be 1-365, got %d", c.LocalDefaultWorkdays)
	}
	if c.CalendarRefresh < 0 || c.CalendarRefresh > time.Hour {
		bad("DATASHARE_CALENDAR_REFRESH", "must be between 0 and 1h, got %s", c.CalendarRefresh)
	}
	if c.PolicyFile != "" {
		if _, err := os.Stat(c.PolicyFile); err != nil {
			bad("DATASHARE_POLICY_FILE", "cannot read %q: %v", c.PolicyFile, errors.Unwrap(err))
		}
	}
	if c.RefusalReasonsFile != "" {
		if _, err := os.Stat(c.RefusalReasonsFile); err != nil {
			bad("DATASHARE_REFUSAL_REASONS_FILE", "cannot read %q: %v", c.RefusalReasonsFile, errors.Unwrap(err))
		}
	}
	if c.TemporalNamespace == "" {
		bad("TEMPORAL_NAMESPACE", "must not be empty")
	}
	if c.TemporalTaskQueue == "" {
		bad("DATASHARE_TASK_QUEUE", "must not be empty")
	}
	if (c.TemporalTLSCert == "") != (c.TemporalTLSKey == "") {
		bad("TEMPORAL_TLS_CERT", "TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY must be set together")
	}
	for env, path := range map[string]string{"TEMPORAL_TLS_CERT": c.TemporalTLSCert, "TEMPORAL_TLS_KEY": c.TemporalTLSKey, "TEMPORAL_TLS_CA": c.TemporalTLSCA} {
		if path == "" {
			continue
		}
		if _, err := os.Stat(path); err != nil {
			bad(env, "cannot read %q: %v", path, errors.Unwrap(err))
		}
	}
	if c.TemporalUIPort < 0 || c.TemporalUIPort > 65535 {
		bad("DATASHARE_TEMPORAL_UI_PORT", "must be a port number (0 disables), got %d", c.TemporalUIPort)
	}
	if c.TemporalUIURL != "" {
		if u, err := url.Parse(c.TemporalUIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("DATASHARE_TEMPORAL_UI_URL", "must be an http or https URL, got %q", c.TemporalUIURL)
		}
	}
	if c.TemporalRetention < 24*time.Hour {
		bad("DATASHARE_TEMPORAL_RETENTION", "must be at least 24h, got %s", c.TemporalRetention)
	}
	switch c.AuthMode {
	case AuthDev:
	case AuthOIDC:
		if c.OIDCIssuer == "" && c.OIDCJWKSURL == "" {
			bad("DATASHARE_OIDC_ISSUER", "required when DATASHARE_AUTH_MODE=oidc (or set DATASHARE_OIDC_JWKS_URL)")
		}
		if c.OIDCAudience == "" {
			bad("DATASHARE_OIDC_AUDIENCE", "required when DATASHARE_AUTH_MODE=oidc")
		}
	default:
		bad("DATASHARE_AUTH_MODE", "must be dev or oidc, got %q", c.AuthMode)
	}
	c.validateConsoleSignIn(bad)
	switch c.PrincipalSource {
	case PrincipalFromClaims, PrincipalFromUsers:
	default:
		bad("DATASHARE_PRINCIPAL_SOURCE", "must be claims or users, got %q", c.PrincipalSource)
	}
	if c.MaxBodyBytes < 1024 || c.MaxBodyBytes > 64<<20 {
		bad("DATASHARE_MAX_BODY_BYTES", "must be between 1024 and 67108864, got %d", c.MaxBodyBytes)
	}
	switch {
	case c.AuditRetentionMonths < 6:
		bad("DATASHARE_AUDIT_RETENTION_MONTHS", "must be at least 6: 内乡 第三十三条 requires logs of data provided and obtained to be kept at least six months; got %d", c.AuditRetentionMonths)
	case c.AuditRetentionMonths > 1200:
		bad("DATASHARE_AUDIT_RETENTION_MONTHS", "must be at most 1200 (100 years), got %d", c.AuditRetentionMonths)
	}
	if c.IdempotencyRetention < time.Hour || c.IdempotencyRetention > 30*24*time.Hour {
		bad("DATASHARE_IDEMPOTENCY_RETENTION", "must be between 1h and 720h, got %s", c.IdempotencyRetention)
	}
	if c.ShutdownTimeout <= 0 {
		bad("DATASHARE_SHUTDOWN_TIMEOUT", "must be positive, got %s", c.ShutdownTimeout)
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.LogLevel) {
		bad("DATASHARE_LOG_LEVEL", "must be debug, info, warn or error, got %q", c.LogLevel)
	}
	if !slices.Contains([]string{"text", "json"}, c.LogFormat) {
		bad("DATASHARE_LOG_FORMAT", "must be text or json, got %q", c.LogFormat)
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return errors.New("invalid configuration: " + strings.Join(errs, "; "))
	}
	return nil
}

// validateConsoleSignIn checks the web console's OIDC client settings, which matter only once
// DATASHARE_OIDC_CLIENT_ID is set.
func (c Config) validateConsoleSignIn(bad func(env, format string, args ...any)) {
	if c.OIDCClientID == "" {
		if c.OIDCClientSecret != "" {
			bad("DATASHARE_OIDC_CLIENT_SECRET", "set without DATASHARE_OIDC_CLIENT_ID")
		}
		return
	}
	// The console hands the issuer's token to the API as its bearer token: only an API that
	// verifies the issuer's tokens accepts it, and the console needs discovery for the
	// authorization and token endpoints (a JWKS URL alone does not give them).
	if c.AuthMode != AuthOIDC {
		bad("DATASHARE_OIDC_CLIENT_ID", "console sign-in through the issuer needs DATASHARE_AUTH_MODE=oidc, got %q", c.AuthMode)
	}
	if c.OIDCIssuer == "" {
		bad("DATASHARE_OIDC_ISSUER", "required when DATASHARE_OIDC_CLIENT_ID is set (discovery gives the console its authorization and token endpoints)")
	}
	if u, err := url.Parse(c.OIDCRedirectURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
		bad("DATASHARE_OIDC_REDIRECT_URL", "must be an absolute http or https URL without fragment (default DATASHARE_PUBLIC_URL/console/auth/callback), got %q", c.OIDCRedirectURL)
	}
	if !slices.Contains(c.OIDCScopeList(), "openid") {
		bad("DATASHARE_OIDC_SCOPES", "must include openid, got %q", c.OIDCScopes)
	}
}

// OIDCScopeList splits DATASHARE_OIDC_SCOPES at spaces (commas are taken too).
func (c Config) OIDCScopeList() []string {
	return strings.FieldsFunc(c.OIDCScopes, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
}

// TemporalHostPort splits TEMPORAL_ADDRESS for the embedded server.
func (c Config) TemporalHostPort() (string, int) {
	host, port, _ := net.SplitHostPort(c.TemporalAddress)
	p, _ := strconv.Atoi(port)
	return host, p
}

func checkHostPort(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("must be host:port, got %q", addr)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return fmt.Errorf("port must be 1-65535, got %q", port)
	}
	return nil
}
