package node_test

import (
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/testkit"
)

func TestWho(t *testing.T) {
	t.Parallel()
	addr, alice, bob, carol := trio(t)
	alice.Send("MODE #room +v carol")
	bob.Send("AWAY :lunch")
	stranger := connect(t, addr, "stranger")
	hidden := connect(t, addr, "hidden")
	hidden.Send("MODE hidden +i")
	hidden.Roundtrip()
	alice.Roundtrip()
	bob.Roundtrip()
	carol.Roundtrip()

	whoLine := func(asker, channel, nick, flags string) string {
		return strings.Join([]string{asker, channel, "~" + nick, "127.0.0.1", serverName, nick, flags, "0 Test user " + nick}, " ")
	}
	for _, tc := range []struct {
		c    *testkit.Client
		mask string
		want []string
	}{
		{carol, "#room", []string{
			whoLine("carol", "#room", "alice", "H@"),
			whoLine("carol", "#room", "bob", "G"),
			whoLine("carol", "#room", "carol", "H+"),
		}},
		{stranger, "b*", []string{whoLine("stranger", "*", "bob", "G")}},
		{stranger, "*!~carol@*", []string{whoLine("stranger", "*", "carol", "H")}},
		// Invisible users are listed only to those who share a channel with them, and themselves.
		{stranger, "hid*", nil},
		{hidden, "hid*", []string{whoLine("hidden", "*", "hidden", "H")}},
		{stranger, "#nowhere", nil},
	} {
		tc.c.Send("WHO " + tc.mask)
		msgs := tc.c.Roundtrip()
		want(t, msgs[len(msgs)-1], msg("", "315", tc.c.Nick, tc.mask, "End of WHO list"))
		var got []string
		for _, m := range msgs[:len(msgs)-1] {
			if m.Command != "352" {
				t.Fatalf("WHO %s: unexpected %q", tc.mask, m.String())
			}
			got = append(got, strings.Join(m.Params, " "))
		}
		sort.Strings(got)
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("WHO %s:\ngot  %q\nwant %q", tc.mask, got, tc.want)
		}
	}
}

func TestWhois(t *testing.T) {
	t.Parallel()
	_, alice, bob, _ := trio(t)
	bob.Join("#other")
	bob.Send("AWAY :busy")
	bob.Roundtrip()
	signon := time.Now().Unix()

	alice.Send("WHOIS bob")
	msgs := alice.Roundtrip()
	wantIn(t, msgs, msg("", "311", "alice", "bob", "~bob", "127.0.0.1", "*", "Test user bob"))
	ch, ok := testkit.Find(msgs, "319")
	if !ok {
		t.Fatalf("no 319: %s", dump(msgs))
	}
	if chans := strings.Fields(ch.Param(2)); len(chans) != 2 || !contains(chans, "#room") || !contains(chans, "@#other") {
		t.Fatalf("319 %q, want #room and @#other", ch.String())
	}
	wantIn(t, msgs, msg("", "312", "alice", "bob", serverName, "parley chat server"))
	wantIn(t, msgs, msg("", "301", "alice", "bob", "busy"))
	wantNone(t, msgs, "313")
	idle, ok := testkit.Find(msgs, "317")
	if !ok {
		t.Fatalf("no 317: %s", dump(msgs))
	}
	secs, err1 := strconv.Atoi(idle.Param(2))
	on, err2 := strconv.ParseInt(idle.Param(3), 10, 64)
	if err1 != nil || err2 != nil || secs < 0 || secs > 60 || on > signon+1 || on < signon-60 || idle.Param(4) != "seconds idle, signon time" {
		t.Fatalf("317 %q", idle.String())
	}
	want(t, msgs[len(msgs)-1], msg("", "318", "alice", "bob", "End of /WHOIS list"))

	alice.Send("WHOIS nobody")
	msgs = alice.Roundtrip()
	if len(msgs) != 2 {
		t.Fatalf("WHOIS nobody: %s", dump(msgs))
	}
	want(t, msgs[0], msg("", "401", "alice", "nobody", "No such nick/channel"))
	want(t, msgs[1], msg("", "318", "alice", "nobody", "End of /WHOIS list"))
	want(t, numeric(alice, "WHOIS", "461"), msg("", "461", "alice", "WHOIS", "Not enough parameters"))
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestWhowas(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	bob := connect(t, addr, "bob")
	bob.Send("QUIT :bye")
	bob.ExpectClosed()
	renamer := connect(t, addr, "oldname")
	renamer.Send("NICK newname")
	renamer.Expect("NICK")

	for _, tc := range []struct {
		nick, realname string
	}{{"bob", "Test user bob"}, {"oldname", "Test user oldname"}} {
		alice.Send("WHOWAS " + tc.nick)
		msgs := alice.Roundtrip()
		if len(msgs) != 3 {
			t.Fatalf("WHOWAS %s: %s", tc.nick, dump(msgs))
		}
		want(t, msgs[0], msg("", "314", "alice", tc.nick, "~"+tc.nick, "127.0.0.1", "*", tc.realname))
		if msgs[1].Command != "312" || msgs[1].Param(1) != tc.nick || msgs[1].Param(2) != serverName {
			t.Fatalf("WHOWAS %s: %q, want 312 with the server", tc.nick, msgs[1].String())
		}
		want(t, msgs[2], msg("", "369", "alice", tc.nick, "End of WHOWAS"))
	}
	alice.Send("WHOWAS nobody")
	msgs := alice.Roundtrip()
	if len(msgs) != 2 {
		t.Fatalf("WHOWAS nobody: %s", dump(msgs))
	}
	want(t, msgs[0], msg("", "406", "alice", "nobody", "There was no such nickname"))
	want(t, msgs[1], msg("", "369", "alice", "nobody", "End of WHOWAS"))
	// A live nick that never left has no history either.
	want(t, numeric(alice, "WHOWAS alice", "406"), msg("", "406", "alice", "alice", "There was no such nickname"))
}

func TestIsonUserhost(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	bob := connect(t, addr, "bob")
	connect(t, addr, "carol")
	bob.Send("AWAY :out")
	bob.Roundtrip()

	want(t, numeric(alice, "ISON bob nobody CAROL", "303"), msg("", "303", "alice", "bob carol"))
	want(t, numeric(alice, "ISON :nobody none", "303"), msg("", "303", "alice", ""))
	want(t, numeric(alice, "USERHOST bob alice nobody", "302"),
		msg("", "302", "alice", "bob=-~bob@127.0.0.1 alice=+~alice@127.0.0.1"))
	want(t, numeric(alice, "USERHOST", "461"), msg("", "461", "alice", "USERHOST", "Not enough parameters"))
}

func TestServerInfoCommands(t *testing.T) {
	t.Parallel()
	addr := start(t, func(cfg *config.Config) {
		cfg.Server.Admin = config.Admin{Location1: "Basement", Location2: "Rack 4", Email: "admin@example.net"}
	})
	c := connect(t, addr, "alice")

	c.Send("VERSION")
	msgs := c.Roundtrip()
	want(t, msgs[0], msg("", "351", "alice", "parley-test", serverName, "parley IRC server"))
	if len(testkit.FindAll(msgs, "005")) == 0 {
		t.Fatalf("VERSION without ISUPPORT: %s", dump(msgs))
	}
	want(t, numeric(c, "VERSION other.server", "402"), msg("", "402", "alice", "other.server", "No such server"))

	before := time.Now().Unix()
	tm := numeric(c, "TIME", "391")
	if ts, err := strconv.ParseInt(tm.Param(2), 10, 64); tm.Param(1) != serverName || err != nil || ts < before-1 || ts > before+2 {
		t.Fatalf("TIME %q", tm.String())
	}
	if _, err := time.Parse(time.RFC1123, tm.Param(len(tm.Params)-1)); err != nil {
		t.Fatalf("TIME human-readable part: %v", err)
	}

	c.Send("ADMIN")
	msgs = c.Roundtrip()
	if len(msgs) != 4 {
		t.Fatalf("ADMIN: %s", dump(msgs))
	}
	want(t, msgs[0], msg("", "256", "alice", serverName, "Administrative info"))
	want(t, msgs[1], msg("", "257", "alice", "Basement"))
	want(t, msgs[2], msg("", "258", "alice", "Rack 4"))
	want(t, msgs[3], msg("", "259", "alice", "admin@example.net"))

	c.Send("INFO")
	msgs = c.Roundtrip()
	want(t, msgs[len(msgs)-1], msg("", "374", "alice", "End of INFO list"))
	if n := len(testkit.FindAll(msgs, "371")); n != len(msgs)-1 || n == 0 {
		t.Fatalf("INFO: %s", dump(msgs))
	}

	c.Send("HELP PRIVMSG")
	msgs = c.Roundtrip()
	if msgs[0].Command != "704" || msgs[0].Param(1) != "PRIVMSG" || !strings.HasPrefix(msgs[0].Param(2), "PRIVMSG <target>") {
		t.Fatalf("HELP PRIVMSG starts %q", msgs[0].String())
	}
	want(t, msgs[len(msgs)-1], msg("", "706", "alice", "PRIVMSG", "End of /HELP"))
	c.Send("HELP")
	if msgs := c.Roundtrip(); msgs[0].Command != "704" || msgs[0].Param(1) != "*" {
		t.Fatalf("HELP: %s", dump(msgs))
	}
	want(t, numeric(c, "HELP NOSUCHTHING", "524"), msg("", "524", "alice", "NOSUCHTHING", "No help available on this topic"))
}
