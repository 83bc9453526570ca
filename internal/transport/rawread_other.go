//go:build !unix

package transport

import (
	"net"
	"syscall"
)

// newSource falls back to reading into a pooled buffer that is held while
// the read blocks: raw non-blocking reads are only wired up for unix.
func newSource(nc net.Conn, _ syscall.RawConn) source {
	return readerSource{r: nc}
}
