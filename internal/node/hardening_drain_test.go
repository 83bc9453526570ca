package node_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/node"
	"github.com/parleychat/parley/internal/testkit"
)

// TestDrain: every client, registered or not, is told to reconnect and then closed with
// "Server draining"; the listener stops accepting; Drain returns once they are gone.
func TestDrain(t *testing.T) {
	t.Parallel()
	n := testkit.StartNode(t, nil)
	addr := testkit.IRCAddr(n)
	alice := connect(t, addr, "alice")
	bob := connect(t, addr, "bob")
	unregistered := dialFrom(t, "127.0.0.1", addr)
	unregistered.pong()

	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		done <- n.Drain(ctx)
	}()
	for _, c := range []*testkit.Client{alice, bob} {
		msgs := c.ExpectClosed()
		if len(msgs) < 2 {
			t.Fatalf("%s got %s", c.Nick, dump(msgs))
		}
		want(t, msgs[len(msgs)-2], msg("", "NOTICE", c.Nick, node.DrainNotice))
		want(t, msgs[len(msgs)-1], bare("ERROR", "Closing link: "+node.DrainReason))
	}
	if got := unregistered.closedWith(5 * time.Second); got != ":irc.test NOTICE * :"+node.DrainNotice+"\r\nERROR :Closing link: "+node.DrainReason+"\r\n" {
		t.Fatalf("unregistered client got %q", got)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Drain: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Drain did not return once every client had gone")
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatal("the listener still accepts after a drain")
	}
}
