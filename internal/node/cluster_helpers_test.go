package node_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/node"
	"github.com/parleychat/parley/internal/testkit"
)

// clusterWait bounds every wait for a change to cross the network in the cluster tests.
const clusterWait = 30 * time.Second

// startNetwork starts a three-node network, skipped under -short.
func startNetwork(t *testing.T) []*node.Node {
	t.Helper()
	if testing.Short() {
		t.Skip("multi-node test")
	}
	return testkit.StartCluster(t, 3)
}

// connectTo registers nick on the node.
func connectTo(t *testing.T, n *node.Node, nick string) *testkit.Client {
	t.Helper()
	return connect(t, testkit.IRCAddr(n), nick)
}

// waitUser waits until every node knows nick (or, with present false, until none does).
func waitUser(t *testing.T, nodes []*node.Node, nick string, present bool) {
	t.Helper()
	testkit.CheckFor(t, clusterWait, 5*time.Millisecond, func() error {
		for i, n := range nodes {
			if (n.Network().FindUser(nick) != nil) != present {
				return fmt.Errorf("node %d: user %s present=%v", i+1, nick, !present)
			}
		}
		return nil
	})
}

// waitMember waits until every node's replica shows nick in channel (or, with present false, not).
func waitMember(t *testing.T, nodes []*node.Node, channel, nick string, present bool) {
	t.Helper()
	testkit.CheckFor(t, clusterWait, 5*time.Millisecond, func() error {
		for i, n := range nodes {
			c := n.Network().FindChannel(channel)
			u := n.Network().FindUser(nick)
			in := false
			if c != nil && u != nil {
				_, in = c.Membership(u)
			}
			if in != present {
				return fmt.Errorf("node %d: %s in %s = %v", i+1, nick, channel, in)
			}
		}
		return nil
	})
}

// expectFrom reads until a message with the command from the source's nick arrives.
func expectFrom(t *testing.T, c *testkit.Client, nick, command string) ircmsg.Message {
	t.Helper()
	return c.ExpectFunc(nick+" "+command, func(m ircmsg.Message) bool {
		return m.Command == command && (m.Source == nick || len(m.Source) > len(nick) && m.Source[:len(nick)+1] == nick+"!")
	})
}

// waitRank waits until the node's replica gives nick the rank with the symbol in channel.
func waitRank(t *testing.T, n *node.Node, channel, nick string, symbol byte) {
	t.Helper()
	testkit.CheckFor(t, clusterWait, 5*time.Millisecond, func() error {
		c, u := n.Network().FindChannel(channel), n.Network().FindUser(nick)
		if c == nil || u == nil {
			return fmt.Errorf("no %s or %s", channel, nick)
		}
		m, _ := c.Membership(u)
		if !m.Prefixes.AtLeast(model.PrefixForSymbol(symbol)) {
			return fmt.Errorf("%s in %s has ranks %b", nick, channel, m.Prefixes)
		}
		return nil
	})
}

// waitBan waits until the node's replica of channel holds the ban mask.
func waitBan(t *testing.T, n *node.Node, channel, mask string) {
	t.Helper()
	testkit.CheckFor(t, clusterWait, 5*time.Millisecond, func() error {
		if c := n.Network().FindChannel(channel); c != nil {
			for _, b := range c.Bans() {
				if b.Mask == mask {
					return nil
				}
			}
		}
		return fmt.Errorf("no ban %s on %s", mask, channel)
	})
}

// waitList waits until the node's replica has (or, with present false, lacks) mask in the
// channel's list mode (e, I).
func waitList(t *testing.T, n *node.Node, channel string, mode byte, mask string, present bool) {
	t.Helper()
	testkit.CheckFor(t, clusterWait, 5*time.Millisecond, func() error {
		found := false
		if c := n.Network().FindChannel(channel); c != nil {
			for _, e := range c.List(mode) {
				found = found || e.Mask == mask
			}
		}
		if found != present {
			return fmt.Errorf("+%c %s on %s: %v", mode, mask, channel, found)
		}
		return nil
	})
}

// waitAway waits until the node's replica shows nick away with text.
func waitAway(t *testing.T, n *node.Node, nick, text string) {
	t.Helper()
	testkit.CheckFor(t, clusterWait, 5*time.Millisecond, func() error {
		if u := n.Network().FindUser(nick); u != nil && u.Away() == text {
			return nil
		}
		return fmt.Errorf("%s not away with %q", nick, text)
	})
}

// waitModes waits until the node's replica of channel has exactly the flag modes.
func waitModes(t *testing.T, n *node.Node, channel, modes string) {
	t.Helper()
	testkit.CheckFor(t, clusterWait, 5*time.Millisecond, func() error {
		if c := n.Network().FindChannel(channel); c != nil {
			if got, _ := c.Modes().String(true); got == modes {
				return nil
			}
		}
		return fmt.Errorf("%s not %s", channel, modes)
	})
}
