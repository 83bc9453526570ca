package transport

import (
	"net"
	"syscall"
)

// rawConnOf returns the connection's descriptor access, or nil when it has none; the raw reader
// and the raw writer of one connection share it.
func rawConnOf(nc net.Conn) syscall.RawConn {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}
