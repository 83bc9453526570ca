//go:build windows

package main

import (
	"errors"
	"syscall"
)

// drainSignal stands for the Unix drain signal, which Windows does not have: it is never
// delivered, so a Windows server drains only through its shutdown.
const drainSignal = syscall.Signal(0x1e)

// signalProcess is unsupported on Windows: there is no SIGUSR1 to send.
func signalProcess(pid int, sig syscall.Signal) error {
	return errors.New("parley drain needs a Unix signal (SIGUSR1); on Windows stop the service instead")
}

// processAlive is not needed on Windows, where signalProcess always fails first.
func processAlive(pid int) bool { return false }
