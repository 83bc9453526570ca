// Package testkit starts parley nodes in process on 127.0.0.1:0 and drives them with scripted IRC
// clients over real sockets. It is imported only by tests.
package testkit

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/node"

	"github.com/parleychat/parley/internal/freeport"
)

// Config returns a configuration for a test node: loopback listeners on port 0, a temporary data
// directory, flood control off and short timeouts.
func Config(t testing.TB) *config.Config {
	cfg := config.Defaults()
	cfg.Server.Name = "irc.test"
	cfg.Server.Network = "TestNet"
	cfg.Listen.IRC = []string{"127.0.0.1:0"}
	cfg.Listen.HTTP = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.Limits.Flood.Enabled = false
	return cfg
}

// StartNode builds and starts a node from cfg (nil: Config(t)) and shuts it down when the test ends.
func StartNode(t testing.TB, cfg *config.Config) *node.Node {
	t.Helper()
	if cfg == nil {
		cfg = Config(t)
	}
	n, err := newNode(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopNode(n) })
	return n
}

// newNode validates cfg, builds the node and starts it.
func newNode(cfg *config.Config) (*node.Node, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("test config: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("PARLEY_TEST_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	n, err := node.New(cfg, node.Options{Logger: logger, Version: "parley-test"})
	if err != nil {
		return nil, fmt.Errorf("node.New: %w", err)
	}
	if err := n.Start(); err != nil {
		stopNode(n)
		return nil, fmt.Errorf("node.Start: %w", err)
	}
	return n, nil
}

// stopped remembers the nodes already shut down, so a test may stop one itself.
var stopped sync.Map

// StopNode shuts a node down now (a test's node loss or restart), giving it five seconds; the
// shutdown at the end of the test then does nothing. Safe for concurrent use.
func StopNode(n *node.Node) { stopNode(n) }

// stopNode shuts a node down once, giving it five seconds.
func stopNode(n *node.Node) {
	if _, done := stopped.LoadOrStore(n, true); done {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n.Shutdown(ctx, "test over")
}

// IRCAddr returns the node's first plain IRC address as host:port.
func IRCAddr(n *node.Node) string { return n.IRCAddrs()[0].String() }

// CheckFor calls f every poll until it returns nil or wait has passed, then fails the test with
// f's last error.
func CheckFor(t testing.TB, wait, poll time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("condition not met after %v: %v", wait, err)
		}
		time.Sleep(poll)
	}
}

// FreeAddr returns a loopback address with a port that was free a moment ago.
func FreeAddr(t testing.TB) string { return freeport.Addr(t) }
