package node_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/config"
)

// within fails the test unless d lies in [lo, hi].
func within(t *testing.T, what string, d, lo, hi time.Duration) {
	t.Helper()
	if d < lo || d > hi {
		t.Fatalf("%s after %v, want between %v and %v", what, d, lo, hi)
	}
}

// TestSlowlorisRegistration sends one byte a second and never ends a line: the registration
// deadline is absolute, so trickling bytes must not extend it.
func TestSlowlorisRegistration(t *testing.T) {
	t.Parallel()
	n := startNodeWith(t, func(cfg *config.Config) {
		cfg.Limits.RegistrationTimeout = config.Duration(2 * time.Second)
	})
	c := dialFrom(t, "127.0.0.1", n.IRCAddrs()[0].String())
	begin := time.Now()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for _, b := range []byte("NICK slowlorisslowlorisslowloris") {
			if _, err := c.conn.Write([]byte{b}); err != nil {
				return
			}
			select {
			case <-tick.C:
			case <-stop:
				return
			}
		}
	}()
	got := c.closedWith(10 * time.Second)
	within(t, "closed", time.Since(begin), 1500*time.Millisecond, 5*time.Second)
	if !strings.Contains(got, "ERROR :Closing link: Registration timed out") {
		t.Fatalf("got %q", got)
	}
}

// TestTLSHandshakeStall opens a TCP connection to the TLS port and sends half a ClientHello: the
// node closes it once the handshake time (here limits.registration_timeout) is up.
func TestTLSHandshakeStall(t *testing.T) {
	t.Parallel()
	n := startNodeWith(t, func(cfg *config.Config) {
		cfg.DevTLS = true
		cfg.Listen.TLS = []string{"127.0.0.1:0"}
		cfg.Limits.RegistrationTimeout = config.Duration(time.Second)
	})
	c := dialFrom(t, "127.0.0.1", n.TLSAddrs()[0].String())
	begin := time.Now()
	// A TLS record header announcing a 512-byte handshake message, then nothing.
	if _, err := c.conn.Write([]byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01}); err != nil {
		t.Fatal(err)
	}
	c.closedWith(10 * time.Second)
	within(t, "stalled TLS handshake closed", time.Since(begin), 700*time.Millisecond, 5*time.Second)
}

// TestWebSocketHandshakeStall sends the start of an upgrade request and never finishes its
// headers: the HTTP server drops it at the handshake deadline.
func TestWebSocketHandshakeStall(t *testing.T) {
	t.Parallel()
	n := startNodeWith(t, func(cfg *config.Config) {
		cfg.Limits.RegistrationTimeout = config.Duration(time.Second)
	})
	conn, err := net.DialTimeout("tcp", n.HTTPAddr().String(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	begin := time.Now()
	if _, err := conn.Write([]byte("GET /ws HTTP/1.1\r\nHost: irc.test\r\nUpgrade: websocket\r\n")); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 4096)
	for {
		if _, err := conn.Read(buf); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("half-sent upgrade request still open after 10s")
			}
			break
		}
	}
	within(t, "stalled upgrade request closed", time.Since(begin), 700*time.Millisecond, 5*time.Second)
}
