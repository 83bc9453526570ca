package transport

import (
	"bufio"
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"
)

// result is one ReadLine outcome seen by a test handler.
type result struct {
	line string
	err  error
}

// startServer listens on 127.0.0.1:0 and returns the address; the listener
// is closed at the end of the test.
func startServer(t *testing.T, tlsConf *tls.Config, opt Options, h Handler) string {
	t.Helper()
	l, err := Listen("tcp", "127.0.0.1:0", tlsConf, h, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l.Addr().String()
}

// recordLines is a handler that reports every ReadLine outcome on a
// channel until a non-recoverable error.
func recordLines(out chan<- result) Handler {
	return func(c Conn) {
		for {
			line, err := c.ReadLine()
			out <- result{string(line), err}
			if err != nil && err != ErrLineTooLong {
				return
			}
		}
	}
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func write(t *testing.T, c net.Conn, s string) {
	t.Helper()
	if _, err := c.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
}

// next waits for the next handler result.
func next[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatal("timed out waiting for the server")
		panic("unreachable")
	}
}

// expectLine asserts the next result is line without error.
func expectLine(t *testing.T, ch <-chan result, line string) {
	t.Helper()
	r := next(t, ch)
	if r.err != nil || r.line != line {
		t.Fatalf("got (%q, %v), want %q", r.line, r.err, line)
	}
}

// readAllLines reads from c until EOF and returns what arrived.
func readAll(t *testing.T, c net.Conn) string {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var sb strings.Builder
	_, err := bufio.NewReader(c).WriteTo(&sb)
	if err != nil {
		t.Fatalf("read: %v (got %q)", err, sb.String())
	}
	return sb.String()
}
