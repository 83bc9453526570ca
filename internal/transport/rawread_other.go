//go:build !unix

package transport

import "net"

// newSource falls back to reading into a pooled buffer that is held while
// the read blocks: raw non-blocking reads are only wired up for unix.
func newSource(nc net.Conn) source {
	return readerSource{r: nc}
}
