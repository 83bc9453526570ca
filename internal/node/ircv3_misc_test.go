package node_test

import (
	"testing"
)

func TestBotMode(t *testing.T) {
	addr := start(t, nil)
	robot := connect(t, addr, "robot")
	alice := capConnect(t, addr, "alice", "message-tags")
	carol := connect(t, addr, "carol")
	robot.Send("MODE robot +B")
	want(t, robot.Expect("MODE"), msg("robot", "MODE", "robot", "+B"))
	robot.Join("#bots")
	alice.Join("#bots")
	carol.Join("#bots")
	robot.Send("PRIVMSG #bots :beep")
	wantTag(t, alice.Expect("PRIVMSG"), "bot", "")
	if m := carol.Expect("PRIVMSG"); len(m.Tags) != 0 {
		t.Fatalf("bot tag without message-tags: %q", m.String())
	}
	want(t, numeric(alice, "WHOIS robot", "335"), msg("", "335", "alice", "robot", "is a bot on TestNet"))
	if w := numeric(alice, "WHO robot", "352"); w.Param(6) != "HB" {
		t.Fatalf("WHO flags of a bot: %q", w.String())
	}
}

func TestUTF8Only(t *testing.T) {
	addr := start(t, nil)
	alice := capConnect(t, addr, "alice", "labeled-response")
	bob := connect(t, addr, "bob")
	alice.Write([]byte("PRIVMSG bob :caf\xe9\r\n"))
	want(t, alice.Expect("FAIL"), msg("", "FAIL", "PRIVMSG", "INVALID_UTF8", "Message rejected, your IRC software MUST use UTF-8 encoding on this network"))
	// The label of a refused line still comes back (labeled-response).
	alice.Write([]byte("@label=u NOTICE bob :\xff\r\n"))
	fail := alice.Expect("FAIL")
	wantTag(t, fail, "label", "u")
	if fail.Param(0) != "NOTICE" {
		t.Fatalf("FAIL names %q", fail.Param(0))
	}
	// Nothing that is not UTF-8 is relayed; valid text still is.
	alice.Send("PRIVMSG bob :café")
	want(t, bob.Expect("PRIVMSG"), msg(prefix("alice"), "PRIVMSG", "bob", "café"))
}

func TestWHOX(t *testing.T) {
	n, addr := startV3(t)
	alice := connect(t, addr, "alice")
	bob := connect(t, addr, "bob")
	alice.Join("#w")
	bob.Join("#w")
	net := n.Network()
	net.FindUser("bob").SetAccount("bobacct")

	alice.Send("WHO #w %tcuihsnfdlaor,42")
	got := alice.Roundtrip()
	wantIn(t, got, msg("", "354", "alice", "42", "#w", "~bob", "255.255.255.255", "127.0.0.1", "irc.test", "bob", "H", "0", "0", "bobacct", "n/a", "Test user bob"))
	wantIn(t, got, msg("", "354", "alice", "42", "#w", "~alice", "127.0.0.1", "127.0.0.1", "irc.test", "alice", "H@", "0", "0", "0", "n/a", "Test user alice"))
	wantIn(t, got, msg("", "315", "alice", "#w", "End of WHO list"))
	wantNone(t, got, "352")

	// Fields come in the fixed WHOX order whatever order they are asked in; no token, no 't'.
	alice.Send("WHO bob %na")
	want(t, alice.Expect("354"), msg("", "354", "alice", "bob", "bobacct"))
	// Classic WHO still answers 352.
	alice.Send("WHO bob")
	alice.Expect("352")
}

func TestStatusmsg(t *testing.T) {
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	bob := connect(t, addr, "bob")
	carol := connect(t, addr, "carol")
	for _, c := range []interface{ Join(string) }{alice, bob, carol} {
		c.Join("#st")
	}
	alice.Send("MODE #st +o bob")
	bob.Expect("MODE")
	carol.Roundtrip()
	carol.Send("PRIVMSG @#st :ops only")
	want(t, bob.Expect("PRIVMSG"), msg(prefix("carol"), "PRIVMSG", "@#st", "ops only"))
	want(t, alice.Expect("PRIVMSG"), msg(prefix("carol"), "PRIVMSG", "@#st", "ops only"))
	carol.Send("PRIVMSG #st :everyone")
	want(t, bob.Expect("PRIVMSG"), msg(prefix("carol"), "PRIVMSG", "#st", "everyone"))
	// +#st reaches voiced members and above: the ops, not carol.
	dave := connect(t, addr, "dave")
	dave.Join("#st")
	dave.Send("PRIVMSG +#st :voiced and up")
	want(t, alice.Expect("PRIVMSG"), msg(prefix("carol"), "PRIVMSG", "#st", "everyone"))
	want(t, alice.Expect("PRIVMSG"), msg(prefix("dave"), "PRIVMSG", "+#st", "voiced and up"))
	wantNone(t, carol.Roundtrip(), "PRIVMSG")
}
