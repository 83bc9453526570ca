package transport

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// wsMsg is one message handed from the reader goroutine to ReadLine.
type wsMsg struct {
	line []byte
	err  error
}

// wsConn is a Conn over a WebSocket: one IRC line per message.
//
// coder/websocket closes the connection when a read context expires, which
// would turn an idle-timeout probe into a disconnect. So a reader goroutine
// (pump) reads with no deadline and hands messages over an unbuffered
// channel, and ReadLine applies the deadline to the hand-over instead.
type wsConn struct {
	ws       *websocket.Conn
	outType  websocket.MessageType
	max      int
	remote   net.Addr
	local    net.Addr
	tlsState *tls.ConnectionState
	kind     string

	msgs chan wsMsg    // pump -> ReadLine, unbuffered: at most one message read ahead
	done chan struct{} // closed by closeWith
	kick chan struct{} // capacity 1: the read deadline changed
	rerr error         // terminal read error; ReadLine goroutine only

	mu      sync.Mutex // guards the fields below
	rdl     time.Time
	wdl     time.Time
	failErr error // why the transport closed the connection, if it did

	closeOnce sync.Once
}

func newWSConn(ws *websocket.Conn, proto string, max int, remote, local net.Addr, st *tls.ConnectionState, secure bool) *wsConn {
	// Messages are checked against max here, and the rest of an over-long
	// message is discarded, so the library's own limit (which closes the
	// connection) is turned off.
	ws.SetReadLimit(-1)
	c := &wsConn{
		ws:       ws,
		outType:  websocket.MessageText,
		max:      max,
		remote:   remote,
		local:    local,
		tlsState: st,
		kind:     KindWS,
		msgs:     make(chan wsMsg),
		done:     make(chan struct{}),
		kick:     make(chan struct{}, 1),
	}
	// "If binary.ircv3.net is negotiated, then client and server will
	// exchange binary messages"; otherwise text (IRCv3 WebSocket support).
	if proto == SubprotocolBinary {
		c.outType = websocket.MessageBinary
	}
	if secure {
		c.kind = KindWSS
	}
	go c.pump()
	return c
}

// pump reads messages until the connection fails or is closed.
func (c *wsConn) pump() {
	for {
		m := c.readMessage()
		select {
		case c.msgs <- m:
		case <-c.done:
			return
		}
		if m.err != nil && m.err != ErrLineTooLong {
			return
		}
	}
}

// readMessage reads one message and strips a trailing "\r\n" or "\n",
// which some clients send although the specification says not to.
func (c *wsConn) readMessage() wsMsg {
	typ, r, err := c.ws.Reader(context.Background())
	if err != nil {
		return wsMsg{err: mapWSReadErr(err)}
	}
	b, err := io.ReadAll(io.LimitReader(r, int64(c.max)+3))
	if err != nil {
		return wsMsg{err: mapWSReadErr(err)}
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	if len(b) > c.max {
		if _, err := io.Copy(io.Discard, r); err != nil {
			return wsMsg{err: mapWSReadErr(err)}
		}
		return wsMsg{err: ErrLineTooLong}
	}
	// Text messages must be UTF-8; the library does not check (RFC 6455
	// section 8.1 and the IRCv3 WebSocket spec call for closing with 1007).
	if typ == websocket.MessageText && !utf8.Valid(b) {
		c.closeWith(websocket.StatusInvalidFramePayloadData, "invalid UTF-8", ErrInvalidUTF8)
		return wsMsg{err: ErrInvalidUTF8}
	}
	return wsMsg{line: b}
}

// mapWSReadErr turns a clean close by the peer into io.EOF, like a stream.
func mapWSReadErr(err error) error {
	switch websocket.CloseStatus(err) {
	case websocket.StatusNormalClosure, websocket.StatusGoingAway, websocket.StatusNoStatusRcvd:
		return io.EOF
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return io.EOF
	}
	return err
}

// ReadLine implements Conn. Call it from one goroutine only.
func (c *wsConn) ReadLine() ([]byte, error) {
	if c.rerr != nil {
		return nil, c.rerr
	}
	for {
		c.mu.Lock()
		dl := c.rdl
		c.mu.Unlock()
		var timer *time.Timer
		var expired <-chan time.Time
		if !dl.IsZero() {
			d := time.Until(dl)
			if d <= 0 {
				return nil, os.ErrDeadlineExceeded
			}
			timer = time.NewTimer(d)
			expired = timer.C
		}
		select {
		case m := <-c.msgs:
			stopTimer(timer)
			if m.err != nil && m.err != ErrLineTooLong {
				c.rerr = m.err
			}
			return m.line, m.err
		case <-expired:
			return nil, os.ErrDeadlineExceeded
		case <-c.kick:
			stopTimer(timer)
		case <-c.done:
			stopTimer(timer)
			return nil, c.closedErr()
		}
	}
}

func stopTimer(t *time.Timer) {
	if t != nil {
		t.Stop()
	}
}

// WriteLines implements Conn: one message per line, without the "\r\n".
// An expired write deadline closes the connection (coder/websocket cannot
// resume a half-written frame). Call it from one goroutine at a time.
func (c *wsConn) WriteLines(lines [][]byte) error {
	c.mu.Lock()
	dl := c.wdl
	c.mu.Unlock()
	ctx := context.Background()
	if !dl.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl)
		defer cancel()
	}
	for _, l := range lines {
		l = bytes.TrimSuffix(l, []byte("\n"))
		l = bytes.TrimSuffix(l, []byte("\r"))
		// A text frame must hold UTF-8; lines relayed from non-UTF-8
		// clients get U+FFFD in place of the bad bytes rather than
		// breaking the browser's connection.
		if c.outType == websocket.MessageText && !utf8.Valid(l) {
			l = bytes.ToValidUTF8(l, []byte("\uFFFD"))
		}
		if err := c.ws.Write(ctx, c.outType, l); err != nil {
			return err
		}
	}
	return nil
}

// SetReadDeadline implements Conn. Safe from any goroutine; it also moves
// the deadline of a ReadLine already waiting.
func (c *wsConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	c.rdl = t
	c.mu.Unlock()
	select {
	case c.kick <- struct{}{}:
	default:
	}
	return nil
}

// SetWriteDeadline implements Conn. Safe from any goroutine; it applies to
// the next WriteLines.
func (c *wsConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	c.wdl = t
	c.mu.Unlock()
	return nil
}

// Close implements Conn: it sends a normal closure and returns at once
// (the closing handshake finishes in the background, bounded by the
// library's timeouts). Safe from any goroutine, any number of times.
func (c *wsConn) Close() error {
	c.closeWith(websocket.StatusNormalClosure, "", nil)
	return nil
}

// closeWith closes once with code; why, if set, is what ReadLine reports.
func (c *wsConn) closeWith(code websocket.StatusCode, reason string, why error) {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.failErr = why
		c.mu.Unlock()
		close(c.done)
		go func() { _ = c.ws.Close(code, reason) }()
	})
}

func (c *wsConn) closedErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failErr != nil {
		return c.failErr
	}
	return net.ErrClosed
}

// RemoteAddr implements Conn. Safe from any goroutine.
func (c *wsConn) RemoteAddr() net.Addr { return c.remote }

// LocalAddr implements Conn. Safe from any goroutine.
func (c *wsConn) LocalAddr() net.Addr { return c.local }

// TLS implements Conn: the HTTP server's TLS state, nil when TLS ends at a
// proxy. Safe from any goroutine.
func (c *wsConn) TLS() *tls.ConnectionState { return c.tlsState }

// Kind implements Conn. Safe from any goroutine.
func (c *wsConn) Kind() string { return c.kind }
