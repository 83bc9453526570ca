package testkit

import (
	"errors"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/ircmsg"
)

// DialSmallWindow connects to addr with the socket's receive buffer limited to rcvBuf bytes before
// the handshake, so that a client that stops reading fills the server's queue quickly instead of
// parking megabytes in the kernel.
func DialSmallWindow(t testing.TB, addr string, rcvBuf int) *Client {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second, Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = setRcvBuf(fd, rcvBuf)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	return wrap(t, conn)
}

// Write writes raw bytes as they are: several lines in one write, half a line, bytes that are not
// UTF-8.
func (c *Client) Write(p []byte) {
	c.t.Helper()
	c.Conn.SetWriteDeadline(time.Now().Add(c.Timeout))
	if _, err := c.Conn.Write(p); err != nil {
		c.t.Fatalf("%s: write %q: %v", c.Nick, p, err)
	}
}

// ExpectClosed reads until the server closes the connection and returns every message received
// before the close. It fails the test when the connection is still open after the client's Timeout.
func (c *Client) ExpectClosed() []ircmsg.Message {
	c.t.Helper()
	var got []ircmsg.Message
	deadline := time.Now().Add(c.Timeout)
	for {
		c.Conn.SetReadDeadline(deadline)
		line, err := c.r.ReadString('\n')
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				c.t.Fatalf("%s: connection still open after %v (got %d lines)", c.Nick, c.Timeout, len(got))
			}
			return got // EOF or reset: the server closed the connection
		}
		if m, perr := ircmsg.Parse([]byte(trimEOL(line)), readLimits); perr == nil {
			got = append(got, m)
		}
	}
}

// ExpectError reads until the server closes the connection, and returns the text of its
// "ERROR :<text>" line; it fails the test when the connection closes without one.
func (c *Client) ExpectError() string {
	c.t.Helper()
	msgs := c.ExpectClosed()
	m, ok := Find(msgs, "ERROR")
	if !ok {
		c.t.Fatalf("%s: connection closed without ERROR (got %q)", c.Nick, Commands(msgs))
	}
	return m.Param(0)
}

// FindAll returns the messages with the command among msgs, in order.
func FindAll(msgs []ircmsg.Message, command string) []ircmsg.Message {
	var out []ircmsg.Message
	for _, m := range msgs {
		if m.Command == command {
			out = append(out, m)
		}
	}
	return out
}

func trimEOL(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}
