package testkit

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/ircmsg"
)

// Client is a scripted IRC client over a real socket. Its methods fail the test on errors and
// time-outs; they are for one test goroutine.
type Client struct {
	t       testing.TB
	Conn    net.Conn
	r       *bufio.Reader
	Nick    string
	Timeout time.Duration
}

// Dial connects to addr.
func Dial(t testing.TB, addr string) *Client {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	return wrap(t, conn)
}

// DialTLS connects to addr over TLS without verifying the certificate.
func DialTLS(t testing.TB, addr string, conf *tls.Config) *Client {
	t.Helper()
	if conf == nil {
		conf = &tls.Config{InsecureSkipVerify: true}
	}
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, conf)
	if err != nil {
		t.Fatalf("dial tls %s: %v", addr, err)
	}
	return wrap(t, conn)
}

func wrap(t testing.TB, conn net.Conn) *Client {
	c := &Client{t: t, Conn: conn, r: bufio.NewReaderSize(conn, 64<<10), Timeout: 5 * time.Second}
	t.Cleanup(func() { conn.Close() })
	return c
}

// Send writes one line (CRLF added).
func (c *Client) Send(line string) {
	c.t.Helper()
	c.Conn.SetWriteDeadline(time.Now().Add(c.Timeout))
	if _, err := c.Conn.Write([]byte(line + "\r\n")); err != nil {
		c.t.Fatalf("%s: send %q: %v", c.Nick, line, err)
	}
}

// Sendf formats and sends one line.
func (c *Client) Sendf(format string, args ...any) {
	c.t.Helper()
	c.Send(fmt.Sprintf(format, args...))
}

// ReadMsg reads and parses the next line.
func (c *Client) ReadMsg() (ircmsg.Message, error) {
	c.Conn.SetReadDeadline(time.Now().Add(c.Timeout))
	line, err := c.r.ReadString('\n')
	if err != nil {
		return ircmsg.Message{}, err
	}
	return ircmsg.Parse([]byte(strings.TrimRight(line, "\r\n")), readLimits)
}

// readLimits are what a client accepts from a server: a relayed 512-byte line grows by the
// sender's prefix, so the server's own input limit would be too strict here.
var readLimits = ircmsg.Limits{MaxLine: 4096, MaxTags: 8191, MaxClientTags: 4094}

// Expect reads until a message with the command arrives and returns it; other lines are skipped.
func (c *Client) Expect(command string) ircmsg.Message {
	c.t.Helper()
	return c.ExpectFunc(command, func(m ircmsg.Message) bool { return m.Command == command })
}

// ExpectFunc reads until pred accepts a message; what names the expectation in failures.
func (c *Client) ExpectFunc(what string, pred func(ircmsg.Message) bool) ircmsg.Message {
	c.t.Helper()
	var seen []string
	for {
		m, err := c.ReadMsg()
		if err != nil {
			c.t.Fatalf("%s: waiting for %s: %v (seen: %q)", c.Nick, what, err, seen)
		}
		if pred(m) {
			return m
		}
		seen = append(seen, m.String())
	}
}

var tokenSeq atomic.Uint64

// Roundtrip sends PING with a fresh token and returns every message received before its PONG, so
// everything the server queued for this client before now has been read.
func (c *Client) Roundtrip() []ircmsg.Message {
	c.t.Helper()
	token := "rt" + strconv.FormatUint(tokenSeq.Add(1), 10)
	c.Send("PING " + token)
	var got []ircmsg.Message
	for {
		m, err := c.ReadMsg()
		if err != nil {
			c.t.Fatalf("%s: waiting for PONG %s: %v (got %d lines)", c.Nick, token, err, len(got))
		}
		if m.Command == "PONG" && m.Param(len(m.Params)-1) == token {
			return got
		}
		got = append(got, m)
	}
}

// Register sends NICK and USER and waits for the end of the welcome burst (376 or 422).
func (c *Client) Register(nick string) []ircmsg.Message {
	c.t.Helper()
	c.Nick = nick
	c.Send("NICK " + nick)
	c.Send("USER " + strings.ToLower(nick) + " 0 * :Test user " + nick)
	var got []ircmsg.Message
	for {
		m, err := c.ReadMsg()
		if err != nil {
			c.t.Fatalf("%s: registering: %v (got %v)", nick, err, got)
		}
		got = append(got, m)
		if m.Command == "376" || m.Command == "422" {
			return got
		}
		if m.Command == "433" || m.Command == "432" || m.Command == "ERROR" {
			c.t.Fatalf("%s: registration refused: %s", nick, m.String())
		}
	}
}

// Join joins a channel and waits for the end of NAMES; a refusal (an error numeric or a FAIL)
// fails the test, saying why. Tests of refusals send JOIN themselves.
func (c *Client) Join(channel string) {
	c.t.Helper()
	c.Send("JOIN " + channel)
	m := c.ExpectFunc("366 "+channel, func(m ircmsg.Message) bool {
		// Lines still unread from before (the welcome's 422, say) are not the JOIN's answer.
		return m.Command == "366" ||
			m.Command == "FAIL" && (m.Param(0) == "JOIN" || m.Param(0) == "*") ||
			m.Command >= "400" && m.Command < "600" && strings.EqualFold(m.Param(1), channel)
	})
	if m.Command != "366" {
		c.t.Errorf("%s: JOIN %s refused: %s", c.Nick, channel, m.String())
	}
}

// Find returns the first message with the command among msgs.
func Find(msgs []ircmsg.Message, command string) (ircmsg.Message, bool) {
	for _, m := range msgs {
		if m.Command == command {
			return m, true
		}
	}
	return ircmsg.Message{}, false
}

// Commands lists the commands of msgs, for compact assertions.
func Commands(msgs []ircmsg.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Command
	}
	return out
}
