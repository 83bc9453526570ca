package node_test

import (
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/config"
)

// noThrottle leaves only the limit under test in force.
func noThrottle(cfg *config.Config) {
	cfg.Limits.ConnectThrottle = config.Throttle{}
	cfg.Limits.PerIP = 0
}

// TestConnectFloodPerIP floods from 127.0.0.1 past limits.per_ip while 127.0.0.2, another
// loopback address, still connects: the limit is per address, not for everyone.
func TestConnectFloodPerIP(t *testing.T) {
	t.Parallel()
	n := startNodeWith(t, func(cfg *config.Config) {
		noThrottle(cfg)
		cfg.Limits.PerIP = 3
	})
	addr := n.IRCAddrs()[0].String()
	var open []*rawConn
	for i := 0; i < 3; i++ {
		c := dialFrom(t, "127.0.0.1", addr)
		c.pong()
		open = append(open, c)
	}
	for i := 0; i < 5; i++ {
		got := dialFrom(t, "127.0.0.1", addr).closedWith(5 * time.Second)
		if got != "ERROR :Too many connections from your address\r\n" {
			t.Fatalf("connection %d past the limit got %q", i+4, got)
		}
	}
	other := dialFrom(t, "127.0.0.2", addr)
	other.pong()
	if v := metricValue(t, n, `parley_connections_refused_total{reason="per_ip"}`); v != "5" {
		t.Fatalf("refusals counted: %q, want 5", v)
	}
	// A client that leaves frees its slot.
	open[0].conn.Close()
	deadlineLoop(t, func() bool {
		c := dialFrom(t, "127.0.0.1", addr)
		c.send("PING :x")
		return strings.Contains(c.readLine(), "PONG")
	})
}

// deadlineLoop retries f for a few seconds: a freed slot is released when the server notices the
// close, which takes a moment.
func deadlineLoop(t *testing.T, f func() bool) {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if f() {
			return
		}
	}
	t.Fatal("condition not met after 5s")
}

// TestConnectThrottle opens connections from one address faster than the bucket refills: past the
// burst they are refused even though each was closed, while another address is unaffected.
func TestConnectThrottle(t *testing.T) {
	t.Parallel()
	n := startNodeWith(t, func(cfg *config.Config) {
		noThrottle(cfg)
		cfg.Limits.ConnectThrottle = config.Throttle{Burst: 4, Refill: 1, Per: config.Duration(time.Hour)}
	})
	addr := n.IRCAddrs()[0].String()
	for i := 0; i < 4; i++ {
		c := dialFrom(t, "127.0.0.1", addr)
		c.pong()
		c.conn.Close()
	}
	got := dialFrom(t, "127.0.0.1", addr).closedWith(5 * time.Second)
	if !strings.HasPrefix(got, "ERROR :Too many connections in too little time") {
		t.Fatalf("past the burst: %q", got)
	}
	dialFrom(t, "127.0.0.2", addr).pong()
	if v := metricValue(t, n, `parley_connections_refused_total{reason="throttle"}`); v != "1" {
		t.Fatalf("throttle refusals counted: %q, want 1", v)
	}
}

// TestConnectPerCIDR groups 127.0.0.1 and 127.0.0.2 in one /8: the prefix limit holds across them.
func TestConnectPerCIDR(t *testing.T) {
	t.Parallel()
	n := startNodeWith(t, func(cfg *config.Config) {
		noThrottle(cfg)
		cfg.Limits.PerCIDR = config.CIDRLimit{IPv4Prefix: 8, IPv6Prefix: 48, Max: 2}
	})
	addr := n.IRCAddrs()[0].String()
	dialFrom(t, "127.0.0.1", addr).pong()
	dialFrom(t, "127.0.0.2", addr).pong()
	if got := dialFrom(t, "127.0.0.3", addr).closedWith(5 * time.Second); got != "ERROR :Too many connections from your network\r\n" {
		t.Fatalf("third in the /8: %q", got)
	}
}

// TestConnectExempt: an exempt CIDR bypasses per_ip and the throttle; others stay limited.
func TestConnectExempt(t *testing.T) {
	t.Parallel()
	n := startNodeWith(t, func(cfg *config.Config) {
		cfg.Limits.PerIP = 1
		cfg.Limits.ConnectThrottle = config.Throttle{Burst: 1, Refill: 1, Per: config.Duration(time.Hour)}
		cfg.Limits.Exempt = []string{"127.0.0.1/32"}
	})
	addr := n.IRCAddrs()[0].String()
	for i := 0; i < 6; i++ {
		dialFrom(t, "127.0.0.1", addr).pong()
	}
	dialFrom(t, "127.0.0.2", addr).pong()
	if got := dialFrom(t, "127.0.0.2", addr).closedWith(5 * time.Second); !strings.HasPrefix(got, "ERROR :Too many connections") {
		t.Fatalf("non-exempt address past its limit: %q", got)
	}
}

// TestWebSocketSharesLimits: the WebSocket door goes through the same limiter as TCP, and is
// refused with an IRC ERROR message.
func TestWebSocketSharesLimits(t *testing.T) {
	t.Parallel()
	n := startNodeWith(t, func(cfg *config.Config) {
		noThrottle(cfg)
		cfg.Limits.PerIP = 2
	})
	dialFrom(t, "127.0.0.1", n.IRCAddrs()[0].String()).pong()
	ws := dialWS(t, n)
	wsPing(t, ws)
	refused := dialWS(t, n)
	if msg, err := wsRead(t, refused); err != nil || msg != "ERROR :Too many connections from your address" {
		t.Fatalf("third connection over WebSocket: %q, %v", msg, err)
	}
	if _, err := wsRead(t, refused); err == nil {
		t.Fatal("refused WebSocket stayed open")
	}
	if got := dialFrom(t, "127.0.0.1", n.IRCAddrs()[0].String()).closedWith(5 * time.Second); !strings.HasPrefix(got, "ERROR :Too many") {
		t.Fatalf("TCP past the shared limit: %q", got)
	}
}
