//go:build linux

package loadgen

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestLoadgenRestart stops a process, starts a command in its place in a process group of its
// own, and waits for the (fake) API to be ready.
func TestLoadgenRestart(t *testing.T) {
	srv := newFake(t, &fakeAPI{})
	old := exec.Command("sleep", "60")
	if err := old.Start(); err != nil {
		t.Skip("no sleep command:", err)
	}
	// The test is the old process's parent: it stays a zombie until reaped, which Restart
	// must take for exited.
	defer old.Wait()
	log := filepath.Join(t.TempDir(), "restart.log")
	rep, err := Restart(context.Background(), RestartConfig{
		API: srv.URL, Tokens: fakeTokens, PID: old.Process.Pid, Command: []string{"sh", "-c", "echo started; exec sleep 60"},
		LogFile: log, Settle: 100 * time.Millisecond, Timeout: 10 * time.Second,
	})
	if rep != nil && rep.NewPID > 0 {
		defer syscall.Kill(rep.NewPID, syscall.SIGKILL)
	}
	if err != nil {
		t.Fatal(err)
	}
	if rep.OldPID != old.Process.Pid || rep.NewPID <= 0 || rep.ReadySeconds < rep.ReadyzSeconds || rep.DowntimeSeconds < rep.ReadySeconds {
		t.Errorf("report %+v", rep)
	}
	if pgid, err := syscall.Getpgid(rep.NewPID); err != nil || pgid != rep.NewPID {
		t.Errorf("new process %d in group %d (%v), want a group of its own", rep.NewPID, pgid, err)
	}
	if rep.Memory.RSSBytes <= 0 || rep.Memory.Error != "" {
		t.Errorf("memory %+v", rep.Memory)
	}
	// Its output goes to the log (the shell has written it before it became sleep).
	deadline := time.Now().Add(5 * time.Second)
	for {
		raw, _ := os.ReadFile(log)
		if strings.Contains(string(raw), "started") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("log %q", raw)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := Restart(context.Background(), RestartConfig{API: srv.URL, Tokens: fakeTokens, PID: old.Process.Pid, Command: []string{"true"}, LogFile: log}); err == nil {
		t.Error("restart of a process that is gone: no error")
	}
}
