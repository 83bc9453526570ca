package node_test

import (
	"testing"

	"github.com/parleychat/parley/internal/testkit"
)

func TestPreAway(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	// Without the capability AWAY waits for registration.
	c := testkit.Dial(t, addr)
	want(t, numeric(c, "AWAY :gone", "451"), msg("", "451", "*", "You have not registered"))

	bob := connect(t, addr, "bob")
	alice := testkit.Dial(t, addr)
	alice.Send("CAP LS 302")
	alice.Send("CAP REQ :draft/pre-away")
	alice.Send("AWAY :on the train")
	alice.Send("CAP END")
	alice.Register("alice")
	want(t, numeric(bob, "WHOIS alice", "301"), msg("", "301", "bob", "alice", "on the train"))

	carol := testkit.Dial(t, addr)
	carol.Send("CAP LS 302")
	carol.Send("CAP REQ :draft/pre-away")
	carol.Send("AWAY *")
	carol.Send("CAP END")
	carol.Register("carol")
	want(t, numeric(bob, "WHOIS carol", "301"), msg("", "301", "bob", "carol", "Away"))
}

func TestExtendedISupport(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	c := testkit.Dial(t, addr)
	want(t, numeric(c, "ISUPPORT", "451"), msg("", "451", "*", "You have not registered"))
	c.Send("CAP LS 302")
	c.Send("CAP REQ :draft/extended-isupport batch")
	c.Roundtrip()
	c.Send("ISUPPORT")
	msgs := c.Roundtrip()
	if msgs[0].Command != "BATCH" || msgs[0].Param(1) != "draft/isupport" || len(only(msgs, "005")) == 0 {
		t.Fatalf("ISUPPORT before registration: %s", dump(msgs))
	}
	c.Send("CAP END")
	c.Register("alice")
}

func TestClientOnlyTagsRelayed(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := capConnect(t, addr, "alice", "message-tags")
	bob := capConnect(t, addr, "bob", "message-tags")
	carol := connect(t, addr, "carol")
	for _, c := range []*testkit.Client{alice, bob, carol} {
		c.Join("#t")
	}
	alice.Roundtrip()
	bob.Roundtrip()

	alice.Send("@+typing=active TAGMSG #t")
	m := bob.Expect("TAGMSG")
	wantTag(t, m, "+typing", "active")
	alice.Send("@+draft/reply=abc;+draft/react=lol TAGMSG #t")
	m = bob.Expect("TAGMSG")
	wantTag(t, m, "+draft/reply", "abc")
	wantTag(t, m, "+draft/react", "lol")
	alice.Send("@+draft/reply=abc PRIVMSG #t :answer")
	m = bob.Expect("PRIVMSG")
	wantTag(t, m, "+draft/reply", "abc")
	// Without message-tags: no TAGMSG at all, and the PRIVMSG without the tag.
	msgs := carol.Roundtrip()
	wantNone(t, msgs, "TAGMSG")
	p := only(msgs, "PRIVMSG")
	if len(p) != 1 {
		t.Fatalf("carol: %s", dump(msgs))
	}
	wantNoTag(t, p[0], "+draft/reply")
}
