// Command datashare runs the datashare services.
//
//	datashare api            the HTTP API (stateless; scale horizontally)
//	datashare worker         the Temporal worker (stateless; scale horizontally)
//	datashare migrate up     apply pending database migrations
//	datashare migrate status list migrations and whether they are applied
//	datashare token          mint a dev-mode token for a user of the users table
//	datashare config         list every configuration variable
//	datashare bench          load-test a running datashare through its API (make bench)
//	datashare dev            everything in one process with an embedded Temporal server and UI
//	                         (only in the binary built with -tags embedded; see `make run`)
//
// Configuration comes from environment variables and flags; `datashare config` lists them.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil && !errors.Is(err, errUsage) {
		fmt.Fprintln(os.Stderr, "datashare:", err)
	}
	var ec exitCoder
	switch {
	case errors.As(err, &ec):
		os.Exit(ec.ExitCode())
	case err != nil:
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

type command struct {
	summary string
	run     func(ctx context.Context, args []string) error
}

// commands is filled here and, in the embedded build, by dev.go.
var commands = map[string]command{
	"api":            {"run the HTTP API", runAPI},
	"worker":         {"run the Temporal worker", runWorker},
	"migrate":        {"apply (up) or list (status) database migrations", runMigrate},
	"token":          {"mint a dev-mode bearer token: token --user ID [--ttl 720h]", runToken},
	"config":         {"list every configuration variable with its flag and default", runConfig},
	"calendar":       {"working days from the embedded official data: calendar due --from T --workdays N | calendar days --from D --to D [--json]", runCalendar},
	"temporal-setup": {"register the Temporal namespace (retention DATASHARE_TEMPORAL_RETENTION) and the search attributes, as an operator would", runTemporalSetup},
	"demo":           {"create the profile's demo departments, users and catalog once and print their dev tokens: demo [--tokens FILE]", runDemo},
	"bench":          {"load-test a running datashare through its API: bench [--clients 8 --duration 30s --approvers 2] | bench seed --n N | bench restart --pid PID -- CMD…; bench --help", runBench},
	"version":        {"print the version", func(context.Context, []string) error { fmt.Println(version); return nil }},
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage()
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	cmd, ok := commands[args[0]]
	if !ok {
		usage()
		return fmt.Errorf("unknown command %q", args[0])
	}
	return cmd.run(ctx, args[1:])
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: datashare <command> [flags]\n\ncommands:")
	for _, name := range sortedCommandNames() {
		fmt.Fprintf(os.Stderr, "  %-15s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(os.Stderr, "\nEvery setting is an environment variable or a flag; `datashare config` lists them.")
}
