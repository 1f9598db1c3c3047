package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"
)

// RestartConfig is a restart: stop the server process PID, start Command in its place, and
// time until it serves.
type RestartConfig struct {
	API    string
	Tokens Tokens // the approver's token reads the inbox
	PID    int
	// Command and its arguments start the new server, e.g. ./bin/datashare-dev dev.
	Command []string
	// LogFile receives the new process's stdout and stderr.
	LogFile string
	// Settle is how long to wait after it is ready before reading its resident memory.
	Settle time.Duration
	// Timeout bounds the wait for the old process to exit and, again, for the new one to
	// be ready.
	Timeout  time.Duration
	Progress io.Writer // a line per stage; nil discards them
}

// RestartReport is what a restart measured.
type RestartReport struct {
	API     string   `json:"api"`
	OldPID  int      `json:"old_pid"`
	NewPID  int      `json:"new_pid"`
	Command []string `json:"command"`
	LogFile string   `json:"log_file"`
	// StopSeconds is from SIGTERM to the old process's exit.
	StopSeconds float64 `json:"stop_seconds"`
	// ReadyzSeconds is from the new process's start to the first /readyz 200; ReadySeconds
	// to the moment both /readyz and the approver's inbox have answered 200.
	ReadyzSeconds float64 `json:"readyz_seconds"`
	ReadySeconds  float64 `json:"ready_seconds"`
	// DowntimeSeconds is from SIGTERM to ready: how long the API did not serve.
	DowntimeSeconds float64 `json:"downtime_seconds"`
	SettleSeconds   float64 `json:"settle_seconds"`
	Memory          Memory  `json:"memory"`
}

// pollEvery is how often a restart looks at the old process and at the new server: often
// enough that the figures are not its multiples.
const pollEvery = 25 * time.Millisecond

// Restart sends SIGTERM to cfg.PID, waits for it to exit, starts cfg.Command in a process
// group of its own (so that it keeps running after bench exits and a Ctrl-C of bench does not
// reach it) with its output appended to cfg.LogFile, and polls /readyz and the approver's
// inbox until both answer 200. After cfg.Settle it reads the new process's resident memory.
func Restart(ctx context.Context, cfg RestartConfig) (*RestartReport, error) {
	if cfg.PID <= 1 || len(cfg.Command) == 0 {
		return nil, errors.New("need the pid of the running server and the command that starts it again")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Minute
	}
	progress := cfg.Progress
	if progress == nil {
		progress = io.Discard
	}
	if !running(cfg.PID) {
		return nil, fmt.Errorf("no process %d", cfg.PID)
	}
	logFile, err := os.OpenFile(cfg.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("log file: %w", err)
	}
	defer logFile.Close() // the child has its own descriptor
	rep := &RestartReport{API: strings.TrimRight(cfg.API, "/"), OldPID: cfg.PID, Command: cfg.Command, LogFile: cfg.LogFile}

	// Stop the old process and wait until it is gone: its port and its data folder are free.
	fmt.Fprintf(progress, "bench restart: SIGTERM to %d\n", cfg.PID)
	stopAt := time.Now()
	if err := terminate(cfg.PID); err != nil {
		return nil, fmt.Errorf("SIGTERM to %d: %w", cfg.PID, err)
	}
	for running(cfg.PID) {
		if time.Since(stopAt) > cfg.Timeout {
			return nil, fmt.Errorf("process %d still running %s after SIGTERM", cfg.PID, cfg.Timeout)
		}
		if err := sleep(ctx, pollEvery); err != nil {
			return nil, err
		}
	}
	rep.StopSeconds = round3(time.Since(stopAt).Seconds())
	fmt.Fprintf(progress, "bench restart: %d exited after %.1f s; starting %s\n", cfg.PID, rep.StopSeconds, strings.Join(cfg.Command, " "))

	cmd := exec.Command(cfg.Command[0], cfg.Command[1:]...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	detach(cmd)
	startAt := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", cfg.Command[0], err)
	}
	rep.NewPID = cmd.Process.Pid
	// Reap the child if it dies while bench still runs, and notice that it did; once bench
	// exits, the child is adopted and keeps running.
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	c := newClient(cfg.API, 2)
	c.http.Timeout = 5 * time.Second
	readyz, inbox := false, false
	for !(readyz && inbox) {
		select {
		case err := <-exited:
			return rep, fmt.Errorf("the new process %d exited before it was ready (%v); its output is in %s", rep.NewPID, err, cfg.LogFile)
		default:
		}
		if time.Since(startAt) > cfg.Timeout {
			return rep, fmt.Errorf("the new process %d is not ready after %s (readyz %v, inbox %v); its output is in %s", rep.NewPID, cfg.Timeout, readyz, inbox, cfg.LogFile)
		}
		if !readyz {
			if r, err := c.do(ctx, http.MethodGet, "/readyz", "", nil); err == nil && r.status == http.StatusOK {
				readyz = true
				rep.ReadyzSeconds = round3(time.Since(startAt).Seconds())
			}
		}
		if readyz && !inbox {
			if r, err := c.do(ctx, http.MethodGet, "/api/v1/tasks?status=open&limit=20", cfg.Tokens.Approver, nil); err == nil && r.status == http.StatusOK {
				inbox = true
				rep.ReadySeconds = round3(time.Since(startAt).Seconds())
				rep.DowntimeSeconds = round3(time.Since(stopAt).Seconds())
				break
			}
		}
		if err := sleep(ctx, pollEvery); err != nil {
			return rep, err
		}
	}
	fmt.Fprintf(progress, "bench restart: %d ready after %.1f s; settling %s\n", rep.NewPID, rep.ReadySeconds, cfg.Settle)
	if err := sleep(ctx, cfg.Settle); err != nil {
		return rep, err
	}
	select {
	case err := <-exited:
		return rep, fmt.Errorf("the new process %d exited while settling (%v); its output is in %s", rep.NewPID, err, cfg.LogFile)
	default:
	}
	rep.SettleSeconds = cfg.Settle.Seconds()
	rep.Memory = procMemory(rep.NewPID)
	return rep, nil
}

// running tells whether pid is a live process: its /proc entry exists and it is not a zombie
// (exited, waiting for its parent to reap it).
func running(pid int) bool {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if errors.Is(err, fs.ErrNotExist) {
		return false
	}
	if err != nil {
		return true // unreadable, but there
	}
	st := ParseProcStatus(string(raw))
	return st.State != 'Z' && st.State != 'X'
}

// sleep waits d, or less when ctx ends (then its error).
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
