//go:build !windows

package main

import (
	"errors"
	"syscall"
)

// drainSignal asks a running server to drain: stop accepting, tell clients to reconnect, and
// exit once they are gone (or after --drain-timeout).
const drainSignal = syscall.SIGUSR1

// signalProcess sends sig to the process pid.
func signalProcess(pid int, sig syscall.Signal) error { return syscall.Kill(pid, sig) }

// processAlive reports whether the process pid still exists.
func processAlive(pid int) bool {
	return !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
}
