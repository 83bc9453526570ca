//go:build !unix

package testkit

// setRcvBuf is a no-op where the socket option is not reachable through syscall; the slow-reader
// tests then only take longer to fill the server's queue.
func setRcvBuf(fd uintptr, n int) error { return nil }
