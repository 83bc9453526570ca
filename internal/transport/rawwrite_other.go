//go:build !unix

package transport

import "syscall"

// rawSink is unused off unix: newSink returns nil and the connection's own Write is used.
type rawSink struct{}

func newSink(syscall.RawConn) *rawSink { return nil }

func (*rawSink) write([]byte) error { panic("unreachable") }

func (*rawSink) writeNow([]byte) ([]byte, error) { panic("unreachable") }
