package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/datashare/datashare/internal/auth"
	"github.com/datashare/datashare/internal/config"
	"github.com/datashare/datashare/internal/temporalx"
	"github.com/datashare/datashare/models"
	"github.com/datashare/datashare/workflows/contract"
)

// temporalSetupWait bounds how long temporal-setup waits for a Temporal server that is still
// starting (a fresh cluster takes a while to open its shards).
const temporalSetupWait = 2 * time.Minute

// runTemporalSetup is what an operator does once per cluster before datashare's first start:
// the namespace with a retention the product can live with, and the custom search attributes
// Temporal UI filters on. Both steps are idempotent, so it also runs on every deployment.
func runTemporalSetup(ctx context.Context, args []string) error {
	cfg, err := config.FromOS(args, nil)
	if err != nil {
		return err
	}
	log := newLogger(cfg, os.Stderr)
	tc, metrics, err := newTemporalClient(cfg, log, nil)
	if err != nil {
		return err
	}
	defer metrics.Close()
	defer tc.Close()
	ctx, cancel := context.WithTimeout(ctx, temporalSetupWait)
	defer cancel()
	// A namespace just registered takes a moment to reach every frontend: retry both steps
	// until they pass or the wait is over, and report the last refusal.
	var last error
	for {
		last = temporalx.EnsureNamespace(ctx, tc, cfg.TemporalNamespace, cfg.TemporalRetention)
		if last == nil {
			last = temporalx.EnsureSearchAttributes(ctx, tc, cfg.TemporalNamespace, contract.SearchAttributes())
		}
		if last == nil {
			log.Info("Temporal namespace and search attributes ready", slog.String("namespace", cfg.TemporalNamespace),
				slog.String("address", cfg.TemporalAddress), slog.Duration("retention", cfg.TemporalRetention))
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("TEMPORAL_ADDRESS %s: set up namespace %s: %w", cfg.TemporalAddress, cfg.TemporalNamespace, last)
		case <-time.After(time.Second):
		}
	}
}

// runDemo creates the demo departments, users and catalog of the profile in force, once, and
// writes a bearer token per demo user as TOKEN_<USER>=… lines (dev token mode only). In
// production-like deployments the API processes never seed anything themselves.
func runDemo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	tokens := fs.String("tokens", "", "write the demo users' tokens to this file (mode 0600) instead of stdout")
	ttl := fs.Duration("ttl", 30*24*time.Hour, "token lifetime")
	rest, err := ownFlags(fs, args, "tokens", "ttl")
	if err != nil {
		return err
	}
	cfg, err := config.FromOS(rest, nil)
	if err != nil {
		return err
	}
	if !slices.Contains(models.DemoProfiles(), cfg.Profile) {
		return fmt.Errorf("DATASHARE_PROFILE: no demo data for profile %q (one of %v)", cfg.Profile, models.DemoProfiles())
	}
	if cfg.AuthMode != config.AuthDev {
		return errors.New("demo: only in DATASHARE_AUTH_MODE=dev; in oidc mode the identity provider issues tokens")
	}
	log := newLogger(cfg, os.Stderr)
	db, err := openDB(ctx, cfg, log, false)
	if err != nil {
		return err
	}
	defer models.Close(db)
	created, err := models.SeedDemoProfile(ctx, db, cfg.Profile)
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	if created {
		log.Info("demo departments, users and catalog created", slog.String("profile", cfg.Profile))
	}
	signer, err := auth.LoadOrCreateDevKey(cfg.DevKeyFile)
	if err != nil {
		return fmt.Errorf("DATASHARE_DEV_KEY_FILE: %w", err)
	}
	env, err := demoTokenEnv(signer, cfg.Profile, *ttl)
	if err != nil {
		return err
	}
	if *tokens == "" {
		_, err = fmt.Print(env)
		return err
	}
	return os.WriteFile(*tokens, []byte(env), 0o600)
}

// demoTokenEnv signs a token for each demo user of profile, as shell lines TOKEN_<USER>=…
// (demo-applicant becomes TOKEN_APPLICANT).
func demoTokenEnv(signer *auth.DevSigner, profile string, ttl time.Duration) (string, error) {
	var env strings.Builder
	for _, u := range models.DemoUsersFor(profile) {
		tok, err := signer.Sign(principalOfUser(u), ttl)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&env, "%s=%s\n", demoTokenVar(u.ID), tok)
	}
	return env.String(), nil
}

// demoTokenVar is the shell variable holding a demo user's token.
func demoTokenVar(userID string) string {
	return "TOKEN_" + strings.ToUpper(strings.ReplaceAll(strings.TrimPrefix(userID, "demo-"), "-", "_"))
}

// ownFlags parses the command's own flags out of args (as --name value or --name=value) and
// returns the rest, which is configuration.
func ownFlags(fs *flag.FlagSet, args []string, names ...string) ([]string, error) {
	var rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name := strings.TrimLeft(strings.SplitN(a, "=", 2)[0], "-")
		if !slices.Contains(names, name) {
			rest = append(rest, a)
			continue
		}
		if !strings.Contains(a, "=") && i+1 < len(args) {
			a += "=" + args[i+1]
			i++
		}
		if err := fs.Parse([]string{a}); err != nil {
			return nil, err
		}
	}
	return rest, nil
}
