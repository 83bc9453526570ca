package node_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/testkit"
)

func TestMonitorPresence(t *testing.T) {
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	connect(t, addr, "bob")

	alice.Send("MONITOR + bob,carol")
	got := alice.Roundtrip()
	wantIn(t, got, msg("", "730", "alice", prefix("bob")))
	wantIn(t, got, msg("", "731", "alice", "carol"))

	carol := connect(t, addr, "carol")
	want(t, alice.Expect("730"), msg("", "730", "alice", prefix("carol")))
	carol.Send("NICK carla")
	want(t, alice.Expect("731"), msg("", "731", "alice", "carol"))
	carol.Send("QUIT :bye")
	wantNone(t, alice.Roundtrip(), "731") // carla is not monitored

	alice.Send("MONITOR L")
	got = alice.Roundtrip()
	list := only(got, "732")
	if len(list) != 1 || !sameSet(strings.Split(list[0].Param(1), ","), []string{"bob", "carol"}) {
		t.Fatalf("MONITOR L:\n%s", dump(got))
	}
	wantIn(t, got, msg("", "733", "alice", "End of MONITOR list"))

	alice.Send("MONITOR - bob")
	alice.Send("MONITOR S")
	got = alice.Roundtrip()
	wantIn(t, got, msg("", "731", "alice", "carol"))
	wantNone(t, got, "730")

	alice.Send("MONITOR C")
	alice.Send("MONITOR L")
	got = alice.Roundtrip()
	wantNone(t, got, "732")
	wantIn(t, got, msg("", "733", "alice", "End of MONITOR list"))
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[strings.ToLower(s)]++
	}
	for _, s := range b {
		seen[strings.ToLower(s)]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}

func TestMonitorLimit(t *testing.T) {
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	var nicks []string
	for i := 0; i < 101; i++ {
		nicks = append(nicks, fmt.Sprintf("n%d", i))
	}
	// Two commands, so each stays within the line length.
	alice.Send("MONITOR + " + strings.Join(nicks[:50], ","))
	alice.Send("MONITOR + " + strings.Join(nicks[50:], ","))
	got := alice.Roundtrip()
	wantIn(t, got, msg("", "734", "alice", "100", "n100", "Monitor list is full."))
	if n := countTargets(only(got, "731")); n != 100 {
		t.Fatalf("731 listed %d offline nicks, want 100", n)
	}
}

func countTargets(msgs []ircmsg.Message) int {
	n := 0
	for _, m := range msgs {
		n += len(strings.Split(m.Param(1), ","))
	}
	return n
}

func TestMonitorIsupport(t *testing.T) {
	addr := start(t, nil)
	c := testkit.Dial(t, addr)
	tokens := isupport(t, c.Register("alice"))
	for k, v := range map[string]string{"MONITOR": "100", "WHOX": "", "UTF8ONLY": "", "BOT": "B"} {
		if got, ok := tokens[k]; !ok || got != v {
			t.Errorf("ISUPPORT %s = %q (present %v), want %q", k, got, ok, v)
		}
	}
}

func TestExtendedMonitor(t *testing.T) {
	n, addr := startV3(t)
	alice := capConnect(t, addr, "alice", "extended-monitor", "away-notify", "account-notify", "setname")
	plain := capConnect(t, addr, "plain", "away-notify")
	bob := connect(t, addr, "bob")
	alice.Send("MONITOR + bob")
	plain.Send("MONITOR + bob")
	alice.Roundtrip()
	plain.Roundtrip()

	bob.Send("AWAY :out")
	want(t, alice.Expect("AWAY"), msg(prefix("bob"), "AWAY", "out"))
	bob.Send("SETNAME :Robert")
	want(t, alice.Expect("SETNAME"), msg(prefix("bob"), "SETNAME", "Robert"))
	net := n.Network()
	net.SetUserAccount(net.FindUser("bob"), "rob")
	want(t, alice.Expect("ACCOUNT"), msg(prefix("bob"), "ACCOUNT", "rob"))
	// Without extended-monitor, monitoring tells only online and offline.
	wantNone(t, plain.Roundtrip(), "AWAY")

	// Sharing a channel as well: one copy, not two.
	alice.Join("#both")
	bob.Join("#both")
	alice.Roundtrip()
	bob.Send("AWAY :twice?")
	bob.Expect("306")
	if n := len(only(alice.Roundtrip(), "AWAY")); n != 1 {
		t.Fatalf("AWAY delivered %d times", n)
	}
}
