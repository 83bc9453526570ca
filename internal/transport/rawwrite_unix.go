//go:build unix

package transport

import (
	"os"
	"syscall"
)

// rawSink writes through syscall.RawConn, with the socket call of sysio_*.go; the runtime poller
// still waits for writability when the socket buffer is full, and the write deadline still applies.
// Not safe for concurrent use: WriteLines has one caller at a time.
type rawSink struct {
	rc     syscall.RawConn
	fn     func(fd uintptr) bool // s.writeFD, bound once to avoid a closure per write
	b      []byte
	err    error
	nowait bool // writeNow: give up on EAGAIN instead of waiting
}

// newSink returns the raw writer over rc (from rawConnOf), or nil when there is none (the
// connection's own Write is used).
func newSink(rc syscall.RawConn) *rawSink {
	if rc == nil {
		return nil
	}
	s := &rawSink{rc: rc}
	s.fn = s.writeFD
	return s
}

// writeNow writes what the socket takes without waiting and returns what it did not take.
func (s *rawSink) writeNow(b []byte) (rest []byte, err error) {
	s.b, s.err, s.nowait = b, nil, true
	err = s.rc.Write(s.fn)
	rest, s.b, s.nowait = s.b, nil, false
	if err != nil {
		return rest, err
	}
	return rest, s.err
}

// write writes all of b, waiting in the poller while the socket buffer is full.
func (s *rawSink) write(b []byte) error {
	s.b, s.err = b, nil
	err := s.rc.Write(s.fn)
	s.b = nil
	if err != nil {
		return err
	}
	return s.err
}

// writeFD runs with the descriptor pinned open. Returning false asks the poller to wait until
// the socket is writable again.
func (s *rawSink) writeFD(fd uintptr) bool {
	for len(s.b) > 0 {
		n, err := sysWrite(int(fd), s.b)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return s.nowait
		case err != nil:
			s.err = os.NewSyscallError("write", err)
			return true
		}
		s.b = s.b[n:]
	}
	return true
}
