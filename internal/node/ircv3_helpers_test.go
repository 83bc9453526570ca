package node_test

import (
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/node"
	"github.com/parleychat/parley/internal/testkit"
)

// startV3 runs a node for the test and returns it with its IRC address, for tests that drive core
// directly (account and host changes have no IRC command of their own yet).
func startV3(t *testing.T) (*node.Node, string) {
	t.Helper()
	n := testkit.StartNode(t, testkit.Config(t))
	return n, testkit.IRCAddr(n)
}

// capConnect dials addr, negotiates caps with CAP LS 302 (failing the test on NAK) and registers nick.
func capConnect(t *testing.T, addr, nick string, caps ...string) *testkit.Client {
	t.Helper()
	c := testkit.Dial(t, addr)
	c.Nick = nick
	c.Send("CAP LS 302")
	if len(caps) > 0 {
		c.Send("CAP REQ :" + strings.Join(caps, " "))
		m := c.ExpectFunc("CAP ACK/NAK", func(m ircmsg.Message) bool {
			return m.Command == "CAP" && (m.Param(1) == "ACK" || m.Param(1) == "NAK")
		})
		if m.Param(1) != "ACK" {
			t.Fatalf("%s: CAP REQ %v refused: %s", nick, caps, m.String())
		}
	}
	c.Send("CAP END")
	c.Register(nick)
	return c
}

// wantTag fails the test unless m carries the tag with the value.
func wantTag(t *testing.T, m ircmsg.Message, key, value string) {
	t.Helper()
	if v, ok := m.Tag(key); !ok || v != value {
		t.Fatalf("tag %s: got %q (present %v), want %q in %q", key, v, ok, value, m.String())
	}
}

// wantNoTag fails the test if m carries the tag.
func wantNoTag(t *testing.T, m ircmsg.Message, key string) {
	t.Helper()
	if _, ok := m.Tag(key); ok {
		t.Fatalf("unexpected tag %s in %q", key, m.String())
	}
}

// only returns the messages with the command.
func only(msgs []ircmsg.Message, command string) []ircmsg.Message {
	var out []ircmsg.Message
	for _, m := range msgs {
		if m.Command == command {
			out = append(out, m)
		}
	}
	return out
}
