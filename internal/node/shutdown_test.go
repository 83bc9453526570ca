package node_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/testkit"
)

func TestShutdown(t *testing.T) {
	t.Parallel()
	n := testkit.StartNode(t, nil)
	addr := testkit.IRCAddr(n)
	alice := connect(t, addr, "alice")
	bob := connect(t, addr, "bob")
	alice.Join("#room")
	bob.Join("#room")
	alice.Roundtrip()
	pending := testkit.Dial(t, addr) // not registered yet
	pending.Send("NICK pending")
	pending.Roundtrip()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := n.Shutdown(ctx, "Server maintenance"); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	for _, c := range []*testkit.Client{alice, bob, pending} {
		msgs := c.ExpectClosed()
		if len(msgs) == 0 {
			t.Fatalf("%s: closed without a word", c.Nick)
		}
		// The ERROR is the last line, and nothing (no QUIT of the others) follows it.
		want(t, msgs[len(msgs)-1], bare("ERROR", "Closing link: Server maintenance"))
	}
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		conn.Close()
		t.Fatalf("a new connection to %s was accepted after Shutdown", addr)
	}
}
