package node_test

import (
	"fmt"
	"testing"

	"github.com/parleychat/parley/internal/testkit"
)

// TestLocalEffectsBeforeReply holds the rule that once a client has the reply to a command, every
// local effect of that command is already queued for the other clients: B's next round trip sees it,
// with no waiting or polling. Each step is repeated to give a race a chance to show.
func TestLocalEffectsBeforeReply(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	b := connect(t, addr, "bee")
	b.Join("#order")

	for i := 0; i < 20; i++ {
		nick := fmt.Sprintf("a%d", i)
		a := testkit.Dial(t, addr)
		a.Register(nick)

		a.Send("JOIN #order")
		a.Roundtrip()
		wantIn(t, b.Roundtrip(), msg(prefix(nick), "JOIN", "#order"))

		a.Send("PRIVMSG #order :channel " + nick)
		a.Send("PRIVMSG bee :private " + nick)
		a.Roundtrip()
		got := b.Roundtrip()
		wantIn(t, got, msg(prefix(nick), "PRIVMSG", "#order", "channel "+nick))
		wantIn(t, got, msg(prefix(nick), "PRIVMSG", "bee", "private "+nick))

		b.Send("MODE #order +v " + nick)
		b.Roundtrip()
		wantIn(t, a.Roundtrip(), msg(prefix("bee"), "MODE", "#order", "+v", nick))

		a.Send("QUIT :done " + nick)
		a.ExpectClosed() // the ERROR is QUIT's reply
		wantIn(t, b.Roundtrip(), msg(prefix(nick), "QUIT", "Quit: done "+nick))
		b.Send("WHOWAS " + nick)
		wantIn(t, b.Roundtrip(), msg("", "314", "bee", nick, "~"+nick, "127.0.0.1", "*", "Test user "+nick))
		b.Send("ISON " + nick)
		wantIn(t, b.Roundtrip(), msg("", "303", "bee", ""))
	}
}
