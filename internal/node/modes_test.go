package node_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/testkit"
)

// room starts a node with alice (operator) and bob in #room, everything read.
func room(t *testing.T) (addr string, alice, bob *testkit.Client) {
	t.Helper()
	addr = start(t, nil)
	alice = connect(t, addr, "alice")
	bob = connect(t, addr, "bob")
	alice.Join("#room")
	bob.Join("#room")
	alice.Roundtrip()
	return addr, alice, bob
}

func TestModeQuery(t *testing.T) {
	t.Parallel()
	addr, alice, bob := room(t)
	before := time.Now().Unix()
	want(t, numeric(alice, "MODE #room", "324"), msg("", "324", "alice", "#room", "+nt"))
	created := alice.Expect("329")
	if ts, err := strconv.ParseInt(created.Param(2), 10, 64); err != nil || ts > before+1 || ts < before-60 {
		t.Fatalf("329 %q: creation time not about %d", created.String(), before)
	}
	alice.Send("MODE #room +kl sesame 5")
	want(t, alice.Expect("MODE"), msg(prefix("alice"), "MODE", "#room", "+kl", "sesame", "5"))
	want(t, bob.Expect("MODE"), msg(prefix("alice"), "MODE", "#room", "+kl", "sesame", "5"))
	// Members see the key, others only that there is one.
	want(t, numeric(bob, "MODE #room", "324"), msg("", "324", "bob", "#room", "+klnt", "sesame", "5"))
	carol := connect(t, addr, "carol")
	want(t, numeric(carol, "MODE #room", "324"), msg("", "324", "carol", "#room", "+klnt", "*", "5"))
	want(t, numeric(carol, "MODE #nowhere", "403"), msg("", "403", "carol", "#nowhere", "No such channel"))
}

func TestBans(t *testing.T) {
	t.Parallel()
	addr, alice, bob := room(t)
	carol := connect(t, addr, "carol")

	// Masks are completed to nick!user@host and broadcast in that form.
	for _, tc := range []struct{ mask, stored string }{
		{"bob", "bob!*@*"},
		{"~carol@*", "*!~carol@*"},
		{"dave!~dave", "dave!~dave@*"},
		{"*!*@10.0.0.1", "*!*@10.0.0.1"},
	} {
		alice.Send("MODE #room +b " + tc.mask)
		m := msg(prefix("alice"), "MODE", "#room", "+b", tc.stored)
		want(t, alice.Expect("MODE"), m)
		want(t, bob.Expect("MODE"), m)
	}
	alice.Send("MODE #room b")
	msgs := alice.Roundtrip()
	if len(msgs) != 5 {
		t.Fatalf("ban list: %s", dump(msgs))
	}
	for i, mask := range []string{"bob!*@*", "*!~carol@*", "dave!~dave@*", "*!*@10.0.0.1"} {
		m := msgs[i]
		if m.Command != "367" || m.Param(1) != "#room" || m.Param(2) != mask || m.Param(3) != prefix("alice") {
			t.Fatalf("ban %d: %q, want 367 alice #room %s %s <time>", i, m.String(), mask, prefix("alice"))
		}
		if _, err := strconv.ParseInt(m.Param(4), 10, 64); err != nil {
			t.Fatalf("ban %d: time %q", i, m.Param(4))
		}
	}
	want(t, msgs[4], msg("", "368", "alice", "#room", "End of channel ban list"))

	// A banned member may not speak; a banned user may not join.
	want(t, numeric(bob, "PRIVMSG #room :let me talk", "404"), msg("", "404", "bob", "#room", "Cannot send to channel"))
	want(t, numeric(carol, "JOIN #room", "474"), msg("", "474", "carol", "#room", "Cannot join channel (+b)"))
	wantNone(t, alice.Roundtrip(), "PRIVMSG")

	// Voice outranks a ban for speaking; removing the ban lets carol in.
	alice.Send("MODE #room +v-b bob ~carol@*")
	want(t, bob.Expect("MODE"), msg(prefix("alice"), "MODE", "#room", "+v-b", "bob", "*!~carol@*"))
	bob.Send("PRIVMSG #room :thanks")
	want(t, alice.Expect("PRIVMSG"), msg(prefix("bob"), "PRIVMSG", "#room", "thanks"))
	carol.Join("#room")
	want(t, bob.Expect("JOIN"), msg(prefix("carol"), "JOIN", "#room"))
	// Non-operators may list bans but not set them.
	bob.Send("MODE #room b")
	if got := testkit.Commands(bob.Roundtrip()); len(got) != 4 || got[3] != "368" {
		t.Fatalf("ban list for bob: %q", got)
	}
	want(t, numeric(carol, "MODE #room +b alice", "482"), msg("", "482", "carol", "#room", "You're not channel operator"))
}

func TestChannelAccessModes(t *testing.T) {
	t.Parallel()
	addr, alice, bob := room(t)
	carol := connect(t, addr, "carol")
	dave := connect(t, addr, "dave")

	alice.Send("MODE #room +i")
	alice.Roundtrip()
	want(t, numeric(carol, "JOIN #room", "473"), msg("", "473", "carol", "#room", "Cannot join channel (+i)"))
	alice.Send("INVITE carol #room")
	carol.Expect("INVITE")
	carol.Join("#room")
	want(t, bob.Expect("JOIN"), msg(prefix("carol"), "JOIN", "#room"))
	alice.Send("MODE #room -i+k sesame")
	want(t, bob.Expect("MODE"), msg(prefix("alice"), "MODE", "#room", "-i+k", "sesame"))

	want(t, numeric(dave, "JOIN #room", "475"), msg("", "475", "dave", "#room", "Cannot join channel (+k)"))
	want(t, numeric(dave, "JOIN #room open", "475"), msg("", "475", "dave", "#room", "Cannot join channel (+k)"))
	alice.Send("MODE #room -k+l * 3")
	want(t, bob.Expect("MODE"), msg(prefix("alice"), "MODE", "#room", "-k+l", "*", "3"))
	want(t, numeric(dave, "JOIN #room", "471"), msg("", "471", "dave", "#room", "Cannot join channel (+l)"))
	alice.Send("MODE #room -l")
	want(t, bob.Expect("MODE"), msg(prefix("alice"), "MODE", "#room", "-l"))
	dave.Join("#room")
	want(t, bob.Expect("JOIN"), msg(prefix("dave"), "JOIN", "#room"))
}

func TestModeratedAndNoExternal(t *testing.T) {
	t.Parallel()
	addr, alice, bob := room(t)
	carol := connect(t, addr, "carol")

	// +n is the default: outsiders cannot speak in.
	want(t, numeric(carol, "PRIVMSG #room :from outside", "404"), msg("", "404", "carol", "#room", "Cannot send to channel"))
	alice.Send("MODE #room -n")
	alice.Roundtrip()
	bob.Roundtrip()
	carol.Send("PRIVMSG #room :from outside")
	want(t, bob.Expect("PRIVMSG"), msg(prefix("carol"), "PRIVMSG", "#room", "from outside"))
	want(t, alice.Expect("PRIVMSG"), msg(prefix("carol"), "PRIVMSG", "#room", "from outside"))

	alice.Send("MODE #room +m")
	want(t, bob.Expect("MODE"), msg(prefix("alice"), "MODE", "#room", "+m"))
	want(t, numeric(bob, "PRIVMSG #room :can I?", "404"), msg("", "404", "bob", "#room", "Cannot send to channel"))
	want(t, numeric(carol, "PRIVMSG #room :me?", "404"), msg("", "404", "carol", "#room", "Cannot send to channel"))
	alice.Send("MODE #room +v bob")
	want(t, bob.Expect("MODE"), msg(prefix("alice"), "MODE", "#room", "+v", "bob"))
	bob.Send("PRIVMSG #room :voiced now")
	want(t, alice.Expect("PRIVMSG"), msg(prefix("bob"), "PRIVMSG", "#room", "voiced now"))
	alice.Send("PRIVMSG #room :ops always may")
	want(t, bob.Expect("PRIVMSG"), msg(prefix("alice"), "PRIVMSG", "#room", "ops always may"))
}

func TestSecretChannel(t *testing.T) {
	t.Parallel()
	addr, alice, bob := room(t)
	carol := connect(t, addr, "carol")
	alice.Send("MODE #room +s")
	alice.Roundtrip()
	bob.Roundtrip()

	carol.Send("LIST")
	for _, m := range carol.Roundtrip() {
		if m.Command == "322" {
			t.Fatalf("outsider sees the secret channel: %q", m.String())
		}
	}
	carol.Send("WHOIS alice")
	msgs := carol.Roundtrip()
	wantNone(t, msgs, "319")
	wantIn(t, msgs, msg("", "318", "carol", "alice", "End of /WHOIS list"))
	carol.Send("NAMES #room")
	if got := carol.Roundtrip(); len(got) != 1 || got[0].Command != "366" {
		t.Fatalf("outsider NAMES of a secret channel: %s", dump(got))
	}
	// Members see it, marked '@' in NAMES.
	bob.Send("WHOIS alice")
	wantIn(t, bob.Roundtrip(), msg("", "319", "bob", "alice", "@#room"))
	bob.Send("NAMES #room")
	wantIn(t, bob.Roundtrip(), msg("", "353", "bob", "@", "#room", "@alice bob"))
}

func TestPrefixModes(t *testing.T) {
	t.Parallel()
	addr, alice, bob := room(t)
	carol := connect(t, addr, "carol")
	carol.Join("#room")
	alice.Roundtrip()
	bob.Roundtrip()

	// Every member sees the change exactly as the operator's MODE.
	for _, tc := range []struct {
		args   string
		params []string
	}{
		{"+o bob", []string{"+o", "bob"}},
		{"-o bob", []string{"-o", "bob"}},
		{"+v carol", []string{"+v", "carol"}},
		{"+ov BOB bob", []string{"+ov", "bob", "bob"}}, // nicks are shown as the member spells them
	} {
		alice.Send("MODE #room " + tc.args)
		m := msg(prefix("alice"), "MODE", append([]string{"#room"}, tc.params...)...)
		for _, c := range []*testkit.Client{alice, bob, carol} {
			want(t, c.Expect("MODE"), m)
		}
	}
	alice.Send("NAMES #room")
	wantIn(t, alice.Roundtrip(), msg("", "353", "alice", "=", "#room", "@alice @bob +carol"))

	// A no-op change is not broadcast.
	alice.Send("MODE #room +v carol")
	wantNone(t, alice.Roundtrip(), "MODE")
	wantNone(t, carol.Roundtrip(), "MODE")

	want(t, numeric(carol, "MODE #room +o carol", "482"), msg("", "482", "carol", "#room", "You're not channel operator"))
	want(t, numeric(carol, "MODE #room +mi", "482"), msg("", "482", "carol", "#room", "You're not channel operator"))
	if n := len(testkit.FindAll(carol.Roundtrip(), "482")); n != 0 {
		t.Fatalf("one 482 per MODE line expected, got %d more", n)
	}
	dave := connect(t, addr, "dave")
	want(t, numeric(alice, "MODE #room +o dave", "441"), msg("", "441", "alice", "dave", "#room", "They aren't on that channel"))
	want(t, numeric(alice, "MODE #room +Y", "472"), msg("", "472", "alice", "Y", "is unknown mode char to me"))
	want(t, numeric(dave, "MODE #room +m", "442"), msg("", "442", "dave", "#room", "You're not on that channel"))
}

func TestUserModes(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	connect(t, addr, "bob")

	want(t, numeric(alice, "MODE alice", "221"), msg("", "221", "alice", "+"))
	alice.Send("MODE alice +iw")
	want(t, alice.Expect("MODE"), msg("alice", "MODE", "alice", "+iw"))
	want(t, numeric(alice, "MODE alice", "221"), msg("", "221", "alice", "+iw"))
	alice.Send("MODE alice -w")
	want(t, alice.Expect("MODE"), msg("alice", "MODE", "alice", "-w"))
	// Users cannot make themselves operators; nothing changes, nothing is said.
	alice.Send("MODE alice +o")
	if got := alice.Roundtrip(); len(got) != 0 {
		t.Fatalf("MODE +o answered %s", dump(got))
	}
	want(t, numeric(alice, "MODE alice +x", "501"), msg("", "501", "alice", "Unknown MODE flag"))
	want(t, numeric(alice, "MODE bob +i", "502"), msg("", "502", "alice", "Can't change mode for other users"))
	want(t, numeric(alice, "MODE bob", "502"), msg("", "502", "alice", "Can't view modes for other users"))
	want(t, numeric(alice, "MODE nobody", "401"), msg("", "401", "alice", "nobody", "No such nick/channel"))
	want(t, numeric(alice, "MODE alice", "221"), msg("", "221", "alice", "+i"))
}
