package transport

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

func TestTCPFraming(t *testing.T) {
	out := make(chan result, 16)
	addr := startServer(t, nil, Options{}, recordLines(out))
	c := dial(t, addr)

	// One line split over many writes.
	for _, b := range []byte("PRIVMSG #a :split\r\n") {
		write(t, c, string(b))
		time.Sleep(time.Millisecond)
	}
	expectLine(t, out, "PRIVMSG #a :split")

	// Several lines in one write, with "\n"-only endings and an empty line.
	write(t, c, "NICK a\r\nUSER a 0 * :A\nPING x\n\r\nPONG y\r\n")
	for _, want := range []string{"NICK a", "USER a 0 * :A", "PING x", "", "PONG y"} {
		expectLine(t, out, want)
	}

	// A line whose "\r" and "\n" arrive in different reads.
	write(t, c, "QUIT :bye\r")
	time.Sleep(10 * time.Millisecond)
	write(t, c, "\n")
	expectLine(t, out, "QUIT :bye")

	_ = c.Close()
	if r := next(t, out); !errors.Is(r.err, io.EOF) {
		t.Fatalf("after client close: got (%q, %v), want EOF", r.line, r.err)
	}
}

func TestTCPLineTooLong(t *testing.T) {
	out := make(chan result, 16)
	addr := startServer(t, nil, Options{MaxLine: 100}, recordLines(out))
	c := dial(t, addr)

	// Longer than any read buffer, so the line spans many reads.
	write(t, c, strings.Repeat("a", 20000))
	if r := next(t, out); r.err != ErrLineTooLong {
		t.Fatalf("got (%q, %v), want ErrLineTooLong", r.line, r.err)
	}
	write(t, c, strings.Repeat("b", 5000)+"\r\nPING ok\r\n")
	expectLine(t, out, "PING ok")

	// Too long but complete within one read: no skipping needed.
	write(t, c, strings.Repeat("c", 101)+"\r\n"+strings.Repeat("d", 100)+"\r\n")
	if r := next(t, out); r.err != ErrLineTooLong {
		t.Fatalf("got (%q, %v), want ErrLineTooLong", r.line, r.err)
	}
	expectLine(t, out, strings.Repeat("d", 100))
}

func TestTCPWriteLinesBatch(t *testing.T) {
	const n = 1000
	lines := make([][]byte, n)
	for i := range lines {
		lines[i] = fmt.Appendf(nil, ":srv NOTICE * :line %d\r\n", i)
	}
	orig := make([][]byte, n)
	copy(orig, lines)
	errc := make(chan error, 1)
	addr := startServer(t, nil, Options{}, func(c Conn) {
		errc <- c.WriteLines(lines)
	})
	c := dial(t, addr)
	got := readAll(t, c)
	if err := next(t, errc); err != nil {
		t.Fatal(err)
	}
	if want := string(bytes.Join(orig, nil)); got != want {
		t.Fatalf("received %d bytes, want %d", len(got), len(want))
	}
	for i := range lines {
		if &lines[i][0] != &orig[i][0] || len(lines[i]) != len(orig[i]) {
			t.Fatalf("WriteLines modified the caller's slice at %d", i)
		}
	}
}

func TestTCPReadDeadline(t *testing.T) {
	out := make(chan result, 4)
	addr := startServer(t, nil, Options{}, func(c Conn) {
		_ = c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		_, err := c.ReadLine()
		out <- result{err: err}
		// The connection stays usable after a read timeout.
		_ = c.SetReadDeadline(time.Time{})
		line, err := c.ReadLine()
		out <- result{string(line), err}
	})
	c := dial(t, addr)
	start := time.Now()
	if r := next(t, out); !errors.Is(r.err, os.ErrDeadlineExceeded) {
		t.Fatalf("got %v, want deadline exceeded", r.err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("deadline fired after %v", d)
	}
	write(t, c, "PING later\r\n")
	expectLine(t, out, "PING later")
}

func TestTCPWriteDeadline(t *testing.T) {
	errc := make(chan error, 1)
	addr := startServer(t, nil, Options{}, func(c Conn) {
		_ = c.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
		chunk := [][]byte{bytes.Repeat([]byte("x"), 64<<10)}
		for {
			if err := c.WriteLines(chunk); err != nil {
				errc <- err
				return
			}
		}
	})
	_ = dial(t, addr) // never reads
	if err := next(t, errc); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("got %v, want deadline exceeded", err)
	}
}

func TestTCPCloseUnblocksReadLine(t *testing.T) {
	conns := make(chan Conn, 1)
	out := make(chan result, 1)
	addr := startServer(t, nil, Options{}, func(c Conn) {
		conns <- c
		_, err := c.ReadLine()
		out <- result{err: err}
	})
	_ = dial(t, addr)
	c := next(t, conns)
	time.Sleep(20 * time.Millisecond) // let the handler block in ReadLine
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if r := next(t, out); !errors.Is(r.err, net.ErrClosed) {
		t.Fatalf("got %v, want net.ErrClosed", r.err)
	}
	_ = c.Close() // a second Close is harmless
}

func TestTCPConnInfo(t *testing.T) {
	type info struct {
		kind          string
		remote, local string
		tls           bool
	}
	got := make(chan info, 1)
	addr := startServer(t, nil, Options{}, func(c Conn) {
		got <- info{c.Kind(), c.RemoteAddr().String(), c.LocalAddr().String(), c.TLS() != nil}
	})
	c := dial(t, addr)
	i := next(t, got)
	want := info{KindTCP, c.LocalAddr().String(), c.RemoteAddr().String(), false}
	if i != want {
		t.Fatalf("got %+v, want %+v", i, want)
	}
}

func TestOnAcceptRefuses(t *testing.T) {
	called := make(chan struct{}, 1)
	opt := Options{OnAccept: func(remote net.Addr) (func(), error) {
		if !strings.HasPrefix(remote.String(), "127.0.0.1:") {
			return nil, fmt.Errorf("unexpected remote %s", remote)
		}
		return nil, errors.New("Too many connections\r\nfrom your host")
	}}
	addr := startServer(t, nil, opt, func(Conn) { called <- struct{}{} })
	c := dial(t, addr)
	if got, want := readAll(t, c), "ERROR :Too many connections  from your host\r\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	select {
	case <-called:
		t.Fatal("handler ran for a refused connection")
	default:
	}
}

func TestListenerClose(t *testing.T) {
	out := make(chan result, 4)
	l, err := Listen("tcp", "127.0.0.1:0", nil, recordLines(out), Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := dial(t, l.Addr().String())
	write(t, c, "ONE\r\n")
	expectLine(t, out, "ONE")
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	// Accepted connections survive; new ones are refused.
	write(t, c, "TWO\r\n")
	expectLine(t, out, "TWO")
	if c2, err := net.DialTimeout("tcp", l.Addr().String(), time.Second); err == nil {
		_ = c2.Close()
		t.Fatal("dial succeeded after Close")
	}
}

func TestHandlerPanicIsContained(t *testing.T) {
	addr := startServer(t, nil, Options{}, func(Conn) { panic("boom") })
	c := dial(t, addr)
	// The connection is closed and the process survives.
	if _, err := bufio.NewReader(c).ReadByte(); err != io.EOF {
		t.Fatalf("got %v, want EOF", err)
	}
}
