//go:build embedded

package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/config"
	"github.com/datashare/datashare/internal/devserver"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/worker"
	"github.com/datashare/datashare/workflows/contract"
)

func init() {
	commands["dev"] = command{"run everything in one process: embedded Temporal server and UI, worker, API, SQLite (make run)", runDev}
}

// devDefaults differ from the production defaults only where the embedded mode needs it.
var devDefaults = map[string]string{"DATASHARE_DEMO_DATA": "true"}

// runDev is `make run`: the whole system in one process with nothing to install but Go.
func runDev(ctx context.Context, args []string) error {
	cfg, err := config.FromOS(args, devDefaults)
	if err != nil {
		return err
	}
	if cfg.DBDialect != config.DialectSQLite {
		return errors.New("DATASHARE_DB_DIALECT: the embedded mode uses sqlite; run `datashare api` and `datashare worker` against MySQL")
	}
	log := newLogger(cfg, os.Stderr)
	worker.SetWorkflowCacheSize(cfg.WorkflowCacheSize) // before the server's own workers start
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return fmt.Errorf("DATASHARE_DATA_DIR: %w", err)
	}
	if err := claimDataDir(cfg.DataDir, cfg.Profile); err != nil {
		return err
	}

	host, port := cfg.TemporalHostPort()
	uiPort := cfg.TemporalUIPort
	if uiPort == 0 {
		uiPort = -1
	}
	log.Info("starting embedded Temporal server", slog.String("address", cfg.TemporalAddress), slog.String("data", filepath.Join(cfg.DataDir, "temporal.db")))
	ts, err := devserver.Start(ctx, devserver.Options{
		DataDir:          cfg.DataDir,
		Host:             host,
		FrontendPort:     port,
		UIPort:           uiPort,
		Namespace:        cfg.TemporalNamespace,
		Retention:        cfg.TemporalRetention,
		SearchAttributes: contract.SearchAttributes(),
		Logger:           log.With(slog.String("component", "temporal-server")),
	})
	if err != nil {
		return fmt.Errorf("embedded Temporal server: %w", err)
	}
	defer func() {
		if err := ts.Stop(); err != nil {
			log.Warn("stop embedded Temporal server", slog.Any("error", err))
		}
	}()

	svc, err := openServices(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer svc.Close()
	// The demo follows the profile in force (DATASHARE_PROFILE): its departments, named as its
	// regulation names them, and the demo users placed in them.
	demo := cfg.DemoData && slices.Contains(models.DemoProfiles(), svc.active.ID)
	if cfg.DemoData && !demo {
		log.Warn("no demo data for profile " + svc.active.ID + ": create departments and users through the admin API")
	}
	if demo {
		created, err := models.SeedDemoProfile(ctx, svc.db, svc.active.ID)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		if created {
			log.Info("demo departments, users and catalog created", slog.String("profile", svc.active.ID))
		}
	}
	if cfg.TemporalUIURL == "" {
		// The console links admins to the embedded Web UI.
		cfg.TemporalUIURL = ts.UIURL()
	}
	wait, signer, err := serveAPI(ctx, cfg, log, svc)
	if err != nil {
		return err
	}
	go calendarWatch(cfg, log, svc).Run(ctx)
	werrc := make(chan error, 1)
	go func() {
		werrc <- worker.Run(ctx, worker.Deps{Client: svc.tc, TaskQueue: cfg.TemporalTaskQueue, DB: svc.db, Logger: log, StopTimeout: cfg.ShutdownTimeout, Calendars: svc.cal, Policy: svc.active, AuditRetentionMonths: cfg.AuditRetentionMonths})
	}()

	if err := printBanner(cfg, svc.active.ID, demo, ts.UIURL(), ts.FrontendHostPort(), signer); err != nil {
		log.Warn("demo tokens not printed", slog.Any("error", err))
	}
	herr := wait()
	werr := <-werrc
	log.Info("stopped; data kept in " + cfg.DataDir)
	return errors.Join(herr, werr)
}

// printBanner shows where everything is and a token per demo user, and writes the tokens to
// DATA_DIR/demo-tokens.env for scripts.
func printBanner(cfg config.Config, profile string, demo bool, uiURL, temporalAddr string, signer *auth.DevSigner) error {
	var b strings.Builder
	fmt.Fprintf(&b, "\n datashare is running (embedded mode, jurisdiction profile %s)\n\n", profile)
	signIn := ""
	if signer != nil {
		signIn = "   (sign in as any user of the users table)"
	}
	fmt.Fprintf(&b, "   console      %s/console/%s\n", cfg.PublicURL, signIn)
	fmt.Fprintf(&b, "   API          %s/api/v1   (OpenAPI: %s/api/openapi.json)\n", cfg.PublicURL, cfg.PublicURL)
	fmt.Fprintf(&b, "   health       %s/healthz  %s/readyz  %s/metrics\n", cfg.PublicURL, cfg.PublicURL, cfg.PublicURL)
	if uiURL != "" {
		fmt.Fprintf(&b, "   Temporal UI  %s\n", uiURL)
	}
	fmt.Fprintf(&b, "   Temporal     %s  namespace %s  (temporal CLI works unconfigured)\n", temporalAddr, cfg.TemporalNamespace)
	fmt.Fprintf(&b, "   data         %s\n", cfg.DataDir)
	if signer == nil || !demo {
		b.WriteString("\n Stop with Ctrl-C; the next start resumes where this one stopped.\n")
		fmt.Fprint(os.Stderr, b.String())
		return nil
	}
	b.WriteString("\n Demo tokens (valid 30 days; also in " + filepath.Join(cfg.DataDir, "demo-tokens.env") + "):\n")
	var env strings.Builder
	for _, u := range models.DemoUsersFor(profile) {
		tok, err := signer.Sign(principalOfUser(u), 30*24*time.Hour)
		if err != nil {
			return err
		}
		dept := "-"
		if u.DepartmentID != nil {
			dept = *u.DepartmentID
		}
		fmt.Fprintf(&b, "\n   %-19s %-13s %s\n   %s\n", u.ID, dept, strings.Join(u.Roles, ","), tok)
		fmt.Fprintf(&env, "%s=%s\n", demoTokenVar(u.ID), tok)
	}
	if err := os.WriteFile(filepath.Join(cfg.DataDir, "demo-tokens.env"), []byte(env.String()), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(&b, "\n First call:\n   . %s && curl -H \"Authorization: Bearer $TOKEN_APPLICANT\" %s/api/v1/me\n",
		filepath.Join(cfg.DataDir, "demo-tokens.env"), cfg.PublicURL)
	b.WriteString("\n Stop with Ctrl-C; the next start resumes where this one stopped.\n\n")
	fmt.Fprint(os.Stderr, b.String())
	return nil
}
