package node_test

import (
	"testing"

	"github.com/parleychat/parley/internal/testkit"
)

// trio starts a node with alice (operator), bob and carol in #room, everything read.
func trio(t *testing.T) (addr string, alice, bob, carol *testkit.Client) {
	t.Helper()
	addr = start(t, nil)
	alice = connect(t, addr, "alice")
	bob = connect(t, addr, "bob")
	carol = connect(t, addr, "carol")
	for _, c := range []*testkit.Client{alice, bob, carol} {
		c.Join("#room")
	}
	for _, c := range []*testkit.Client{alice, bob, carol} {
		c.Roundtrip()
	}
	return addr, alice, bob, carol
}

func TestPrivmsgAndNotice(t *testing.T) {
	t.Parallel()
	_, alice, bob, carol := trio(t)

	for _, verb := range []string{"PRIVMSG", "NOTICE"} {
		alice.Send(verb + " #room :hello, room")
		m := msg(prefix("alice"), verb, "#room", "hello, room")
		want(t, bob.Expect(verb), m)
		want(t, carol.Expect(verb), m)
		// Without echo-message the sender gets no copy.
		wantNone(t, alice.Roundtrip(), verb)

		bob.Send(verb + " alice :just you")
		want(t, alice.Expect(verb), msg(prefix("bob"), verb, "alice", "just you"))
		wantNone(t, carol.Roundtrip(), verb)

		// Several targets: each gets its own copy, addressed as sent.
		alice.Send(verb + " bob,#room,CAROL :to all")
		want(t, bob.Expect(verb), msg(prefix("alice"), verb, "bob", "to all"))
		want(t, bob.Expect(verb), msg(prefix("alice"), verb, "#room", "to all"))
		want(t, carol.Expect(verb), msg(prefix("alice"), verb, "#room", "to all"))
		want(t, carol.Expect(verb), msg(prefix("alice"), verb, "carol", "to all"))
		wantNone(t, bob.Roundtrip(), verb)
	}
	want(t, numeric(alice, "PRIVMSG bob,carol,#room,alice,bob :five", "407"),
		msg("", "407", "alice", "bob,carol,#room,alice,bob", "Too many recipients"))
	wantNone(t, bob.Roundtrip(), "PRIVMSG")
}

func TestCTCPPassesThrough(t *testing.T) {
	t.Parallel()
	_, alice, bob, _ := trio(t)
	for _, text := range []string{"\x01VERSION\x01", "\x01ACTION waves at everyone\x01", "\x01PING 1234567890\x01"} {
		alice.Send("PRIVMSG bob :" + text)
		want(t, bob.Expect("PRIVMSG"), msg(prefix("alice"), "PRIVMSG", "bob", text))
		bob.Send("NOTICE alice :" + text)
		want(t, alice.Expect("NOTICE"), msg(prefix("bob"), "NOTICE", "alice", text))
		alice.Send("PRIVMSG #room :" + text)
		want(t, bob.Expect("PRIVMSG"), msg(prefix("alice"), "PRIVMSG", "#room", text))
	}
}

func TestMessageErrors(t *testing.T) {
	t.Parallel()
	addr, alice, _, _ := trio(t)
	outsider := connect(t, addr, "dave")
	for _, tc := range []struct {
		c    *testkit.Client
		line string
		code string
		want []string
	}{
		{alice, "PRIVMSG nobody :hi", "401", []string{"nobody", "No such nick/channel"}},
		{alice, "PRIVMSG #nowhere :hi", "403", []string{"#nowhere", "No such channel"}},
		{outsider, "PRIVMSG #room :let me in", "404", []string{"#room", "Cannot send to channel"}},
		{alice, "PRIVMSG", "411", []string{"No recipient given (PRIVMSG)"}},
		{alice, "PRIVMSG :", "411", []string{"No recipient given (PRIVMSG)"}},
		{alice, "PRIVMSG bob", "412", []string{"No text to send"}},
		{alice, "PRIVMSG bob :", "412", []string{"No text to send"}},
	} {
		tc.c.Send(tc.line)
		got := tc.c.Roundtrip()
		if len(got) != 1 {
			t.Fatalf("%s: got %s, want one %s", tc.line, dump(got), tc.code)
		}
		want(t, got[0], msg("", tc.code, append([]string{tc.c.Nick}, tc.want...)...))
	}

	// NOTICE never triggers an automatic reply, errors included (RFC 2812 3.3.2).
	for _, line := range []string{
		"NOTICE nobody :hi", "NOTICE #nowhere :hi", "NOTICE #room :outside", "NOTICE", "NOTICE bob", "NOTICE bob :",
		"NOTICE a,b,c,d,e :too many",
	} {
		outsider.Send(line)
		if got := outsider.Roundtrip(); len(got) != 0 {
			t.Fatalf("%s answered %s", line, dump(got))
		}
	}
}

func TestStatusMessage(t *testing.T) {
	t.Parallel()
	addr, alice, bob, carol := trio(t)
	dave := connect(t, addr, "dave")
	dave.Join("#room")
	alice.Send("MODE #room +ov bob carol")
	for _, c := range []*testkit.Client{alice, bob, carol, dave} {
		c.Expect("MODE")
	}

	for _, tc := range []struct {
		target string
		sees   map[*testkit.Client]bool
	}{
		{"@#room", map[*testkit.Client]bool{bob: true, carol: false, dave: false}},
		{"+#room", map[*testkit.Client]bool{bob: true, carol: true, dave: false}},
	} {
		alice.Send("PRIVMSG " + tc.target + " :status only")
		alice.Roundtrip() // the deliveries are queued once alice has her PONG
		m := msg(prefix("alice"), "PRIVMSG", tc.target, "status only")
		for c, sees := range tc.sees {
			got := c.Roundtrip()
			if sees {
				wantIn(t, got, m)
			} else {
				wantNone(t, got, "PRIVMSG")
			}
		}
	}
	// An unvoiced member may write to the operators.
	dave.Send("NOTICE @#room :help please")
	want(t, alice.Expect("NOTICE"), msg(prefix("dave"), "NOTICE", "@#room", "help please"))
	want(t, bob.Expect("NOTICE"), msg(prefix("dave"), "NOTICE", "@#room", "help please"))
	dave.Roundtrip()
	wantNone(t, carol.Roundtrip(), "NOTICE")
}

func TestAway(t *testing.T) {
	t.Parallel()
	_, alice, bob, _ := trio(t)

	want(t, numeric(bob, "AWAY :gone fishing", "306"), msg("", "306", "bob", "You have been marked as being away"))
	alice.Send("PRIVMSG bob :are you there?")
	want(t, alice.Expect("301"), msg("", "301", "alice", "bob", "gone fishing"))
	want(t, bob.Expect("PRIVMSG"), msg(prefix("alice"), "PRIVMSG", "bob", "are you there?"))
	// NOTICE and channel messages do not answer with RPL_AWAY.
	alice.Send("NOTICE bob :fyi")
	alice.Send("PRIVMSG #room :anyone?")
	wantNone(t, alice.Roundtrip(), "301")

	want(t, numeric(bob, "AWAY", "305"), msg("", "305", "bob", "You are no longer marked as being away"))
	alice.Send("PRIVMSG bob :back?")
	wantNone(t, alice.Roundtrip(), "301")
	want(t, numeric(bob, "AWAY :again", "306"), msg("", "306", "bob", "You have been marked as being away"))
	want(t, numeric(bob, "AWAY :", "305"), msg("", "305", "bob", "You are no longer marked as being away"))
}
