package transport

import (
	"crypto/tls"
	"net"
	"sync"
	"time"
)

// maxKeptWriteSlots bounds the scratch slice of line headers a connection
// keeps between WriteLines calls.
const maxKeptWriteSlots = 64

// maxPooledWriteBuf bounds the TLS write buffers returned to writePool.
const maxPooledWriteBuf = 64 << 10

var writePool = sync.Pool{New: func() any {
	b := make([]byte, 0, readBufSize)
	return &b
}}

// streamConn is a Conn over a byte stream: plain TCP or TLS.
type streamConn struct {
	nc     net.Conn  // the TCP conn, or the *tls.Conn wrapping it
	tc     *tls.Conn // nil for plain TCP
	lr     *lineReader
	remote net.Addr
	local  net.Addr
	wslots net.Buffers // scratch for writev; only the writer touches it
	wcur   net.Buffers // the part of wslots not yet written

	closeOnce sync.Once
	closeErr  error
}

// newTCPConn wraps a plain connection. leftover holds bytes already read
// past a PROXY header.
func newTCPConn(nc net.Conn, leftover []byte, remote, local net.Addr, max int) *streamConn {
	return &streamConn{
		nc:     nc,
		lr:     newLineReader(newSource(nc), max, leftover),
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

// WriteLines implements Conn: one writev on TCP, one buffer per TLS write.
// Call it from one goroutine at a time.
func (c *streamConn) WriteLines(lines [][]byte) error {
	if len(lines) == 0 {
		return nil
	}
	if c.tc != nil {
		return c.writeJoined(lines)
	}
	// Copy the headers: net.Buffers.WriteTo consumes the slice it is given,
	// and the caller's slice must stay untouched.
	// wcur is a field, not a local, so taking its address does not allocate.
	c.wslots = append(c.wslots[:0], lines...)
	c.wcur = c.wslots
	_, err := c.wcur.WriteTo(c.nc)
	c.wcur = nil
	clear(c.wslots) // do not pin shared message bytes while idle
	if cap(c.wslots) > maxKeptWriteSlots {
		c.wslots = nil
	}
	return err
}

// writeJoined copies the lines into one pooled buffer so that crypto/tls
// seals as few records as possible.
func (c *streamConn) writeJoined(lines [][]byte) error {
	bp := writePool.Get().(*[]byte)
	b := (*bp)[:0]
	for _, l := range lines {
		b = append(b, l...)
	}
	_, err := c.nc.Write(b)
	if cap(b) <= maxPooledWriteBuf {
		*bp = b[:0]
		writePool.Put(bp)
	}
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
