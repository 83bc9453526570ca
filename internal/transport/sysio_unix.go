//go:build unix && !linux

package transport

import "syscall"

// Elsewhere the socket calls go through the runtime's syscall path (see sysio_linux.go).

func sysRead(fd int, b []byte) (int, error) { return syscall.Read(fd, b) }

func sysWrite(fd int, b []byte) (int, error) { return syscall.Write(fd, b) }
