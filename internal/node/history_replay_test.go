package node_test

import (
	"testing"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/testkit"
)

// joinBurst sends JOIN and returns every line up to the answer of a PING sent right after it.
func joinBurst(t *testing.T, c *testkit.Client, channel string) []ircmsg.Message {
	t.Helper()
	c.Send("JOIN " + channel)
	c.Send("PING :burst-end")
	var out []ircmsg.Message
	for {
		m, err := c.ReadMsg()
		if err != nil {
			t.Fatalf("JOIN %s: %v", channel, err)
		}
		if m.Command == "PONG" && m.Param(len(m.Params)-1) == "burst-end" {
			return out
		}
		out = append(out, m)
	}
}

func privmsgs(msgs []ircmsg.Message) []ircmsg.Message {
	var out []ircmsg.Message
	for _, m := range msgs {
		if m.Command == "PRIVMSG" {
			out = append(out, m)
		}
	}
	return out
}

func TestReplayOnJoin(t *testing.T) {
	t.Parallel()
	addr := start(t, func(cfg *config.Config) { cfg.History.ReplayOnJoin = 3 })
	alice := capConnect(t, addr, "alice", historyCaps...)
	alice.Join("#r")
	ids := say(t, alice, "#r", "m", 5)

	// batch + server-time: the last three in a chathistory batch, with time and msgid tags.
	bob := capConnect(t, addr, "bob", "batch", "server-time", "message-tags")
	burst := joinBurst(t, bob, "#r")
	got := privmsgs(burst)
	if texts(got) != "m2,m3,m4" {
		t.Fatalf("bob's replay: %q, want m2,m3,m4 (burst %v)", texts(got), burst)
	}
	var ref string
	for _, m := range burst {
		if m.Command == "BATCH" && m.Param(1) == "chathistory" {
			ref = m.Param(0)[1:]
			if m.Param(2) != "#r" {
				t.Errorf("batch target %q, want #r", m.Param(2))
			}
		}
	}
	if ref == "" {
		t.Fatalf("no chathistory batch in %v", burst)
	}
	for i, m := range got {
		if b, _ := m.Tag("batch"); b != ref {
			t.Errorf("%s outside the batch (batch=%q)", m.Param(1), b)
		}
		if _, ok := m.Tag("time"); !ok {
			t.Errorf("%s has no server-time tag", m.Param(1))
		}
		if id, _ := m.Tag("msgid"); id != ids[i+2] {
			t.Errorf("%s msgid %q, want %q", m.Param(1), id, ids[i+2])
		}
	}
	if burst[0].Command != "JOIN" {
		t.Errorf("the replay came before the JOIN: %v", burst[0])
	}

	// No capabilities: plain lines without tags, no batch.
	carol := connect(t, addr, "carol")
	burst = joinBurst(t, carol, "#r")
	got = privmsgs(burst)
	if texts(got) != "m2,m3,m4" {
		t.Fatalf("carol's replay: %q", texts(got))
	}
	for _, m := range burst {
		if len(m.Tags) > 0 || m.Command == "BATCH" {
			t.Errorf("a client without capabilities got %v", m)
		}
	}

	// draft/chathistory: nothing, the client asks for what it wants.
	dave := capConnect(t, addr, "dave", historyCaps...)
	if got := privmsgs(joinBurst(t, dave, "#r")); len(got) != 0 {
		t.Errorf("a draft/chathistory client got a replay: %q", texts(got))
	}
}

func TestReplayOnJoinOffByDefault(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := capConnect(t, addr, "alice", historyCaps...)
	alice.Join("#r")
	say(t, alice, "#r", "m", 2)
	if got := privmsgs(joinBurst(t, connect(t, addr, "bob"), "#r")); len(got) != 0 {
		t.Errorf("replay with history.replay_on_join 0: %q", texts(got))
	}
}

func TestChatHistoryAfterRename(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := capConnect(t, addr, "alice", append(historyCaps, "draft/channel-rename")...)
	alice.Join("#before")
	say(t, alice, "#before", "m", 3)
	alice.Send("RENAME #before #after :moving")
	alice.ExpectFunc("RENAME", func(m ircmsg.Message) bool { return m.Command == "RENAME" })
	say(t, alice, "#after", "n", 1)
	if got := texts(batchLines(t, alice, "CHATHISTORY LATEST #after * 10")); got != "m0,m1,m2,n0" {
		t.Errorf("history under the new name: %q, want m0,m1,m2,n0", got)
	}
	// The old name is no channel now: CHATHISTORY refuses it rather than serve the moved lines.
	if got := texts(batchLines(t, alice, "CHATHISTORY LATEST #before * 10")); got != "FAIL CHATHISTORY INVALID_TARGET LATEST #before" {
		t.Errorf("the old name after the rename: %q", got)
	}
	// A new channel that takes the old name starts empty.
	alice.Join("#before")
	say(t, alice, "#before", "x", 1)
	if got := texts(batchLines(t, alice, "CHATHISTORY LATEST #before * 10")); got != "x0" {
		t.Errorf("the old name reused: %q, want x0", got)
	}
}
