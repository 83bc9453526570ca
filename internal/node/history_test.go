package node_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/node"
	"github.com/parleychat/parley/internal/testkit"
)

var historyCaps = []string{"batch", "server-time", "message-tags", "echo-message", "labeled-response", "draft/chathistory"}

// say sends n messages "<prefix>0".. to target, each after the previous echo, and returns their
// msgids: the echo means "stored".
func say(t *testing.T, c *testkit.Client, target, prefix string, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range n {
		text := fmt.Sprintf("%s%d", prefix, i)
		c.Send("PRIVMSG " + target + " :" + text)
		m := c.ExpectFunc("echo of "+text, func(m ircmsg.Message) bool { return m.Command == "PRIVMSG" && m.Param(1) == text })
		ids[i], _ = m.Tag("msgid")
	}
	return ids
}

// batchLines sends line and returns the lines of the batch it answers with (commands other than
// BATCH), or the FAIL it answers with.
func batchLines(t *testing.T, c *testkit.Client, line string) []ircmsg.Message {
	t.Helper()
	c.Send(line)
	var out []ircmsg.Message
	open := ""
	for {
		m, err := c.ReadMsg()
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		switch {
		case m.Command == "FAIL":
			return []ircmsg.Message{m}
		case m.Command == "BATCH" && strings.HasPrefix(m.Param(0), "+") && m.Param(1) != "labeled-response":
			open = m.Param(0)[1:]
		case m.Command == "BATCH" && open != "" && m.Param(0) == "-"+open:
			return out
		case open != "":
			if b, _ := m.Tag("batch"); b == open {
				out = append(out, m)
			}
		}
	}
}

func texts(msgs []ircmsg.Message) string {
	var s []string
	for _, m := range msgs {
		switch m.Command {
		case "PRIVMSG", "NOTICE":
			s = append(s, m.Param(1))
		case "FAIL":
			s = append(s, "FAIL "+strings.Join(m.Params[:len(m.Params)-1], " "))
		default:
			s = append(s, m.Command)
		}
	}
	return strings.Join(s, ",")
}

func TestChatHistorySubcommands(t *testing.T) {
	addr := start(t, nil)
	alice := capConnect(t, addr, "alice", historyCaps...)
	alice.Join("#h")
	ids := say(t, alice, "#h", "m", 10)
	id := func(i int) string { return "msgid=" + ids[i] }
	cases := []struct{ line, want string }{
		{"CHATHISTORY LATEST #h * 3", "m7,m8,m9"},
		{"CHATHISTORY LATEST #H " + id(7) + " 10", "m8,m9"},
		{"CHATHISTORY BEFORE #h " + id(5) + " 2", "m3,m4"},
		{"CHATHISTORY AFTER #h " + id(5) + " 2", "m6,m7"},
		{"CHATHISTORY AROUND #h " + id(5) + " 4", "m3,m4,m5,m6"},
		{"CHATHISTORY BETWEEN #h " + id(2) + " " + id(7) + " 10", "m3,m4,m5,m6"},
		{"CHATHISTORY BETWEEN #h " + id(7) + " " + id(2) + " 2", "m5,m6"},
		{"CHATHISTORY AFTER #h timestamp=2000-01-01T00:00:00.000Z 2", "m0,m1"},
		{"CHATHISTORY FOO #h * 3", "FAIL CHATHISTORY UNKNOWN_COMMAND FOO"},
		{"CHATHISTORY LATEST #h *", "FAIL CHATHISTORY NEED_MORE_PARAMS LATEST"},
		{"CHATHISTORY LATEST #nowhere * 3", "FAIL CHATHISTORY INVALID_TARGET LATEST #nowhere"},
		{"CHATHISTORY LATEST bob * 3", "FAIL CHATHISTORY INVALID_TARGET LATEST bob"},
		{"CHATHISTORY BEFORE #h msgid=nope 3", "FAIL CHATHISTORY INVALID_PARAMS BEFORE msgid=nope"},
		{"CHATHISTORY BEFORE #h * 3", "FAIL CHATHISTORY INVALID_PARAMS BEFORE *"},
		{"CHATHISTORY LATEST #h * zero", "FAIL CHATHISTORY INVALID_PARAMS LATEST zero"},
	}
	for _, c := range cases {
		if got := texts(batchLines(t, alice, c.line)); got != c.want {
			t.Errorf("%s\n got  %s\n want %s", c.line, got, c.want)
		}
	}
	targets := batchLines(t, alice, "CHATHISTORY TARGETS timestamp=2000-01-01T00:00:00Z timestamp=2100-01-01T00:00:00Z 10")
	if len(targets) != 1 || targets[0].Param(1) != "#h" {
		t.Errorf("TARGETS = %s", dump(targets))
	}
	// Paginating backwards from the newest visits every message once.
	var seen []string
	ref := "*"
	for {
		page := batchLines(t, alice, "CHATHISTORY BEFORE #h "+ref+" 3")
		if ref == "*" {
			page = batchLines(t, alice, "CHATHISTORY LATEST #h * 3")
		}
		if len(page) == 0 {
			break
		}
		seen = append(strings.Split(texts(page), ","), seen...)
		first, _ := page[0].Tag("msgid")
		ref = "msgid=" + first
	}
	if got := strings.Join(seen, ","); got != "m0,m1,m2,m3,m4,m5,m6,m7,m8,m9" {
		t.Errorf("pagination visited %s", got)
	}
}

func TestEventPlayback(t *testing.T) {
	addr := start(t, nil)
	alice := capConnect(t, addr, "alice", append(historyCaps, "draft/event-playback")...)
	alice.Join("#e")
	say(t, alice, "#e", "x", 1)
	bob := connect(t, addr, "bob")
	bob.Join("#e")
	alice.Send("TOPIC #e :news")
	alice.Expect("TOPIC")
	bob.Send("PART #e :bye")
	alice.ExpectFunc("bob's part", func(m ircmsg.Message) bool { return m.Command == "PART" })
	var got string
	for range 50 { // events are stored without waiting: poll until they are
		if got = texts(batchLines(t, alice, "CHATHISTORY LATEST #e * 10")); got == "JOIN,x0,JOIN,TOPIC,PART" {
			break
		}
	}
	if got != "JOIN,x0,JOIN,TOPIC,PART" {
		t.Fatalf("with event-playback: %s", got)
	}
	carol := capConnect(t, addr, "carol", historyCaps...)
	carol.Join("#e")
	if got := texts(batchLines(t, carol, "CHATHISTORY LATEST #e * 10")); got != "x0" {
		t.Fatalf("without event-playback: %s", got)
	}
}

// login marks nick as logged into account, as SASL would.
func login(t *testing.T, n *node.Node, nick, account string) {
	t.Helper()
	u := n.Network().FindUser(nick)
	if u == nil {
		t.Fatalf("no user %s", nick)
	}
	n.Network().SetUserAccount(u, account)
}

func TestMarkReadAcrossSessions(t *testing.T) {
	n, addr := startV3(t)
	phone := capConnect(t, addr, "phone", "draft/read-marker", "labeled-response")
	laptop := capConnect(t, addr, "laptop", "draft/read-marker")
	login(t, n, "phone", "alice")
	login(t, n, "laptop", "alice")
	phone.Roundtrip()
	laptop.Roundtrip()

	phone.Send("MARKREAD #h")
	want(t, phone.Expect("MARKREAD"), msg("", "MARKREAD", "#h", "*"))
	phone.Send("MARKREAD #h timestamp=2030-01-02T03:04:05.678Z")
	want(t, phone.Expect("MARKREAD"), msg("", "MARKREAD", "#h", "timestamp=2030-01-02T03:04:05.678Z"))
	want(t, laptop.Expect("MARKREAD"), msg("", "MARKREAD", "#h", "timestamp=2030-01-02T03:04:05.678Z"))
	// An older marker does not move it back, on any device.
	laptop.Send("MARKREAD #H timestamp=2020-01-01T00:00:00.000Z")
	want(t, laptop.Expect("MARKREAD"), msg("", "MARKREAD", "#H", "timestamp=2030-01-02T03:04:05.678Z"))
	laptop.Send("MARKREAD #h")
	want(t, laptop.Expect("MARKREAD"), msg("", "MARKREAD", "#h", "timestamp=2030-01-02T03:04:05.678Z"))

	anon := capConnect(t, addr, "anon", "draft/read-marker")
	anon.Send("MARKREAD #h")
	if m := anon.Expect("FAIL"); m.Param(1) != "ACCOUNT_REQUIRED" {
		t.Fatalf("without an account: %s", m.String())
	}
	phone.Send("MARKREAD #h timestamp=yesterday")
	if m := phone.Expect("FAIL"); m.Param(1) != "INVALID_PARAMS" {
		t.Fatalf("bad timestamp: %s", m.String())
	}
}

func TestRedactPermissions(t *testing.T) {
	addr := start(t, nil)
	caps := append(historyCaps, "draft/message-redaction")
	op := capConnect(t, addr, "op", caps...)
	op.Join("#r") // first in: channel operator
	bob := capConnect(t, addr, "bob", caps...)
	bob.Join("#r")
	carol := capConnect(t, addr, "carol", caps...)
	carol.Join("#r")
	opIDs := say(t, op, "#r", "op", 1)
	bobIDs := say(t, bob, "#r", "bob", 2)
	carol.Roundtrip()

	carol.Send("REDACT #r " + bobIDs[0])
	if m := carol.Expect("FAIL"); m.Param(1) != "REDACT_FORBIDDEN" {
		t.Fatalf("carol redacting bob's message: %s", m.String())
	}
	bob.Send("REDACT #r " + opIDs[0])
	if m := bob.Expect("FAIL"); m.Param(1) != "REDACT_FORBIDDEN" {
		t.Fatalf("bob redacting the op's message: %s", m.String())
	}
	bob.Send("REDACT #r " + bobIDs[0] + " :typo")
	want(t, bob.Expect("REDACT"), msg(prefix("bob"), "REDACT", "#r", bobIDs[0], "typo"))
	want(t, carol.Expect("REDACT"), msg(prefix("bob"), "REDACT", "#r", bobIDs[0], "typo"))
	op.Send("REDACT #r " + bobIDs[1])
	own := op.ExpectFunc("own REDACT", func(m ircmsg.Message) bool { return m.Command == "REDACT" && m.Source == prefix("op") })
	want(t, own, msg(prefix("op"), "REDACT", "#r", bobIDs[1]))
	if got := texts(batchLines(t, carol, "CHATHISTORY LATEST #r * 10")); got != "op0" {
		t.Fatalf("history after redactions: %s", got)
	}
	bob.Send("REDACT #r " + bobIDs[0])
	if m := bob.Expect("FAIL"); m.Param(1) != "UNKNOWN_MSGID" {
		t.Fatalf("redacting twice: %s", m.String())
	}
}

func TestSearch(t *testing.T) {
	addr := start(t, nil)
	alice := capConnect(t, addr, "alice", append(historyCaps, "soju.im/search")...)
	alice.Join("#s")
	alice.Join("#t")
	say(t, alice, "#s", "apple ", 3)
	say(t, alice, "#t", "apple pie ", 1)
	cases := []struct{ line, want string }{
		{"SEARCH text=apple;in=#s", "apple 0,apple 1,apple 2"},
		{"SEARCH text=pie", "apple pie 0"},
		{"SEARCH text=apple;limit=2", "apple 2,apple pie 0"},
		{"SEARCH text=apple;from=nobody", ""},
		{`SEARCH text=apple\s1`, "apple 1"},
		{"SEARCH in=#elsewhere", "FAIL SEARCH INVALID_PARAMS"},
		{"SEARCH colour=red", "FAIL SEARCH INVALID_PARAMS"},
	}
	for _, c := range cases {
		if got := texts(batchLines(t, alice, c.line)); got != c.want {
			t.Errorf("%s\n got  %s\n want %s", c.line, got, c.want)
		}
	}
}
