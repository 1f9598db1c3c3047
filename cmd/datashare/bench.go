package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/datashare/datashare/internal/loadgen"
)

// benchUsage is the synopsis of the three modes; `datashare bench --help` adds the flags.
const benchUsage = `usage: datashare bench [--api URL] [--clients 8] [--duration 30s] [--approvers 2] [--inbox-rate 10] [--pid PID] [--json]
       datashare bench seed [--api URL] --n 10000 [--clients 8] [--json]
       datashare bench restart [--api URL] --pid PID [--log FILE] [--settle 10s] -- CMD ARGS...

Measures a running datashare (make run) through its API: creates per second, create, claim,
approve and inbox latency, read-your-writes misses and resident memory (default mode); the time
to create N open share requests (seed); the time a restart of the server takes until /readyz
and the inbox answer (restart). Tokens come from the file make run writes, or the environment.`

// runBench is `datashare bench`; see benchUsage and internal/loadgen.
func runBench(ctx context.Context, args []string) error {
	return benchCommand(ctx, args, os.Stdout, os.Stderr, os.Getenv)
}

func benchCommand(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	mode := "run"
	if len(args) > 0 && (args[0] == "seed" || args[0] == "restart") {
		mode, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	api := fs.String("api", "http://127.0.0.1:8080", "base URL of the running datashare")
	tokensFile := fs.String("tokens", loadgen.DefaultTokensFile, "file of shell lines TOKEN_…=…, as make run writes it; a variable of the same name in the environment wins")
	applicantVar := fs.String("applicant-var", loadgen.VarApplicant, "the variable holding the applicant's token")
	approverVar := fs.String("approver-var", loadgen.VarApprover, "the variable holding the token of the deciding department's approver (TOKEN_AUTHORITY under neixiang)")
	resource := fs.Int64("resource", 0, "catalog resource to request; 0: a published conditional resource of the approver's department")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	clients := fs.Int("clients", 8, "concurrent clients creating share requests")
	duration := fs.Duration("duration", 30*time.Second, "default mode: how long to create share requests")
	approvers := fs.Int("approvers", 2, "default mode: concurrent approvers claiming and approving the created requests")
	inboxRate := fs.Float64("inbox-rate", 10, "default mode: inbox reads per second by the reader; 0 reads one call after the other")
	sample := fs.Int("sample", 10, "default mode: read every n-th new task by its id as the approver")
	metricsTokenFile := fs.String("metrics-token-file", "", "default mode: file holding the bearer token /metrics requires, for the memory without --pid")
	n := fs.Int("n", 10000, "seed: share requests to create")
	pid := fs.Int("pid", 0, "default mode: the server's process, whose memory is read from /proc/PID/status; restart: the process to restart")
	logFile := fs.String("log", "bench-restart.log", "restart: file the new server's output is appended to")
	settle := fs.Duration("settle", 10*time.Second, "restart: wait this long after ready before reading the memory")
	timeout := fs.Duration("timeout", 5*time.Minute, "restart: give up waiting for the old process to exit, or for the new one to be ready")
	err := fs.Parse(args)
	if err == nil && mode == "run" && (fs.Arg(0) == "seed" || fs.Arg(0) == "restart") {
		// The mode may also follow flags (bench --api URL seed --n 100), as make bench puts
		// its --api before ARGS.
		mode = fs.Arg(0)
		err = fs.Parse(fs.Args()[1:])
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stderr, benchUsage+"\n\nflags:")
			fs.SetOutput(stderr)
			fs.PrintDefaults()
			return nil
		}
		return usageError{fmt.Errorf("%s: %w", benchLabel(mode), err)}
	}
	if mode != "restart" && fs.NArg() > 0 {
		return usageError{fmt.Errorf("%s: unexpected argument %q", benchLabel(mode), fs.Arg(0))}
	}
	if !strings.HasPrefix(*api, "http://") && !strings.HasPrefix(*api, "https://") {
		return usageError{fmt.Errorf("bench: --api %q: want a base URL such as http://127.0.0.1:8080", *api)}
	}
	tok, err := loadgen.LoadTokens(*tokensFile, *applicantVar, *approverVar, getenv)
	if err != nil {
		return err
	}

	var report interface{ WriteText(io.Writer) }
	switch mode {
	case "seed":
		if *n < 1 || *clients < 1 {
			return usageError{errors.New("bench seed: --n and --clients must be at least 1")}
		}
		report, err = loadgen.Seed(ctx, loadgen.SeedConfig{API: *api, Tokens: tok, ResourceID: *resource, N: *n, Clients: *clients, Progress: stderr})
	case "restart":
		if *pid <= 1 || fs.NArg() == 0 {
			return usageError{errors.New("bench restart: --pid PID and the command after -- are required, e.g. bench restart --pid 1234 -- ./bin/datashare-dev dev")}
		}
		report, err = loadgen.Restart(ctx, loadgen.RestartConfig{
			API: *api, Tokens: tok, PID: *pid, Command: fs.Args(), LogFile: *logFile, Settle: *settle, Timeout: *timeout, Progress: stderr,
		})
	default:
		if *clients < 1 || *approvers < 0 || *duration <= 0 || *inboxRate < 0 {
			return usageError{errors.New("bench: --clients must be at least 1, --approvers and --inbox-rate at least 0, --duration positive")}
		}
		metricsToken := ""
		if *metricsTokenFile != "" {
			raw, err := os.ReadFile(*metricsTokenFile)
			if err != nil {
				return fmt.Errorf("--metrics-token-file: %w", err)
			}
			metricsToken = strings.TrimSpace(string(raw))
		}
		report, err = loadgen.Run(ctx, loadgen.Config{
			API: *api, Tokens: tok, ResourceID: *resource, Clients: *clients, Approvers: *approvers, Duration: *duration, InboxRate: *inboxRate,
			SampleEvery: *sample, PID: *pid, MetricsToken: metricsToken, Progress: stderr,
		})
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return loadgen.WriteJSON(stdout, report)
	}
	report.WriteText(stdout)
	return nil
}

// benchLabel names the mode in messages as it is typed: bench, bench seed, bench restart.
func benchLabel(mode string) string {
	if mode == "run" {
		return "bench"
	}
	return "bench " + mode
}
