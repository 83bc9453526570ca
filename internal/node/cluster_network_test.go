package node_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/testkit"
)

// Guarantee 1 of issue 6: users on different nodes are on one network.
func TestClusterOneNetwork(t *testing.T) {
	nodes := startNetwork(t)
	alice := connectTo(t, nodes[0], "alice")
	bob := connectTo(t, nodes[1], "bob")
	carol := connectTo(t, nodes[2], "carol")
	for _, nick := range []string{"alice", "bob", "carol"} {
		waitUser(t, nodes, nick, true)
	}

	alice.Join("#one")
	waitMember(t, nodes, "#one", "alice", true)
	bob.Join("#one")
	expectFrom(t, alice, "bob", "JOIN")
	waitMember(t, nodes, "#one", "bob", true)

	// Messages cross nodes both ways.
	alice.Send("PRIVMSG #one :hello from A")
	if m := expectFrom(t, bob, "alice", "PRIVMSG"); m.Param(1) != "hello from A" {
		t.Fatalf("bob got %s", m.String())
	}
	bob.Send("NOTICE #one :notice from B")
	expectFrom(t, alice, "bob", "NOTICE")
	alice.Send("PRIVMSG bob :private")
	if m := expectFrom(t, bob, "alice", "PRIVMSG"); m.Param(0) != "bob" {
		t.Fatalf("bob got %s", m.String())
	}

	// NAMES, WHO and WHOIS on B show the founder on A, from B's replica.
	bob.Send("NAMES #one")
	names := bob.Expect("353")
	if got := names.Param(3); got != "@alice bob" && got != "bob @alice" {
		t.Fatalf("NAMES on B: %q", got)
	}
	bob.Send("WHOIS alice")
	if m := bob.Expect("311"); m.Param(1) != "alice" {
		t.Fatalf("WHOIS alice on B: %s", m.String())
	}
	bob.Send("WHO #one")
	whoNicks := map[string]bool{}
	for {
		m := bob.ExpectFunc("WHO reply", func(m ircmsg.Message) bool { return m.Command == "352" || m.Command == "315" })
		if m.Command == "315" {
			break
		}
		whoNicks[m.Param(5)] = true
	}
	if !whoNicks["alice"] || !whoNicks["bob"] || len(whoNicks) != 2 {
		t.Fatalf("WHO #one on B: %v", whoNicks)
	}

	// TOPIC and MODE set on A reach B, and B enforces them.
	alice.Send("TOPIC #one :the topic")
	expectFrom(t, bob, "alice", "TOPIC")
	alice.Send("MODE #one +m")
	expectFrom(t, bob, "alice", "MODE")
	waitModes(t, nodes[1], "#one", "+mnt")
	bob.Send("PRIVMSG #one :muted?")
	bob.Expect("404")
	alice.Send("MODE #one +v bob")
	expectFrom(t, bob, "alice", "MODE")
	waitRank(t, nodes[1], "#one", "bob", '+')
	bob.Send("PRIVMSG #one :voiced")
	expectFrom(t, alice, "bob", "PRIVMSG")
	bob.Send("TOPIC #one")
	if m := bob.Expect("332"); m.Param(2) != "the topic" {
		t.Fatalf("TOPIC on B: %s", m.String())
	}

	// A ban set on A keeps carol (on C) out.
	alice.Send("MODE #one +b carol!*@*")
	expectFrom(t, bob, "alice", "MODE")
	waitBan(t, nodes[2], "#one", "carol!*@*")
	carol.Send("JOIN #one")
	carol.Expect("474")

	// A ban exception set on A lets carol past the ban on C; once removed, the ban holds again.
	alice.Send("MODE #one +e carol!*@*")
	expectFrom(t, bob, "alice", "MODE")
	waitList(t, nodes[2], "#one", 'e', "carol!*@*", true)
	carol.Join("#one")
	expectFrom(t, alice, "carol", "JOIN")
	carol.Send("PART #one")
	expectFrom(t, alice, "carol", "PART")
	alice.Send("MODE #one -e carol!*@*")
	expectFrom(t, bob, "alice", "MODE")
	waitList(t, nodes[2], "#one", 'e', "carol!*@*", false)
	carol.Send("JOIN #one")
	carol.Expect("474")

	// An invite exception (+I) set on A lets carol (on C) into an invite-only channel.
	alice.Join("#two")
	alice.Send("MODE #two +iI carol!*@*")
	waitList(t, nodes[2], "#two", 'I', "carol!*@*", true)
	carol.Join("#two")
	expectFrom(t, alice, "carol", "JOIN")

	// INVITE crosses nodes and lets carol past the ban.
	alice.Send("INVITE carol #one")
	if m := expectFrom(t, carol, "alice", "INVITE"); m.Param(1) != "#one" {
		t.Fatalf("carol got %s", m.String())
	}
	carol.Join("#one")
	expectFrom(t, alice, "carol", "JOIN")
	expectFrom(t, bob, "carol", "JOIN")
	waitMember(t, nodes, "#one", "carol", true)

	// AWAY, NICK, KICK, PART and QUIT cross nodes.
	bob.Send("AWAY :lunch")
	bob.Expect("306")
	waitAway(t, nodes[0], "bob", "lunch")
	alice.Send("PRIVMSG bob :are you there")
	if m := alice.Expect("301"); m.Param(2) != "lunch" {
		t.Fatalf("RPL_AWAY on A: %s", m.String())
	}
	bob.Send("NICK bobby")
	if m := expectFrom(t, alice, "bob", "NICK"); m.Param(0) != "bobby" {
		t.Fatalf("alice got %s", m.String())
	}
	waitUser(t, nodes, "bobby", true)
	waitUser(t, nodes, "bob", false)
	alice.Send("KICK #one carol :out")
	if m := expectFrom(t, carol, "alice", "KICK"); m.Param(1) != "carol" {
		t.Fatalf("carol got %s", m.String())
	}
	expectFrom(t, bob, "alice", "KICK")
	waitMember(t, nodes, "#one", "carol", false)
	bob.Send("PART #one :bye")
	expectFrom(t, alice, "bobby", "PART")
	waitMember(t, nodes, "#one", "bobby", false)
	bob.Join("#one")
	expectFrom(t, alice, "bobby", "JOIN")
	bob.Send("QUIT :gone home")
	if m := expectFrom(t, alice, "bobby", "QUIT"); m.Param(0) != "Quit: gone home" {
		t.Fatalf("alice got %s", m.String())
	}
	waitUser(t, nodes, "bobby", false)
	waitMember(t, nodes, "#one", "bobby", false)

	// Channel and user metadata set on A reach every replica.
	url, color := "https://example.org", "teal"
	a := nodes[0].Network()
	if _, err := a.SetChannelMetadata(a.FindUser("alice"), "#one", "url", &url); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SetUserMetadata(a.FindUser("alice"), a.FindUser("alice"), "color", &color); err != nil {
		t.Fatal(err)
	}
	testkit.CheckFor(t, clusterWait, 5*time.Millisecond, func() error {
		for i, n := range nodes {
			got, _ := n.Network().FindChannel("#one").Metadata().Get("url")
			c, _ := n.Network().FindUser("alice").Metadata().Get("color")
			if got != url || c != color {
				return fmt.Errorf("node %d: channel url %q, alice's color %q", i+1, got, c)
			}
		}
		return nil
	})
}
