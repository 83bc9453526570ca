package node_test

import (
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/testkit"
)

func TestRenameSeenWithAndWithoutCap(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := capConnect(t, addr, "alice", "draft/channel-rename")
	bob := capConnect(t, addr, "bob", "draft/channel-rename")
	carol := connect(t, addr, "carol")
	for _, c := range []*testkit.Client{alice, bob, carol} {
		c.Join("#old")
	}
	alice.Send("TOPIC #old :the topic")
	alice.Send("MODE #old +k sesame")
	alice.Roundtrip()
	bob.Roundtrip()
	carol.Roundtrip()

	// Only operators rename; the name must be free and valid.
	want(t, numeric(bob, "RENAME #old #new", "482"), msg("", "482", "bob", "#old", "You're not channel operator"))
	carol.Send("JOIN #taken")
	carol.Roundtrip()
	want(t, numeric(alice, "RENAME #old #taken", "FAIL"), msg("", "FAIL", "RENAME", "CHANNEL_NAME_IN_USE", "#old", "#taken", "Channel name is already in use"))
	want(t, numeric(alice, "RENAME #old nochan", "FAIL"), msg("", "FAIL", "RENAME", "CANNOT_RENAME", "#old", "nochan", "Cannot rename to that name"))
	want(t, numeric(alice, "RENAME #nowhere #x", "403"), msg("", "403", "alice", "#nowhere", "No such channel"))

	alice.Send("RENAME #old #new :tidying up")
	ren := msg(prefix("alice"), "RENAME", "#old", "#new", "tidying up")
	want(t, alice.Expect("RENAME"), ren)
	want(t, bob.Expect("RENAME"), ren)
	// Without the capability: PART and JOIN as if carol moved, then the topic and NAMES.
	want(t, carol.Expect("PART"), msg(prefix("carol"), "PART", "#old", "tidying up"))
	want(t, carol.Expect("JOIN"), msg(prefix("carol"), "JOIN", "#new"))
	want(t, carol.Expect("332"), msg("", "332", "carol", "#new", "the topic"))
	carol.Expect("353")
	want(t, carol.Expect("366"), msg("", "366", "carol", "#new", "End of /NAMES list"))

	// The channel keeps its state under the new name; the old name is free.
	want(t, numeric(bob, "MODE #new", "324"), msg("", "324", "bob", "#new", "+knt", "sesame"))
	bob.Send("PRIVMSG #new :still here")
	want(t, carol.Expect("PRIVMSG"), msg(prefix("bob"), "PRIVMSG", "#new", "still here"))
	want(t, numeric(bob, "NAMES #old", "366"), msg("", "366", "bob", "#old", "End of /NAMES list"))
	w := numeric(carol, "WHOIS carol", "319")
	if chans := " " + w.Param(2) + " "; !strings.Contains(chans, " #new ") || strings.Contains(chans, "#old") {
		t.Fatalf("carol's channels after the rename: %q", w.String())
	}
}

func TestRenameFallbackForRenamer(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	alice.Join("#a")
	alice.Send("RENAME #a #b")
	want(t, alice.Expect("PART"), msg(prefix("alice"), "PART", "#a", "Channel renamed to #b"))
	want(t, alice.Expect("JOIN"), msg(prefix("alice"), "JOIN", "#b"))
	alice.Expect("366")
	// A case-only rename keeps the channel.
	alice.Send("RENAME #b #B")
	alice.Expect("JOIN")
	want(t, numeric(alice, "NAMES #b", "353"), msg("", "353", "alice", "=", "#B", "@alice"))
}
