package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.temporal.io/sdk/client"
	"gorm.io/gorm"

	"github.com/datashare/datashare/api"
	"github.com/datashare/datashare/console"
	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/calendar"
	"github.com/datashare/datashare/internal/calsource"
	"github.com/datashare/datashare/internal/config"
	"github.com/datashare/datashare/internal/policy"
	"github.com/datashare/datashare/internal/temporalx"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/worker"
	"github.com/datashare/datashare/workflows/contract"
)

func sortedCommandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// openDB opens the application database. The API and the worker refuse to run on a schema
// with pending migrations (production applies them with `datashare migrate up`, never by
// AutoMigrate); the embedded mode migrates itself first.
func openDB(ctx context.Context, cfg config.Config, log *slog.Logger, migrate bool) (*gorm.DB, error) {
	db, err := models.Open(ctx, cfg.DBDialect, cfg.DBDSN, models.WithLogger(log))
	if err != nil {
		return nil, fmt.Errorf("DATASHARE_DB_DSN: %w", err)
	}
	if migrate {
		if err := models.Migrate(ctx, db, cfg.DBDialect, models.WithLogger(log)); err != nil {
			_ = models.Close(db)
			return nil, err
		}
		return db, nil
	}
	states, err := models.MigrationStatus(ctx, db, cfg.DBDialect)
	if err != nil {
		_ = models.Close(db)
		return nil, err
	}
	for _, s := range states {
		if !s.Applied {
			_ = models.Close(db)
			return nil, fmt.Errorf("database schema is behind: migration %s is not applied; run `datashare migrate up`", s.Source)
		}
	}
	return db, nil
}

func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

func newTemporalClient(cfg config.Config, log *slog.Logger, reg prometheus.Registerer) (client.Client, io.Closer, error) {
	return temporalx.NewClient(temporalx.Config{
		Address: cfg.TemporalAddress, Namespace: cfg.TemporalNamespace, TLS: cfg.TemporalTLS,
		CertFile: cfg.TemporalTLSCert, KeyFile: cfg.TemporalTLSKey, CAFile: cfg.TemporalTLSCA,
		ServerName: cfg.TemporalTLSServerName, APIKey: cfg.TemporalAPIKey,
	}, log, reg)
}

// userDirectory reads principals from the users table (DATASHARE_PRINCIPAL_SOURCE=users).
type userDirectory struct{ store *models.Store }

func (d userDirectory) LookupPrincipal(ctx context.Context, subject string) (auth.Principal, error) {
	u, err := d.store.GetUser(ctx, subject)
	if errors.Is(err, models.ErrNotFound) {
		return auth.Principal{}, fmt.Errorf("%w: user %s is not registered", auth.ErrUnauthenticated, subject)
	}
	if err != nil {
		return auth.Principal{}, err
	}
	if !u.Active {
		return auth.Principal{}, fmt.Errorf("%w: user %s is deactivated", auth.ErrUnauthenticated, subject)
	}
	return principalOfUser(*u), nil
}

func principalOfUser(u models.User) auth.Principal {
	p := auth.Principal{Subject: u.ID, Name: u.Name}
	if u.DepartmentID != nil {
		p.DepartmentID = *u.DepartmentID
	}
	for _, r := range u.Roles {
		if role, ok := auth.ParseRole(r); ok {
			p.Roles = append(p.Roles, role)
		}
	}
	return p
}

func newVerifier(cfg config.Config, store *models.Store) (auth.Verifier, *auth.DevSigner, error) {
	var v auth.Verifier
	var signer *auth.DevSigner
	switch cfg.AuthMode {
	case config.AuthDev:
		s, err := auth.LoadOrCreateDevKey(cfg.DevKeyFile)
		if err != nil {
			return nil, nil, fmt.Errorf("DATASHARE_DEV_KEY_FILE: %w", err)
		}
		v, signer = s, s
	case config.AuthOIDC:
		v = auth.NewOIDCVerifier(auth.OIDCConfig{
			Issuer: cfg.OIDCIssuer, Audience: cfg.OIDCAudience, JWKSURL: cfg.OIDCJWKSURL,
			DeptClaim: cfg.OIDCDeptClaim, RolesClaim: cfg.OIDCRolesClaim, NameClaim: cfg.OIDCNameClaim,
		})
	}
	if cfg.PrincipalSource == config.PrincipalFromUsers {
		v = auth.FromDirectory(v, userDirectory{store: store})
	}
	return v, signer, nil
}

// apiServer builds the HTTP server of the API and of the web console under /console/, which
// calls the API in process. signer is the dev mode's token signer (nil in oidc mode): it lets
// the console's sign-in page sign a browser in as any active user.
func apiServer(ctx context.Context, cfg config.Config, log *slog.Logger, s *services, verifier auth.Verifier, signer *auth.DevSigner) (*http.Server, error) {
	db, tc := s.db, s.tc
	gin.SetMode(gin.ReleaseMode)
	store := models.NewStore(db)
	metricsTok, err := metricsToken(cfg)
	if err != nil {
		return nil, err
	}
	router, err := api.NewRouter(api.Deps{
		MetricsToken: metricsTok,
		Logger:       log,
		Verifier:     verifier,
		Catalog:      store,
		Departments:  store,
		Directory:    store,
		Idempotency:  store,
		Calendar:     s.cal,
		CalendarData: store,
		Policies:     s.policies,
		ActivePolicy: s.active.ID,
		Tasks:        store,
		Workflows:    tc,
		// Share requests: started, queried and read here; run by the worker on its queue.
		ShareRequests: store,
		Starter:       tc,
		Corrections:   store,
		TaskQueue:     cfg.TemporalTaskQueue,
		// Catalog updates (目录更新): likewise.
		CatalogUpdates: store,
		Audit:          store,
		AnnualReports:  store,
		Notifications:  store,
		// Rectification notices (限期整改): likewise.
		Rectifications: store,
		// Open-catalog corrections and interface requirements (内乡 第四十五条, 第十三条): likewise.
		OpenCatalogCorrections: store,
		InterfaceRequirements:  store,
		// Citizens' open-data requests (有条件开放申请): likewise.
		OpenData: store,
		// The authority's supervision board reads the task read model.
		Supervision: store,
		Checks: []api.Check{
			{Name: "database", Probe: func(ctx context.Context) error { return models.Ping(ctx, db) }},
			{Name: "temporal", Probe: func(ctx context.Context) error { return temporalx.CheckHealth(ctx, tc) }},
			// Stored calendar data that cannot be built: the last good calendar is in use.
			{Name: "calendar", Probe: s.cal.Healthy},
		},
		Registry:     s.reg,
		MaxBodyBytes: cfg.MaxBodyBytes,
		Version:      version,
	})
	if err != nil {
		return nil, err
	}
	handler, err := consoleHandler(ctx, cfg, log, store, router, signer, verifier)
	if err != nil {
		return nil, err
	}
	return &http.Server{
		Addr:              cfg.HTTPAddr,
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}, nil
}

// consoleHandler mounts the web console in front of the API: /console/… is the console,
// every other path the API as before.
func consoleHandler(ctx context.Context, cfg config.Config, log *slog.Logger, store *models.Store, router http.Handler, signer *auth.DevSigner, verifier auth.Verifier) (http.Handler, error) {
	key, err := console.LoadOrCreateKey(cfg.ConsoleKeyFile)
	if err != nil {
		return nil, fmt.Errorf("DATASHARE_CONSOLE_KEY_FILE: %w", err)
	}
	d := console.Deps{
		API: router, Key: key, Secure: strings.HasPrefix(cfg.PublicURL, "https://"),
		TemporalUIURL: cfg.TemporalUIURL, TemporalNamespace: cfg.TemporalNamespace, Logger: log,
	}
	if signer != nil {
		// Dev token mode: sign in as any active user of the users table, as `datashare token`
		// does on the command line.
		d.DevSign = func(ctx context.Context, id string, ttl time.Duration) (string, error) {
			u, err := store.GetUser(ctx, id)
			if err != nil {
				return "", err
			}
			if !u.Active {
				return "", fmt.Errorf("user %s is deactivated", id)
			}
			return signer.Sign(principalOfUser(*u), ttl)
		}
		d.DevUsers = func(ctx context.Context) ([]console.DevUser, error) {
			users, err := store.ListUsers(ctx, "")
			if err != nil {
				return nil, err
			}
			out := make([]console.DevUser, 0, len(users))
			for _, u := range users {
				if !u.Active {
					continue
				}
				du := console.DevUser{ID: u.ID, Name: u.Name, Roles: []string(u.Roles)}
				if u.DepartmentID != nil {
					du.DepartmentID = *u.DepartmentID
				}
				out = append(out, du)
			}
			return out, nil
		}
	}
	if cfg.OIDCClientID != "" {
		// Production sign-in: the identity provider's authorization-code flow with PKCE. The
		// API's own verifier (users table included) vets the token before a session is made,
		// so someone the provider knows but datashare does not is told at sign-in instead of
		// being sent round in circles.
		authn, err := console.NewOIDCAuthenticator(ctx, console.OIDCConfig{
			Issuer: cfg.OIDCIssuer, ClientID: cfg.OIDCClientID, ClientSecret: cfg.OIDCClientSecret,
			RedirectURL: cfg.OIDCRedirectURL, Scopes: cfg.OIDCScopeList(), Audience: cfg.OIDCAudience,
			Verifier: verifier,
		})
		if err != nil {
			return nil, fmt.Errorf("DATASHARE_OIDC_CLIENT_ID: %w", err)
		}
		d.Authenticator = authn
	}
	return console.New(d)
}

// serveHTTP listens first (so a taken port fails the start with its name), then serves until
// ctx ends and drains requests for at most the shutdown timeout.
func serveHTTP(ctx context.Context, srv *http.Server, timeout time.Duration, log *slog.Logger) (func() error, error) {
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return nil, fmt.Errorf("DATASHARE_HTTP_ADDR: listen on %s: %w", srv.Addr, err)
	}
	errc := make(chan error, 1)
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
		close(errc)
	}()
	log.Info("API listening", slog.String("addr", ln.Addr().String()))
	wait := func() error {
		select {
		case <-ctx.Done():
		case err := <-errc:
			return err
		}
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			return fmt.Errorf("stop API: %w", err)
		}
		return <-errc
	}
	return wait, nil
}

// services are what every long-running command shares: the database, the metrics registry
// and the Temporal client, opened in that order and closed in reverse.
type services struct {
	db      *gorm.DB
	reg     *prometheus.Registry
	tc      client.Client
	metrics io.Closer
	cal     *calsource.Source
	// policies are the resolved jurisdiction profiles; active is the one in force.
	policies []policy.Profile
	active   policy.Profile
}

// loadPolicies selects the deployment's jurisdiction profile (a malformed custom file stops the
// start with its name, line and path) and resolves every known profile with the local defaults.
func loadPolicies(cfg config.Config) (policy.Profile, []policy.Profile, error) {
	defaults := policy.LocalDefaults{Workdays: cfg.LocalDefaultWorkdays}
	active, err := policy.Select(cfg.Profile, cfg.PolicyFile, defaults)
	if err != nil {
		if cfg.PolicyFile != "" {
			return policy.Profile{}, nil, fmt.Errorf("DATASHARE_POLICY_FILE: %w", err)
		}
		return policy.Profile{}, nil, fmt.Errorf("DATASHARE_PROFILE: %w", err)
	}
	if cfg.RefusalReasonsFile != "" {
		if active, err = policy.LoadRefusalReasons(active, cfg.RefusalReasonsFile); err != nil {
			return policy.Profile{}, nil, fmt.Errorf("DATASHARE_REFUSAL_REASONS_FILE: %w", err)
		}
	}
	embedded, err := policy.Embedded()
	if err != nil {
		return policy.Profile{}, nil, err
	}
	all := make([]policy.Profile, 0, len(embedded)+1)
	for _, p := range embedded {
		if p.ID == active.ID {
			continue
		}
		r, err := p.Resolve(defaults)
		if err != nil {
			return policy.Profile{}, nil, err
		}
		all = append(all, r)
	}
	all = append(all, active)
	slices.SortFunc(all, func(a, b policy.Profile) int { return strings.Compare(a.ID, b.ID) })
	return active, all, nil
}

func openServices(ctx context.Context, cfg config.Config, log *slog.Logger, migrate bool) (*services, error) {
	active, policies, err := loadPolicies(cfg)
	if err != nil {
		return nil, err
	}
	log.Info("jurisdiction profile", slog.String("id", active.ID), slog.String("source", active.Source))
	if err := auditRetentionFloor(active, cfg.AuditRetentionMonths, time.Now()); err != nil {
		return nil, err
	}
	db, err := openDB(ctx, cfg, log, migrate)
	if err != nil {
		return nil, err
	}
	// The database is one jurisdiction's: an API or worker under another profile refuses to
	// start rather than serve its departments, catalog and procedures under the wrong rules.
	if err := models.ClaimProfile(ctx, db, active.ID); err != nil {
		_ = models.Close(db)
		return nil, fmt.Errorf("DATASHARE_PROFILE=%s: %w; start with the database's profile, or give this profile its own database", active.ID, err)
	}
	reg := newRegistry()
	tc, metrics, err := newTemporalClient(cfg, log, reg)
	if err != nil {
		_ = models.Close(db)
		return nil, err
	}
	cal, err := calsource.New(models.NewStore(db), cfg.CalendarRefresh, log, reg)
	if err != nil {
		tc.Close()
		_ = models.Close(db)
		return nil, err
	}
	// Warn in the log, now and daily, when next year's holiday schedule is missing.
	go cal.Watch(ctx, 24*time.Hour)
	return &services{db: db, reg: reg, tc: tc, metrics: metrics, cal: cal, policies: policies, active: active}, nil
}

func (s *services) Close() {
	s.tc.Close()
	_ = s.metrics.Close()
	_ = models.Close(s.db)
}

// serveAPI starts the API on the services and returns the function that waits for its end.
func serveAPI(ctx context.Context, cfg config.Config, log *slog.Logger, s *services) (wait func() error, signer *auth.DevSigner, err error) {
	verifier, signer, err := newVerifier(cfg, models.NewStore(s.db))
	if err != nil {
		return nil, nil, err
	}
	srv, err := apiServer(ctx, cfg, log, s, verifier, signer)
	if err != nil {
		return nil, nil, err
	}
	wait, err = serveHTTP(ctx, srv, cfg.ShutdownTimeout, log)
	if err == nil {
		go purgeIdempotencyKeys(ctx, cfg.IdempotencyRetention, log, models.NewStore(s.db))
	}
	return wait, signer, err
}

// purgeIdempotencyKeys deletes the answers to Idempotency-Keys past their retention, at start
// and then hourly, until ctx ends. Every API process runs it: a delete by age can repeat.
func purgeIdempotencyKeys(ctx context.Context, retention time.Duration, log *slog.Logger, st *models.Store) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		n, err := st.PurgeIdempotencyKeys(ctx, time.Now().Add(-retention))
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("purge Idempotency-Key answers", slog.Any("error", err))
		case n > 0:
			log.Info("purged Idempotency-Key answers past their retention", slog.Int64("keys", n), slog.Duration("retention", retention))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func runAPI(ctx context.Context, args []string) error {
	cfg, err := config.FromOS(args, nil)
	if err != nil {
		return err
	}
	log := newLogger(cfg, os.Stderr)
	s, err := openServices(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer s.Close()
	wait, _, err := serveAPI(ctx, cfg, log, s)
	if err != nil {
		return err
	}
	return wait()
}

func runWorker(ctx context.Context, args []string) error {
	cfg, err := config.FromOS(args, nil)
	if err != nil {
		return err
	}
	worker.SetWorkflowCacheSize(cfg.WorkflowCacheSize)
	log := newLogger(cfg, os.Stderr)
	s, err := openServices(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer s.Close()
	db, tc, reg := s.db, s.tc, s.reg
	// Registering search attributes needs operator rights a production namespace may not
	// grant; the cluster's operators can add them instead, so a refusal is only a warning.
	sactx, cancel := context.WithTimeout(ctx, 30*time.Second)
	if err := temporalx.EnsureSearchAttributes(sactx, tc, cfg.TemporalNamespace, contract.SearchAttributes()); err != nil {
		log.Warn("custom search attributes not ensured; add them with `temporal operator search-attribute create`", slog.Any("error", err))
	}
	cancel()
	// The worker's own /metrics and health endpoints for Prometheus and Kubernetes probes.
	metricsTok, err := metricsToken(cfg)
	if err != nil {
		return err
	}
	metricsSrv := &http.Server{Addr: cfg.HTTPAddr, Handler: workerHTTP(db, tc, reg, s.cal, metricsTok), ReadHeaderTimeout: 10 * time.Second}
	wait, err := serveHTTP(ctx, metricsSrv, cfg.ShutdownTimeout, log)
	if err != nil {
		return err
	}
	go calendarWatch(cfg, log, s).Run(ctx)
	werr := worker.Run(ctx, worker.Deps{Client: tc, TaskQueue: cfg.TemporalTaskQueue, DB: db, Logger: log, StopTimeout: cfg.ShutdownTimeout, Calendars: s.cal, Policy: s.active, AuditRetentionMonths: cfg.AuditRetentionMonths})
	return errors.Join(werr, wait())
}

func runMigrate(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "up" && args[0] != "status") {
		return errors.New("usage: datashare migrate up|status [flags]")
	}
	cfg, err := config.FromOS(args[1:], nil)
	if err != nil {
		return err
	}
	log := newLogger(cfg, os.Stderr)
	db, err := models.Open(ctx, cfg.DBDialect, cfg.DBDSN, models.WithLogger(log))
	if err != nil {
		return fmt.Errorf("DATASHARE_DB_DSN: %w", err)
	}
	defer models.Close(db)
	if args[0] == "up" {
		if err := models.Migrate(ctx, db, cfg.DBDialect, models.WithLogger(log)); err != nil {
			return err
		}
	}
	states, err := models.MigrationStatus(ctx, db, cfg.DBDialect)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tMIGRATION\tAPPLIED AT (UTC)")
	for _, s := range states {
		at := "pending"
		if s.Applied {
			at = s.AppliedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\n", s.Version, s.Source, at)
	}
	return tw.Flush()
}

func runToken(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	user := fs.String("user", "", "user id (subject) from the users table")
	ttl := fs.Duration("ttl", 30*24*time.Hour, "token lifetime")
	rest, err := ownFlags(fs, args, "user", "ttl")
	if err != nil {
		return err
	}
	if *user == "" {
		return errors.New("token: --user is required")
	}
	cfg, err := config.FromOS(rest, nil)
	if err != nil {
		return err
	}
	if cfg.AuthMode != config.AuthDev {
		return errors.New("token: only in DATASHARE_AUTH_MODE=dev; in oidc mode the identity provider issues tokens")
	}
	db, err := openDB(ctx, cfg, newLogger(cfg, os.Stderr), false)
	if err != nil {
		return err
	}
	defer models.Close(db)
	u, err := models.NewStore(db).GetUser(ctx, *user)
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	signer, err := auth.LoadOrCreateDevKey(cfg.DevKeyFile)
	if err != nil {
		return err
	}
	tok, err := signer.Sign(principalOfUser(*u), *ttl)
	if err != nil {
		return err
	}
	fmt.Println(tok)
	return nil
}

func runConfig(context.Context, []string) error {
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VARIABLE\tFLAG\tDEFAULT\tMEANING")
	for _, v := range config.Vars() {
		fmt.Fprintf(tw, "%s\t--%s\t%s\t%s\n", v.Env, v.Flag, v.Default, v.Usage)
	}
	return tw.Flush()
}

// calendarWatch makes running procedures recompute their deadlines after a calendar edit.
func calendarWatch(cfg config.Config, log *slog.Logger, s *services) worker.CalendarWatch {
	every := cfg.CalendarRefresh
	if every <= 0 {
		every = 5 * time.Second
	}
	return worker.CalendarWatch{
		Client: s.tc, Namespace: cfg.TemporalNamespace, TaskQueue: cfg.TemporalTaskQueue,
		Store: models.NewStore(s.db), Every: every, Logger: log,
		Behind: models.NewStore(s.db).OpenTasksOnOtherCalendar,
		// Another worker may hold the calendar from before the edit for up to its refresh
		// interval; the recomputation must not run on it.
		Settle: cfg.CalendarRefresh, Refresh: s.cal.Invalidate,
		Version: func(ctx context.Context) string {
			if c, err := s.cal.Calendar(ctx); err == nil {
				return c.Version()
			}
			return ""
		},
	}
}

// workerHTTP serves the worker's /healthz, /readyz and /metrics.
func workerHTTP(db *gorm.DB, tc client.Client, reg *prometheus.Registry, cal *calsource.Source, metricsTok string) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	checks := []api.Check{
		{Name: "database", Probe: func(ctx context.Context) error { return models.Ping(ctx, db) }},
		{Name: "temporal", Probe: func(ctx context.Context) error { return temporalx.CheckHealth(ctx, tc) }},
		{Name: "calendar", Probe: cal.Healthy},
	}
	return api.NewProbeHandler(checks, reg, metricsTok)
}

// metricsToken reads the bearer token /metrics requires from DATASHARE_METRICS_TOKEN_FILE;
// "" when none is configured.
func metricsToken(cfg config.Config) (string, error) {
	if cfg.MetricsTokenFile == "" {
		return "", nil
	}
	raw, err := os.ReadFile(cfg.MetricsTokenFile)
	if err != nil {
		return "", fmt.Errorf("DATASHARE_METRICS_TOKEN_FILE: %w", err)
	}
	tok := strings.TrimSpace(string(raw))
	if len(tok) < 16 {
		return "", fmt.Errorf("DATASHARE_METRICS_TOKEN_FILE: %s holds %d characters, want a token of at least 16", cfg.MetricsTokenFile, len(tok))
	}
	return tok, nil
}

// auditRetentionFloor refuses a keeping period of the audit log shorter than the profile's
// floor on the day of the start (China time), naming the article that sets it: since
// 2025-08-01, 3 years (政务数据共享条例 第二十九条第二款).
func auditRetentionFloor(p policy.Profile, months int, now time.Time) error {
	floor, basis := p.RetentionFloor(policy.RecordAuditLog, now.In(calendar.Location()).Format(time.DateOnly))
	if months >= floor {
		return nil
	}
	why := "the profile " + p.ID + "'s floor"
	if basis != "" {
		why = basis
	}
	return fmt.Errorf("DATASHARE_AUDIT_RETENTION_MONTHS=%d: the audit log must be kept at least %d months (%s); set it to %d or more", months, floor, why, floor)
}
