package node_test

import (
	"testing"
)

func TestAwayNotify(t *testing.T) {
	addr := start(t, nil)
	alice := capConnect(t, addr, "alice", "away-notify")
	bob := connect(t, addr, "bob")
	carol := connect(t, addr, "carol")
	for _, c := range []interface{ Join(string) }{alice, bob, carol} {
		c.Join("#away")
	}
	alice.Roundtrip()
	bob.Send("AWAY :lunch")
	bob.Expect("306")
	want(t, alice.Expect("AWAY"), msg(prefix("bob"), "AWAY", "lunch"))
	wantNone(t, carol.Roundtrip(), "AWAY")
	bob.Send("AWAY")
	want(t, alice.Expect("AWAY"), msg(prefix("bob"), "AWAY"))

	// A user who joins while away is announced as away right after the JOIN.
	carol.Send("AWAY :gone")
	carol.Expect("306")
	carol.Send("PART #away")
	alice.Expect("PART")
	carol.Send("JOIN #away")
	want(t, alice.Expect("JOIN"), msg(prefix("carol"), "JOIN", "#away"))
	want(t, alice.Expect("AWAY"), msg(prefix("carol"), "AWAY", "gone"))
	wantNone(t, bob.Roundtrip(), "AWAY")
}

func TestAccountNotifyAndAccountTag(t *testing.T) {
	n, addr := startV3(t)
	alice := capConnect(t, addr, "alice", "account-notify", "account-tag")
	bob := connect(t, addr, "bob")
	carol := connect(t, addr, "carol")
	for _, c := range []interface{ Join(string) }{alice, bob, carol} {
		c.Join("#acct")
	}
	alice.Roundtrip()
	carol.Roundtrip()
	net := n.Network()
	net.SetUserAccount(net.FindUser("bob"), "bobby")
	want(t, alice.Expect("ACCOUNT"), msg(prefix("bob"), "ACCOUNT", "bobby"))
	wantNone(t, carol.Roundtrip(), "ACCOUNT")

	bob.Send("PRIVMSG #acct :tagged")
	m := alice.Expect("PRIVMSG")
	wantTag(t, m, "account", "bobby")
	if c := carol.Expect("PRIVMSG"); len(c.Tags) != 0 {
		t.Fatalf("account tag without account-tag: %q", c.String())
	}
	net.SetUserAccount(net.FindUser("bob"), "")
	want(t, alice.Expect("ACCOUNT"), msg(prefix("bob"), "ACCOUNT", "*"))
	bob.Send("PRIVMSG #acct :untagged")
	wantNoTag(t, alice.Expect("PRIVMSG"), "account")
}

func TestChghost(t *testing.T) {
	n, addr := startV3(t)
	alice := capConnect(t, addr, "alice", "chghost")
	bob := connect(t, addr, "bob")
	carol := capConnect(t, addr, "carol", "extended-join")
	for _, c := range []interface{ Join(string) }{bob, alice, carol} {
		c.Join("#h")
	}
	bob.Join("#h2")
	carol.Join("#h2")
	alice.Roundtrip()
	carol.Roundtrip()
	bob.Roundtrip()
	net := n.Network()
	net.ChangeHost(net.FindUser("bob"), "~new", "cloak.example")
	newPrefix := "bob!~new@cloak.example"

	// chghost holders see one CHGHOST, from the old prefix.
	want(t, alice.Expect("CHGHOST"), msg(prefix("bob"), "CHGHOST", "~new", "cloak.example"))
	wantNone(t, alice.Roundtrip(), "JOIN")

	// The others see the spec's fallback: QUIT, then a JOIN (and MODE for ranks) per shared channel.
	got := carol.Roundtrip()
	wantIn(t, got, msg(prefix("bob"), "QUIT", "Changing host"))
	wantIn(t, got, msg(newPrefix, "JOIN", "#h", "*", "Test user bob"))
	wantIn(t, got, msg(newPrefix, "JOIN", "#h2", "*", "Test user bob"))
	wantIn(t, got, msg("", "MODE", "#h", "+o", "bob"))
	wantIn(t, got, msg("", "MODE", "#h2", "+o", "bob"))
	if len(only(got, "QUIT")) != 1 {
		t.Fatalf("fallback QUIT sent more than once:\n%s", dump(got))
	}
	// bob itself, without chghost, is not told it quit.
	wantNone(t, bob.Roundtrip(), "QUIT")

	// The new host is what WHOIS and later messages show.
	want(t, numeric(alice, "WHOIS bob", "311"), msg("", "311", "alice", "bob", "~new", "cloak.example", "*", "Test user bob"))
}

func TestSetname(t *testing.T) {
	addr := start(t, nil)
	alice := capConnect(t, addr, "alice", "setname")
	bob := capConnect(t, addr, "bob", "setname")
	carol := connect(t, addr, "carol")
	for _, c := range []interface{ Join(string) }{alice, bob, carol} {
		c.Join("#s")
	}
	carol.Roundtrip()
	bob.Roundtrip()
	alice.Send("SETNAME :Alice Liddell")
	want(t, alice.Expect("SETNAME"), msg(prefix("alice"), "SETNAME", "Alice Liddell"))
	want(t, bob.Expect("SETNAME"), msg(prefix("alice"), "SETNAME", "Alice Liddell"))
	wantNone(t, carol.Roundtrip(), "SETNAME")
	want(t, numeric(carol, "WHOIS alice", "311"), msg("", "311", "carol", "alice", "~alice", "127.0.0.1", "*", "Alice Liddell"))

	long := make([]byte, 151)
	for i := range long {
		long[i] = 'x'
	}
	alice.Send("SETNAME :" + string(long))
	want(t, alice.Expect("FAIL"), msg("", "FAIL", "SETNAME", "INVALID_REALNAME", "Realname is not valid"))
	wantNone(t, bob.Roundtrip(), "SETNAME")
}

func TestInviteNotify(t *testing.T) {
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	bob := capConnect(t, addr, "bob", "invite-notify")
	carol := connect(t, addr, "carol")
	dave := connect(t, addr, "dave")
	alice.Join("#inv")
	bob.Join("#inv")
	carol.Join("#inv")
	alice.Send("MODE #inv +o bob")
	alice.Send("MODE #inv +o carol")
	bob.Roundtrip()
	carol.Roundtrip()
	alice.Roundtrip()
	alice.Send("INVITE dave #inv")
	alice.Expect("341")
	want(t, dave.Expect("INVITE"), msg(prefix("alice"), "INVITE", "dave", "#inv"))
	want(t, bob.Expect("INVITE"), msg(prefix("alice"), "INVITE", "dave", "#inv"))
	wantNone(t, carol.Roundtrip(), "INVITE")
}
