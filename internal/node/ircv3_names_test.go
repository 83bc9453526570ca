package node_test

import (
	"testing"

	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/testkit"
)

// opAndVoice makes alice an op of #n with bob, then gives alice voice too.
func opAndVoice(t *testing.T, addr string, caps ...string) (alice, bob *testkit.Client) {
	t.Helper()
	alice = connect(t, addr, "alice")
	bob = capConnect(t, addr, "bob", caps...)
	alice.Join("#n")
	bob.Join("#n")
	alice.Send("MODE #n +v alice")
	alice.Expect("MODE")
	bob.Expect("MODE")
	return alice, bob
}

func TestMultiPrefix(t *testing.T) {
	addr := start(t, nil)
	_, bob := opAndVoice(t, addr, "multi-prefix")
	want(t, numeric(bob, "NAMES #n", "353"), msg("", "353", "bob", "=", "#n", "@+alice bob"))
	who := numeric(bob, "WHO #n", "352")
	if who.Param(6) != "H@+" {
		t.Fatalf("WHO flags with multi-prefix: %q", who.String())
	}
	wantIn(t, []ircmsg.Message{numeric(bob, "WHOIS alice", "319")}, msg("", "319", "bob", "alice", "@+#n"))
}

func TestWithoutMultiPrefixOnlyTheHighestRank(t *testing.T) {
	addr := start(t, nil)
	_, bob := opAndVoice(t, addr)
	want(t, numeric(bob, "NAMES #n", "353"), msg("", "353", "bob", "=", "#n", "@alice bob"))
}

func TestUserhostInNames(t *testing.T) {
	addr := start(t, nil)
	_, bob := opAndVoice(t, addr, "userhost-in-names")
	want(t, numeric(bob, "NAMES #n", "353"), msg("", "353", "bob", "=", "#n", "@"+prefix("alice")+" "+prefix("bob")))
}

func TestNoImplicitNames(t *testing.T) {
	addr := start(t, nil)
	alice := capConnect(t, addr, "alice", "draft/no-implicit-names")
	alice.Send("JOIN #quiet")
	got := alice.Roundtrip()
	wantIn(t, got, msg(prefix("alice"), "JOIN", "#quiet"))
	wantNone(t, got, "353")
	wantNone(t, got, "366")
	// NAMES still answers when asked.
	numeric(alice, "NAMES #quiet", "366")
}

func TestExtendedJoin(t *testing.T) {
	n, addr := startV3(t)
	alice := capConnect(t, addr, "alice", "extended-join")
	bob := connect(t, addr, "bob")
	alice.Join("#x")
	alice.Roundtrip()
	bob.Join("#x")
	want(t, alice.Expect("JOIN"), msg(prefix("bob"), "JOIN", "#x", "*", "Test user bob"))
	bob.Send("PART #x")
	alice.Expect("PART")
	n.Network().FindUser("bob").SetAccount("bobacct")
	bob.Join("#x")
	want(t, alice.Expect("JOIN"), msg(prefix("bob"), "JOIN", "#x", "bobacct", "Test user bob"))
}
