//go:build !unix

package loadgen

import (
	"errors"
	"os/exec"
)

// terminate: a restart sends SIGTERM, which only Unix systems have.
func terminate(int) error { return errors.New("bench restart runs on Linux only") }

func detach(*exec.Cmd) {}
