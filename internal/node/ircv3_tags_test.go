package node_test

import (
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/ircmsg"
)

func TestClientTagsReachOnlyMessageTagsClients(t *testing.T) {
	addr := start(t, nil)
	alice := capConnect(t, addr, "alice", "message-tags")
	bob := capConnect(t, addr, "bob", "message-tags")
	carol := connect(t, addr, "carol")
	for _, c := range []interface{ Join(string) }{alice, bob, carol} {
		c.Join("#tags")
	}
	alice.Roundtrip()
	bob.Roundtrip()
	carol.Roundtrip()

	alice.Send("@+draft/react=1;+example.com/x=a\\sb;time=bogus PRIVMSG #tags :hello")
	m := bob.Expect("PRIVMSG")
	wantTag(t, m, "+draft/react", "1")
	wantTag(t, m, "+example.com/x", "a b")
	if v, _ := m.Tag("time"); v == "bogus" {
		t.Fatalf("a client set a server tag: %q", m.String())
	}
	if id, ok := m.Tag("msgid"); !ok || id == "" {
		t.Fatalf("no msgid on a relayed message: %q", m.String())
	}
	plain := carol.Expect("PRIVMSG")
	if len(plain.Tags) != 0 {
		t.Fatalf("tags sent to a client without message-tags: %q", plain.String())
	}

	// TAGMSG: only message-tags clients see it at all.
	alice.Send("@+typing=active TAGMSG #tags")
	tm := bob.Expect("TAGMSG")
	wantTag(t, tm, "+typing", "active")
	want(t, tm, msg(prefix("alice"), "TAGMSG", "#tags"))
	wantNone(t, carol.Roundtrip(), "TAGMSG")

	// Tags on a private message too.
	alice.Send("@+draft/reply=abc PRIVMSG bob :psst")
	pm := bob.Expect("PRIVMSG")
	wantTag(t, pm, "+draft/reply", "abc")
	want(t, pm, msg(prefix("alice"), "PRIVMSG", "bob", "psst"))
}

func TestOversizedTagsAreRefused(t *testing.T) {
	addr := start(t, nil)
	alice := capConnect(t, addr, "alice", "message-tags")
	bob := capConnect(t, addr, "bob", "message-tags")
	// IRCv3 message-tags: at most 4094 bytes of tag data from a client.
	big := "+x=" + strings.Repeat("a", 4100)
	alice.Send("@" + big + " PRIVMSG bob :hi")
	m := alice.Expect("417")
	want(t, m, msg("", "417", "alice", "Input line was too long"))
	wantNone(t, bob.Roundtrip(), "PRIVMSG")
	// The connection stays usable.
	alice.Send("@+x=1 PRIVMSG bob :after")
	want(t, bob.Expect("PRIVMSG"), msg(prefix("alice"), "PRIVMSG", "bob", "after"))
}

func TestServerTime(t *testing.T) {
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	bob := capConnect(t, addr, "bob", "server-time")
	before := time.Now().UTC().Add(-time.Second)
	alice.Send("PRIVMSG bob :hi")
	m := bob.Expect("PRIVMSG")
	v, ok := m.Tag("time")
	if !ok {
		t.Fatalf("no time tag: %q", m.String())
	}
	ts, err := time.Parse("2006-01-02T15:04:05.000Z", v)
	if err != nil || ts.Before(before) || ts.After(time.Now().Add(time.Second)) {
		t.Fatalf("time tag %q: %v", v, err)
	}
	// server-time alone does not expose msgid (a message-tags tag).
	wantNoTag(t, m, "msgid")
}

func TestEchoMessageCarriesTheSameMsgid(t *testing.T) {
	addr := start(t, nil)
	alice := capConnect(t, addr, "alice", "echo-message", "message-tags")
	bob := capConnect(t, addr, "bob", "message-tags")
	alice.Join("#echo")
	bob.Join("#echo")
	alice.Roundtrip()
	for _, verb := range []string{"PRIVMSG", "NOTICE"} {
		alice.Send("@+x=y " + verb + " #echo :hello")
		mine := alice.Expect(verb)
		theirs := bob.Expect(verb)
		want(t, mine, msg(prefix("alice"), verb, "#echo", "hello"))
		idA, _ := mine.Tag("msgid")
		idB, _ := theirs.Tag("msgid")
		if idA == "" || idA != idB {
			t.Fatalf("%s echo msgid %q, delivered msgid %q", verb, idA, idB)
		}
		wantTag(t, mine, "+x", "y")
	}
	alice.Send("@+typing=active TAGMSG bob")
	echo := alice.Expect("TAGMSG")
	got := bob.Expect("TAGMSG")
	if a, b := msgid(echo), msgid(got); a == "" || a != b {
		t.Fatalf("TAGMSG echo msgid %q, delivered %q", a, b)
	}
	// Without echo-message the sender sees nothing back.
	bob.Send("PRIVMSG #echo :no echo")
	alice.Expect("PRIVMSG")
	wantNone(t, bob.Roundtrip(), "PRIVMSG")
}

func msgid(m ircmsg.Message) string { v, _ := m.Tag("msgid"); return v }

func TestMsgidOnStateEvents(t *testing.T) {
	addr := start(t, nil)
	alice := capConnect(t, addr, "alice", "message-tags")
	bob := connect(t, addr, "bob")
	alice.Join("#ev")
	alice.Roundtrip()
	bob.Join("#ev")
	if msgid(alice.Expect("JOIN")) == "" {
		t.Fatal("JOIN relayed without msgid")
	}
	bob.Send("PART #ev :bye")
	if msgid(alice.Expect("PART")) == "" {
		t.Fatal("PART relayed without msgid")
	}
}
