package node_test

import (
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/testkit"
)

func TestJoinListsAndKeys(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	bob := connect(t, addr, "bob")

	alice.Send("JOIN #open,#locked")
	msgs := alice.Roundtrip()
	wantIn(t, msgs, msg(prefix("alice"), "JOIN", "#open"))
	wantIn(t, msgs, msg(prefix("alice"), "JOIN", "#locked"))
	wantIn(t, msgs, msg("", "353", "alice", "=", "#open", "@alice"))
	wantIn(t, msgs, msg("", "366", "alice", "#locked", "End of /NAMES list"))
	alice.Send("MODE #locked +k sesame")
	alice.Roundtrip()

	// Keys are positional: an empty first key leaves "sesame" for the second channel.
	for _, tc := range []struct {
		line string
		want []ircmsg.Message
	}{
		{"JOIN #locked", []ircmsg.Message{msg("", "475", "bob", "#locked", "Cannot join channel (+k)")}},
		{"JOIN #locked wrong", []ircmsg.Message{msg("", "475", "bob", "#locked", "Cannot join channel (+k)")}},
		{"JOIN #open,#locked ,sesame", []ircmsg.Message{
			msg(prefix("bob"), "JOIN", "#open"),
			msg(prefix("bob"), "JOIN", "#locked"),
			msg("", "353", "bob", "=", "#locked", "@alice bob"),
		}},
	} {
		bob.Send(tc.line)
		got := bob.Roundtrip()
		for _, w := range tc.want {
			wantIn(t, got, w)
		}
	}
	msgs = alice.Roundtrip()
	wantIn(t, msgs, msg(prefix("bob"), "JOIN", "#open"))
	wantIn(t, msgs, msg(prefix("bob"), "JOIN", "#locked"))

	// Joining a channel one is already in is silent.
	bob.Send("JOIN #open")
	if got := bob.Roundtrip(); len(got) != 0 {
		t.Fatalf("re-JOIN answered %s", dump(got))
	}

	// JOIN 0 parts every channel.
	bob.Send("JOIN 0")
	got := bob.Roundtrip()
	wantIn(t, got, msg(prefix("bob"), "PART", "#open", "Left all channels"))
	wantIn(t, got, msg(prefix("bob"), "PART", "#locked", "Left all channels"))
	got = alice.Roundtrip()
	wantIn(t, got, msg(prefix("bob"), "PART", "#open", "Left all channels"))
	wantIn(t, got, msg(prefix("bob"), "PART", "#locked", "Left all channels"))
	alice.Send("NAMES #open")
	wantIn(t, alice.Roundtrip(), msg("", "353", "alice", "=", "#open", "@alice"))
}

func TestPart(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	bob := connect(t, addr, "bob")
	alice.Join("#room")
	bob.Join("#room")
	alice.Roundtrip()

	bob.Send("PART #room :see you later")
	want(t, bob.Expect("PART"), msg(prefix("bob"), "PART", "#room", "see you later"))
	want(t, alice.Expect("PART"), msg(prefix("bob"), "PART", "#room", "see you later"))
	want(t, numeric(bob, "PART #room", "442"), msg("", "442", "bob", "#room", "You're not on that channel"))
	want(t, numeric(bob, "PART #nowhere", "403"), msg("", "403", "bob", "#nowhere", "No such channel"))

	// Without a reason the PART has no text parameter.
	alice.Send("PART #room")
	want(t, alice.Expect("PART"), msg(prefix("alice"), "PART", "#room"))
	// The last member leaving destroys the channel.
	want(t, numeric(alice, "TOPIC #room", "403"), msg("", "403", "alice", "#room", "No such channel"))
}

func TestTopic(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	bob := connect(t, addr, "bob")
	alice.Join("#room")
	bob.Join("#room")
	alice.Roundtrip()

	want(t, numeric(bob, "TOPIC #room", "331"), msg("", "331", "bob", "#room", "No topic is set"))
	before := time.Now().Unix()
	alice.Send("TOPIC #room :the topic of the day")
	want(t, alice.Expect("TOPIC"), msg(prefix("alice"), "TOPIC", "#room", "the topic of the day"))
	want(t, bob.Expect("TOPIC"), msg(prefix("alice"), "TOPIC", "#room", "the topic of the day"))

	bob.Send("TOPIC #room")
	want(t, bob.Expect("332"), msg("", "332", "bob", "#room", "the topic of the day"))
	who := bob.Expect("333")
	if who.Param(2) != prefix("alice") {
		t.Fatalf("333 setter %q, want %q", who.Param(2), prefix("alice"))
	}
	if ts, err := strconv.ParseInt(who.Param(3), 10, 64); err != nil || ts < before-1 || ts > time.Now().Unix()+1 {
		t.Fatalf("333 time %q, want about %d", who.Param(3), before)
	}

	// New channels are +t: only operators set the topic.
	want(t, numeric(bob, "TOPIC #room :mine now", "482"), msg("", "482", "bob", "#room", "You're not channel operator"))
	alice.Send("MODE #room -t")
	alice.Roundtrip()
	bob.Roundtrip()
	bob.Send("TOPIC #room :mine now")
	want(t, alice.Expect("TOPIC"), msg(prefix("bob"), "TOPIC", "#room", "mine now"))

	// A joining user gets the topic in the JOIN burst.
	carol := connect(t, addr, "carol")
	carol.Send("JOIN #room")
	msgs := carol.Roundtrip()
	wantIn(t, msgs, msg("", "332", "carol", "#room", "mine now"))
	if _, ok := testkit.Find(msgs, "333"); !ok {
		t.Fatalf("no 333 on JOIN: %s", dump(msgs))
	}
	want(t, numeric(carol, "TOPIC #nowhere", "403"), msg("", "403", "carol", "#nowhere", "No such channel"))
	carol.Send("PART #room")
	want(t, numeric(carol, "TOPIC #room :outside", "442"), msg("", "442", "carol", "#room", "You're not on that channel"))
}

func TestNames(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	bob := connect(t, addr, "bob")
	carol := connect(t, addr, "carol")
	for _, c := range []*testkit.Client{alice, bob, carol} {
		c.Join("#room")
	}
	alice.Send("MODE #room +v carol")
	alice.Roundtrip()

	for _, c := range []*testkit.Client{alice, bob, carol} {
		c.Roundtrip()
		c.Send("NAMES #room")
		msgs := c.Roundtrip()
		want(t, msgs[0], msg("", "353", c.Nick, "=", "#room", "@alice bob +carol"))
		want(t, msgs[1], msg("", "366", c.Nick, "#room", "End of /NAMES list"))
	}
	// Unknown channels and a bare NAMES end at once.
	want(t, numeric(bob, "NAMES #nowhere", "366"), msg("", "366", "bob", "#nowhere", "End of /NAMES list"))
	want(t, numeric(bob, "NAMES", "366"), msg("", "366", "bob", "*", "End of /NAMES list"))
}

func TestList(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	bob := connect(t, addr, "bob")
	carol := connect(t, addr, "carol")
	alice.Join("#alpha")
	bob.Join("#alpha")
	alice.Join("#beta")
	for _, c := range []*testkit.Client{alice, bob, carol} {
		c.Join("#gamma")
	}
	alice.Send("TOPIC #beta :beta things")
	alice.Join("#secret")
	alice.Send("MODE #secret +s")
	alice.Roundtrip()

	for _, tc := range []struct {
		args string
		want []string // "name users topic-field"
	}{
		{"", []string{"#alpha 2 [+nt] ", "#beta 1 [+nt] beta things", "#gamma 3 [+nt] "}},
		{"#a*", []string{"#alpha 2 [+nt] "}},
		{"#alpha,#gamma", []string{"#alpha 2 [+nt] ", "#gamma 3 [+nt] "}},
		{">1", []string{"#alpha 2 [+nt] ", "#gamma 3 [+nt] "}},
		{"<2", []string{"#beta 1 [+nt] beta things"}},
		{">1,<3", []string{"#alpha 2 [+nt] "}},
		{"#nothing*", nil},
	} {
		line := "LIST"
		if tc.args != "" {
			line += " " + tc.args
		}
		carol.Send(line)
		msgs := carol.Roundtrip()
		want(t, msgs[0], msg("", "321", "carol", "Channel", "Users  Name"))
		want(t, msgs[len(msgs)-1], msg("", "323", "carol", "End of /LIST"))
		var got []string
		for _, m := range msgs[1 : len(msgs)-1] {
			if m.Command != "322" || m.Param(0) != "carol" {
				t.Fatalf("%s: unexpected %q", line, m.String())
			}
			got = append(got, m.Param(1)+" "+m.Param(2)+" "+m.Param(3))
		}
		sort.Strings(got)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: got %q, want %q", line, got, tc.want)
		}
	}
	// Members see their secret channel.
	alice.Send("LIST #secret")
	wantIn(t, alice.Roundtrip(), msg("", "322", "alice", "#secret", "1", "[+nst] "))
}

func TestInvite(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	bob := connect(t, addr, "bob")
	carol := connect(t, addr, "carol")
	alice.Join("#club")
	bob.Join("#club")
	alice.Send("MODE #club +i")
	alice.Roundtrip()

	want(t, numeric(carol, "JOIN #club", "473"), msg("", "473", "carol", "#club", "Cannot join channel (+i)"))
	want(t, numeric(bob, "INVITE carol #club", "482"), msg("", "482", "bob", "#club", "You're not channel operator"))
	want(t, numeric(carol, "INVITE bob #club", "442"), msg("", "442", "carol", "#club", "You're not on that channel"))
	want(t, numeric(alice, "INVITE bob #club", "443"), msg("", "443", "alice", "bob", "#club", "is already on channel"))
	want(t, numeric(alice, "INVITE nobody #club", "401"), msg("", "401", "alice", "nobody", "No such nick/channel"))
	want(t, numeric(alice, "INVITE carol #nowhere", "403"), msg("", "403", "alice", "#nowhere", "No such channel"))

	want(t, numeric(alice, "INVITE carol #club", "341"), msg("", "341", "alice", "carol", "#club"))
	want(t, carol.Expect("INVITE"), msg(prefix("alice"), "INVITE", "carol", "#club"))
	// Without invite-notify, other members are not told.
	wantNone(t, bob.Roundtrip(), "INVITE")
	carol.Send("JOIN #club")
	want(t, carol.Expect("JOIN"), msg(prefix("carol"), "JOIN", "#club"))
	want(t, bob.Expect("JOIN"), msg(prefix("carol"), "JOIN", "#club"))
}

func TestKick(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	bob := connect(t, addr, "bob")
	carol := connect(t, addr, "carol")
	dave := connect(t, addr, "dave")
	for _, c := range []*testkit.Client{alice, bob, carol} {
		c.Join("#room")
	}
	alice.Roundtrip()
	bob.Roundtrip()

	want(t, numeric(bob, "KICK #room carol :go", "482"), msg("", "482", "bob", "#room", "You're not channel operator"))
	want(t, numeric(alice, "KICK #room dave", "441"), msg("", "441", "alice", "dave", "#room", "They aren't on that channel"))
	want(t, numeric(alice, "KICK #room nobody", "441"), msg("", "441", "alice", "nobody", "#room", "They aren't on that channel"))
	want(t, numeric(dave, "KICK #room bob", "442"), msg("", "442", "dave", "#room", "You're not on that channel"))
	want(t, numeric(dave, "KICK #nowhere bob", "403"), msg("", "403", "dave", "#nowhere", "No such channel"))
	want(t, numeric(dave, "KICK #room", "461"), msg("", "461", "dave", "KICK", "Not enough parameters"))

	alice.Send("KICK #room bob :behave yourself")
	kick := msg(prefix("alice"), "KICK", "#room", "bob", "behave yourself")
	for _, c := range []*testkit.Client{alice, bob, carol} {
		want(t, c.Expect("KICK"), kick)
	}
	// Without a reason, the kicker's nick is the reason.
	alice.Send("KICK #room carol")
	want(t, carol.Expect("KICK"), msg(prefix("alice"), "KICK", "#room", "carol", "alice"))

	// bob is out: he can no longer speak to the +n channel.
	want(t, numeric(bob, "PRIVMSG #room :hello?", "404"), msg("", "404", "bob", "#room", "Cannot send to channel"))
	alice.Send("NAMES #room")
	wantIn(t, alice.Roundtrip(), msg("", "353", "alice", "=", "#room", "@alice"))
}

func TestBadChannelNamesAndLimits(t *testing.T) {
	t.Parallel()
	addr := start(t, func(cfg *config.Config) { cfg.Limits.MaxChannels = 2 })
	c := connect(t, addr, "alice")
	long := "#" + strings.Repeat("x", 64) // CHANNELLEN=64 counts the '#'
	for _, name := range []string{"nochan", "#", long, "#bell\x07", "&local", "+modeless"} {
		c.Send("JOIN " + name)
		msgs := c.Roundtrip()
		if len(msgs) != 1 {
			t.Fatalf("JOIN %q answered %s", name, dump(msgs))
		}
		want(t, msgs[0], msg("", "403", "alice", name, "No such channel"))
	}
	c.Join("#one")
	c.Join("#two")
	want(t, numeric(c, "JOIN #three", "405"), msg("", "405", "alice", "#three", "You have joined too many channels"))
	c.Send("PART #two")
	c.Join("#three")
	c.Send("NAMES #three")
	wantIn(t, c.Roundtrip(), msg("", "353", "alice", "=", "#three", "@alice"))
}
