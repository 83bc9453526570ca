package transport

import (
	"crypto/tls"
	"net"
	"sync"
	"time"
)

// maxPooledWriteBuf is how much one write carries; buffers up to twice that return to writePool.
const maxPooledWriteBuf = 64 << 10

var writePool = sync.Pool{New: func() any {
	b := make([]byte, 0, readBufSize)
	return &b
}}

// streamConn is a Conn over a byte stream: plain TCP or TLS.
type streamConn struct {
	nc  net.Conn  // the TCP conn, or the *tls.Conn wrapping it
	tc  *tls.Conn // nil for plain TCP
	lr  *lineReader
	raw *rawSink // plain TCP on unix: writes without the runtime's syscall bookkeeping
	// pending is what TryWriteLines could not write; WriteLines sends it first.
	pending []byte
	remote  net.Addr
	local   net.Addr

	closeOnce sync.Once
	closeErr  error
}

// newTCPConn wraps a plain connection. leftover holds bytes already read
// past a PROXY header.
func newTCPConn(nc net.Conn, leftover []byte, remote, local net.Addr, max int) *streamConn {
	rc := rawConnOf(nc)
	return &streamConn{
		nc:     nc,
		lr:     newLineReader(newSource(nc, rc), max, leftover),
		raw:    newSink(rc),
		remote: remote,
		local:  local,
	}
}

// newTLSConn wraps a TLS connection whose handshake is complete.
func newTLSConn(tc *tls.Conn, remote, local net.Addr, max int) *streamConn {
	return &streamConn{
		nc:     tc,
		tc:     tc,
		lr:     newLineReader(readerSource{r: tc}, max, nil),
		remote: remote,
		local:  local,
	}
}

// ReadLine implements Conn. Call it from one goroutine only.
func (c *streamConn) ReadLine() ([]byte, error) { return c.lr.readLine() }

// WriteLines implements Conn. The lines are copied into one pooled buffer and written with one
// write per 64 KiB: on TCP this costs about what writev does for short IRC lines, and it keeps no
// per-connection iovec array alive (the runtime caches one per socket for writev, sized by the
// largest batch ever sent), which matters for memory per idle client. On TLS it also lets crypto/tls
// seal as few records as possible. Call it from one goroutine at a time.
func (c *streamConn) WriteLines(lines [][]byte) error {
	if len(c.pending) > 0 {
		err := c.write(c.pending)
		c.pending = nil
		if err != nil {
			return err
		}
	}
	if len(lines) == 0 {
		return nil
	}
	bp := writePool.Get().(*[]byte)
	b := (*bp)[:0]
	var err error
	for _, l := range lines {
		if len(b) > 0 && len(b)+len(l) > maxPooledWriteBuf {
			if err = c.write(b); err != nil {
				break
			}
			b = b[:0]
		}
		b = append(b, l...)
	}
	if err == nil && len(b) > 0 {
		err = c.write(b)
	}
	if cap(b) <= 2*maxPooledWriteBuf {
		*bp = b[:0]
		writePool.Put(bp)
	}
	return err
}

// CanTryWrite reports whether TryWriteLines is available: plain TCP on unix. Safe from any
// goroutine.
func (c *streamConn) CanTryWrite() bool { return c.raw != nil && c.tc == nil }

// TryWriteLines writes lines without ever waiting for the socket: what the socket does not take
// now is kept and goes out first on the next WriteLines, which the caller must make (it reports
// false). One goroutine can so serve the writes of many connections, waiting on none of them.
// Call it only when CanTryWrite, from one goroutine at a time, and never with bytes pending.
func (c *streamConn) TryWriteLines(lines [][]byte) (done bool, err error) {
	bp := writePool.Get().(*[]byte)
	b := (*bp)[:0]
	for _, l := range lines {
		b = append(b, l...)
	}
	rest, err := c.raw.writeNow(b)
	if err == nil && len(rest) > 0 {
		c.pending = append([]byte(nil), rest...)
	}
	if cap(b) <= 2*maxPooledWriteBuf {
		*bp = b[:0]
		writePool.Put(bp)
	}
	return err == nil && len(rest) == 0, err
}

func (c *streamConn) write(b []byte) error {
	if c.raw != nil {
		return c.raw.write(b)
	}
	_, err := c.nc.Write(b)
	return err
}

// SetReadDeadline implements Conn. Safe from any goroutine.
func (c *streamConn) SetReadDeadline(t time.Time) error { return c.nc.SetReadDeadline(t) }

// SetWriteDeadline implements Conn. Safe from any goroutine.
func (c *streamConn) SetWriteDeadline(t time.Time) error { return c.nc.SetWriteDeadline(t) }

// Close implements Conn. Safe from any goroutine, any number of times; a
// ReadLine blocked in another goroutine returns an error.
func (c *streamConn) Close() error {
	c.closeOnce.Do(func() { c.closeErr = c.nc.Close() })
	return c.closeErr
}

// RemoteAddr implements Conn. Safe from any goroutine.
func (c *streamConn) RemoteAddr() net.Addr { return c.remote }

// LocalAddr implements Conn. Safe from any goroutine.
func (c *streamConn) LocalAddr() net.Addr { return c.local }

// TLS implements Conn. Safe from any goroutine.
func (c *streamConn) TLS() *tls.ConnectionState {
	if c.tc == nil {
		return nil
	}
	st := c.tc.ConnectionState()
	return &st
}

// Kind implements Conn. Safe from any goroutine.
func (c *streamConn) Kind() string {
	if c.tc != nil {
		return KindTLS
	}
	return KindTCP
}
