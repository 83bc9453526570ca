package node_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/testkit"
)

// Guarantee 3 of issue 6: one sender's messages to a channel arrive in the order sent at every
// member, on every node.
func TestClusterOrder(t *testing.T) {
	nodes := startNetwork(t)
	sender := connectTo(t, nodes[0], "sender")
	sender.Join("#order")
	var members []*testkit.Client
	for i, n := range nodes {
		c := connectTo(t, n, fmt.Sprintf("member%d", i+1))
		waitMember(t, nodes, "#order", "sender", true)
		c.Join("#order")
		members = append(members, c)
	}
	for i := range nodes {
		waitMember(t, nodes, "#order", fmt.Sprintf("member%d", i+1), true)
	}
	const count = 500
	start := time.Now()
	for i := range count {
		sender.Sendf("PRIVMSG #order :%d", i)
	}
	for _, c := range members {
		for want := 0; want < count; want++ {
			m := c.ExpectFunc("PRIVMSG", func(m ircmsg.Message) bool { return m.Command == "PRIVMSG" })
			if got := m.Param(1); got != fmt.Sprint(want) {
				t.Fatalf("%s: message %d is %q", c.Nick, want, got)
			}
		}
	}
	t.Logf("%d messages to 3 nodes in %v", count, time.Since(start))
}
