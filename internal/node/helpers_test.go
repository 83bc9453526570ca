package node_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/testkit"
)

// serverName is the source of every numeric a test node sends (testkit.Config).
const serverName = "irc.test"

// start runs a node for the test, with the test configuration changed by mutate (may be nil), and
// returns its IRC address.
func start(t *testing.T, mutate func(*config.Config)) string {
	t.Helper()
	cfg := testkit.Config(t)
	if mutate != nil {
		mutate(cfg)
	}
	return testkit.IRCAddr(testkit.StartNode(t, cfg))
}

// connect dials addr and registers nick.
func connect(t *testing.T, addr, nick string) *testkit.Client {
	t.Helper()
	c := testkit.Dial(t, addr)
	c.Register(nick)
	return c
}

// prefix is the nick!user@host a testkit client registered as nick has on a loopback node.
func prefix(nick string) string {
	return nick + "!~" + strings.ToLower(nick) + "@127.0.0.1"
}

// msg builds an expected message; source "" stands for the server.
func msg(source, command string, params ...string) ircmsg.Message {
	if source == "" {
		source = serverName
	}
	return ircmsg.Message{Source: source, Command: command, Params: params}
}

// bare builds an expected message without a source, as ERROR and the server's PING are sent.
func bare(command string, params ...string) ircmsg.Message {
	return ircmsg.Message{Command: command, Params: params}
}

// same compares source, command and parameters; tags are not part of these tests.
func same(a, b ircmsg.Message) bool {
	return a.Source == b.Source && a.Command == b.Command && reflect.DeepEqual(a.Params, b.Params)
}

// want fails the test unless got is exactly want (tags aside).
func want(t *testing.T, got, want ircmsg.Message) {
	t.Helper()
	if !same(got, want) {
		t.Fatalf("got  %q\nwant %q", got.String(), want.String())
	}
}

// wantIn fails the test unless msgs contain exactly want (tags aside).
func wantIn(t *testing.T, msgs []ircmsg.Message, want ircmsg.Message) {
	t.Helper()
	for _, m := range msgs {
		if same(m, want) {
			return
		}
	}
	t.Fatalf("missing %q among:\n%s", want.String(), dump(msgs))
}

// wantNone fails the test if any of msgs has the command.
func wantNone(t *testing.T, msgs []ircmsg.Message, command string) {
	t.Helper()
	if m, ok := testkit.Find(msgs, command); ok {
		t.Fatalf("unexpected %q among:\n%s", m.String(), dump(msgs))
	}
}

func dump(msgs []ircmsg.Message) string {
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString("  ")
		b.WriteString(m.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// numeric sends line and returns the first reply with the numeric code; other lines are skipped.
func numeric(c *testkit.Client, line, code string) ircmsg.Message {
	c.Send(line)
	return c.Expect(code)
}
