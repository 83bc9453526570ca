//go:build unix

package transport

import (
	"io"
	"net"
	"os"
	"syscall"
)

// rawSource reads through syscall.RawConn: it waits for readability in the
// runtime poller without holding a buffer, and takes one from readPool
// only once the descriptor has bytes to give.
type rawSource struct {
	rc  syscall.RawConn
	fn  func(fd uintptr) bool // s.readFD, bound once to avoid a closure per read
	buf *[]byte
	n   int
	err error
}

// newSource picks the raw reader when the connection exposes its
// descriptor (rc, from rawConnOf), and the plain pooled reader otherwise.
func newSource(nc net.Conn, rc syscall.RawConn) source {
	if rc == nil {
		return readerSource{r: nc}
	}
	s := &rawSource{rc: rc}
	s.fn = s.readFD
	return s
}

func (s *rawSource) fill() (*[]byte, int, error) {
	s.buf, s.n, s.err = nil, 0, nil
	// RawConn.Read applies the read deadline and returns once the
	// connection is closed, so Close from another goroutine unblocks us.
	if err := s.rc.Read(s.fn); err != nil {
		return nil, 0, err
	}
	buf, n, err := s.buf, s.n, s.err
	s.buf = nil
	return buf, n, err
}

// readFD runs with the descriptor pinned open. Returning false asks the
// poller to wait for the next readability event.
func (s *rawSource) readFD(fd uintptr) bool {
	b := readPool.Get().(*[]byte)
	for {
		n, err := sysRead(int(fd), *b)
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			readPool.Put(b)
			return false
		case err != nil:
			readPool.Put(b)
			s.err = os.NewSyscallError("read", err)
		case n == 0:
			readPool.Put(b)
			s.err = io.EOF
		default:
			s.buf, s.n = b, n
		}
		return true
	}
}
