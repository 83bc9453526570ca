package node_test

import (
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/passhash"
	"github.com/parleychat/parley/internal/testkit"
)

// filterNode starts a node with three filters and the oper block "root"/"hunter2".
func filterNode(t *testing.T) (*testkit.Client, *testkit.Client, func(string) string, *config.Config) {
	t.Helper()
	hash, err := passhash.Hash([]byte("hunter2"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := testkit.Config(t)
	cfg.Opers = []config.Oper{{Name: "root", Password: hash, Class: "admin"}}
	cfg.Filters = []config.Filter{
		{Name: "cheap", Pattern: `(?i)buy\s+cheap`, Action: "block", Reason: "No spam"},
		{Name: "links", Pattern: `https?://bad\.example`, Action: "warn", Targets: []string{"channels"}},
		{Name: "nuke", Pattern: `^KILLME$`, Action: "kill", Reason: "flooding"},
	}
	n := testkit.StartNode(t, cfg)
	addr := testkit.IRCAddr(n)
	alice := connect(t, addr, "alice")
	bob := connect(t, addr, "bob")
	alice.Join("#room")
	bob.Join("#room")
	alice.Roundtrip()
	metric := func(action string) string {
		return metricValue(t, n, `parley_filter_hits_total{action="`+action+`"}`)
	}
	return alice, bob, metric, cfg
}

func TestFilterBlock(t *testing.T) {
	t.Parallel()
	alice, bob, metric, _ := filterNode(t)
	alice.Send("PRIVMSG #room :Buy  CHEAP watches")
	want(t, alice.Expect("404"), msg("", "404", "alice", "#room", "Cannot send to channel (No spam)"))
	alice.Send("PRIVMSG bob :buy cheap watches")
	want(t, alice.Expect("FAIL"), msg("", "FAIL", "PRIVMSG", "MESSAGE_FILTERED", "bob", "Your message was not delivered: No spam"))
	// A NOTICE is dropped silently (no automatic replies to NOTICE).
	alice.Send("NOTICE bob :buy cheap watches")
	wantNone(t, alice.Roundtrip(), "FAIL")
	// None of the blocked messages reached bob: the next clean one is the first thing he sees.
	alice.Send("PRIVMSG #room,bob :hello")
	alice.Roundtrip()
	got := bob.Roundtrip()
	pm := testkit.FindAll(got, "PRIVMSG")
	if len(pm) != 2 || pm[0].Param(1) != "hello" || pm[1].Param(1) != "hello" {
		t.Fatalf("bob received:\n%s", dump(got))
	}
	if v := metric("block"); v != "3" {
		t.Fatalf("block hits: %q, want 3", v)
	}
}

func TestFilterWarn(t *testing.T) {
	t.Parallel()
	alice, bob, metric, _ := filterNode(t)
	bob.Send("OPER root hunter2")
	bob.Expect("381")
	bob.Send("MODE bob +w")
	wantIn(t, bob.Roundtrip(), msg("bob", "MODE", "bob", "+w"))
	alice.Send("PRIVMSG #room :see http://bad.example/x")
	alice.Roundtrip()
	got := bob.Roundtrip()
	wantIn(t, got, msg(prefix("alice"), "PRIVMSG", "#room", "see http://bad.example/x"))
	wantIn(t, got, msg("", "NOTICE", "bob", "*** Filter links (warn) matched "+prefix("alice")+" to #room: see http://bad.example/x"))
	// The filter is for channels only: a private message passes without a warning.
	alice.Send("PRIVMSG bob :see http://bad.example/x")
	alice.Roundtrip()
	got = bob.Roundtrip()
	wantIn(t, got, msg(prefix("alice"), "PRIVMSG", "bob", "see http://bad.example/x"))
	wantNone(t, got, "NOTICE")
	if v := metric("warn"); v != "1" {
		t.Fatalf("warn hits: %q, want 1", v)
	}
}

func TestFilterKill(t *testing.T) {
	t.Parallel()
	alice, bob, metric, _ := filterNode(t)
	alice.Send("PRIVMSG #room,bob :KILLME")
	if got := alice.ExpectError(); got != "Closing link: Killed by irc.test: flooding" {
		t.Fatalf("ERROR %q", got)
	}
	m := bob.ExpectFunc("QUIT", func(m ircmsg.Message) bool {
		if m.Command == "PRIVMSG" {
			t.Fatalf("the killing message was delivered: %s", m.String())
		}
		return m.Command == "QUIT"
	})
	if m.Source != prefix("alice") {
		t.Fatalf("QUIT from %s", m.Source)
	}
	if v := metric("kill"); v != "1" {
		t.Fatalf("kill hits: %q, want 1", v)
	}
}

// TestFilterReload: filters change with a reload, for clients already connected.
func TestFilterReload(t *testing.T) {
	t.Parallel()
	cfg := testkit.Config(t)
	n := testkit.StartNode(t, cfg)
	addr := testkit.IRCAddr(n)
	alice := connect(t, addr, "alice")
	bob := connect(t, addr, "bob")
	alice.Send("PRIVMSG bob :forbidden word")
	bob.Expect("PRIVMSG")
	next := cfg.Clone()
	next.Filters = []config.Filter{{Name: "w", Pattern: "forbidden", Action: "block"}}
	if _, err := n.Reload(next); err != nil {
		t.Fatal(err)
	}
	alice.Send("PRIVMSG bob :forbidden word")
	if m := alice.Expect("FAIL"); !strings.Contains(m.String(), "MESSAGE_FILTERED") {
		t.Fatalf("after reload: %s", m.String())
	}
	wantNone(t, bob.Roundtrip(), "PRIVMSG")
}
