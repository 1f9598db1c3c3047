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

	if err := printBanner(os.Stderr, cfg, svc.active.ID, demo, ts.UIURL(), ts.FrontendHostPort(), signer); err != nil {
		log.Warn("demo tokens not printed", slog.Any("error", err))
	}
	herr := wait()
	werr := <-werrc
	log.Info("stopped; data kept in " + cfg.DataDir)
	return errors.Join(herr, werr)
}
