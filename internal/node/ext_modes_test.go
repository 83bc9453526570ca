package node_test

import (
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/testkit"
)

// modeRoom starts a node with alice, operator of #x, and returns its address.
func modeRoom(t *testing.T) (string, *testkit.Client) {
	t.Helper()
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	alice.Join("#x")
	alice.Roundtrip()
	return addr, alice
}

func setMode(t *testing.T, c *testkit.Client, line string) {
	t.Helper()
	c.Send(line)
	c.Expect("MODE")
}

func TestExceptionAndInviteExceptionLists(t *testing.T) {
	t.Parallel()
	addr, alice := modeRoom(t)
	setMode(t, alice, "MODE #x +b *!*@127.0.0.1")
	setMode(t, alice, "MODE #x +e bob")
	bob := connect(t, addr, "bob")
	carol := connect(t, addr, "carol")
	// The exception lets bob past the ban; carol stays out.
	want(t, numeric(carol, "JOIN #x", "474"), msg("", "474", "carol", "#x", "Cannot join channel (+b)"))
	bob.Join("#x")
	bob.Send("PRIVMSG #x :through")
	want(t, alice.Expect("PRIVMSG"), msg(prefix("bob"), "PRIVMSG", "#x", "through"))

	// Invite exceptions let matching users past +i.
	setMode(t, alice, "MODE #x -b *!*@127.0.0.1")
	setMode(t, alice, "MODE #x +iI carol!*@*")
	dave := connect(t, addr, "dave")
	want(t, numeric(dave, "JOIN #x", "473"), msg("", "473", "dave", "#x", "Cannot join channel (+i)"))
	carol.Join("#x")
	wantIn(t, alice.Roundtrip(), msg(prefix("carol"), "JOIN", "#x"))

	// The lists, with their numerics.
	alice.Send("MODE #x e")
	msgs := alice.Roundtrip()
	if len(msgs) != 2 || msgs[0].Command != "348" || msgs[0].Param(2) != "bob!*@*" {
		t.Fatalf("exception list: %s", dump(msgs))
	}
	want(t, msgs[1], msg("", "349", "alice", "#x", "End of channel exception list"))
	alice.Send("MODE #x I")
	msgs = alice.Roundtrip()
	if len(msgs) != 2 || msgs[0].Command != "346" || msgs[0].Param(2) != "carol!*@*" {
		t.Fatalf("invite exception list: %s", dump(msgs))
	}
	want(t, msgs[1], msg("", "347", "alice", "#x", "End of channel invite exception list"))
}

func TestListLimit(t *testing.T) {
	t.Parallel()
	addr := start(t, func(c *config.Config) { c.Limits.MaxListEntries = 2 })
	alice := connect(t, addr, "alice")
	alice.Join("#x")
	setMode(t, alice, "MODE #x +ee a!*@* b!*@*")
	want(t, numeric(alice, "MODE #x +e c!*@*", "478"), msg("", "478", "alice", "#x", "e", "Channel list is full"))
	setMode(t, alice, "MODE #x +I c!*@*") // each list has its own room
}

func TestExtbansAndCIDR(t *testing.T) {
	t.Parallel()
	n, addr := startV3(t)
	alice := connect(t, addr, "alice")
	alice.Join("#x")
	bob := connect(t, addr, "bob")
	carol := connect(t, addr, "carol")
	n.Network().SetUserAccount(n.Network().FindUser("bob"), "bobacct")

	for _, tc := range []struct {
		mode     string
		bobIn    bool // whether bob (account bobacct) may join
		carolIn  bool // carol, not logged in
		stored   string
		listMode string
	}{
		{"+b a:bob*", false, true, "a:bob*", "b"},
		{"+b a:*", false, true, "a:*", "b"}, // logged-out users never match a:
		{"+b a:other", true, true, "a:other", "b"},
		{"+b *!*@127.0.0.0/8", false, false, "*!*@127.0.0.0/8", "b"},
		{"+b *!*@10.0.0.0/8", true, true, "*!*@10.0.0.0/8", "b"},
		{"+b bob!*@127.0.0.0/24", false, true, "bob!*@127.0.0.0/24", "b"},
		{"+b m:*!*@*", true, true, "m:*!*@*", "b"}, // a mute keeps nobody out
	} {
		alice.Send("MODE #x " + tc.mode)
		want(t, alice.Expect("MODE"), msg(prefix("alice"), "MODE", "#x", tc.mode[:2], tc.stored))
		for _, who := range []struct {
			c  *testkit.Client
			in bool
		}{{bob, tc.bobIn}, {carol, tc.carolIn}} {
			who.c.Send("JOIN #x")
			got := who.c.ExpectFunc("JOIN or 474", func(m ircmsg.Message) bool { return m.Command == "JOIN" || m.Command == "474" })
			if (got.Command == "JOIN") != who.in {
				t.Fatalf("%s with %s: %q", who.c.Nick, tc.mode, got.String())
			}
			if who.in {
				who.c.Send("PART #x")
				who.c.Expect("PART")
			}
		}
		alice.Send("MODE #x -" + tc.mode[1:])
		alice.Expect("MODE")
	}

	// Mutes: bob may join but not speak; voice or an exception lifts it.
	setMode(t, alice, "MODE #x +b m:bob!*@*")
	bob.Join("#x")
	carol.Join("#x")
	want(t, numeric(bob, "PRIVMSG #x :hi", "404"), msg("", "404", "bob", "#x", "Cannot send to channel"))
	carol.Send("PRIVMSG #x :carol speaks")
	want(t, alice.Expect("PRIVMSG"), msg(prefix("carol"), "PRIVMSG", "#x", "carol speaks"))
	setMode(t, alice, "MODE #x +e a:bobacct")
	bob.Send("PRIVMSG #x :excepted")
	want(t, alice.Expect("PRIVMSG"), msg(prefix("bob"), "PRIVMSG", "#x", "excepted"))

	// Invalid extbans are refused with 696; m: means nothing in +I.
	for _, bad := range []string{"+b a:", "+I m:x!*@*", "+b z:thing"} {
		r := numeric(alice, "MODE #x "+bad, "696")
		if r.Param(2) != bad[1:2] {
			t.Fatalf("%s: %q", bad, r.String())
		}
	}
	// An a: invite exception lets a logged-in user past +i.
	setMode(t, alice, "MODE #x +i")
	setMode(t, alice, "MODE #x +I a:bobacct")
	bob.Send("PART #x")
	bob.Expect("PART")
	bob.Join("#x")
	wantIn(t, alice.Roundtrip(), msg(prefix("bob"), "JOIN", "#x"))
}

func TestNoCTCP(t *testing.T) {
	t.Parallel()
	addr, alice := modeRoom(t)
	bob := connect(t, addr, "bob")
	bob.Join("#x")
	setMode(t, alice, "MODE #x +C")
	want(t, numeric(bob, "PRIVMSG #x :\x01VERSION\x01", "404"), msg("", "404", "bob", "#x", "Cannot send to channel"))
	bob.Send("PRIVMSG #x :\x01ACTION waves\x01")
	want(t, alice.Expect("PRIVMSG"), msg(prefix("bob"), "PRIVMSG", "#x", "\x01ACTION waves\x01"))
	bob.Send("NOTICE #x :\x01PING 1\x01")
	bob.Send("PRIVMSG #x :plain")
	want(t, alice.Expect("PRIVMSG"), msg(prefix("bob"), "PRIVMSG", "#x", "plain"))
}

func TestModeTokensAdvertised(t *testing.T) {
	t.Parallel()
	alice := connect(t, start(t, nil), "alice")
	alice.Send("VERSION")
	var tokens []string
	for _, m := range alice.Roundtrip() {
		if m.Command == "005" {
			tokens = append(tokens, m.Params[1:len(m.Params)-1]...)
		}
	}
	joined := " " + strings.Join(tokens, " ") + " "
	for _, tok := range []string{"CHANMODES=beI,k,l,CMRimnst", "EXTBAN=,am", "MAXLIST=b:100,e:100,I:100", "ELIST=CMNTU"} {
		if !strings.Contains(joined, " "+tok+" ") {
			t.Errorf("ISUPPORT lacks %s: %s", tok, joined)
		}
	}
}
