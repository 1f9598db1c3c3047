//go:build unix

package loadgen

import (
	"os/exec"
	"syscall"
)

// terminate sends SIGTERM, on which datashare stops cleanly.
func terminate(pid int) error { return syscall.Kill(pid, syscall.SIGTERM) }

// detach starts cmd in a process group of its own: a signal to bench's group (Ctrl-C in its
// terminal) does not reach it, and it outlives bench.
func detach(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }
