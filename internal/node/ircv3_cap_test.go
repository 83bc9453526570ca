package node_test

import (
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/testkit"
)

// capLS sends CAP LS (with version, may be "") and returns the capability names and values offered,
// joining multi-line replies.
func capLS(t *testing.T, c *testkit.Client, version string) map[string]string {
	t.Helper()
	line := "CAP LS"
	if version != "" {
		line += " " + version
	}
	c.Send(line)
	out := map[string]string{}
	for {
		m := c.Expect("CAP")
		if m.Param(1) != "LS" {
			t.Fatalf("unexpected %q", m.String())
		}
		for _, e := range strings.Fields(m.Params[len(m.Params)-1]) {
			k, v, _ := strings.Cut(e, "=")
			out[k] = v
		}
		if len(m.Params) == 3 {
			return out
		}
		if m.Param(2) != "*" {
			t.Fatalf("continuation line without '*': %q", m.String())
		}
	}
}

func TestCapLSOffersEveryCapability(t *testing.T) {
	addr := start(t, nil)
	c := testkit.Dial(t, addr)
	caps := capLS(t, c, "302")
	for _, name := range []string{
		"account-notify", "account-tag", "away-notify", "batch", "cap-notify", "chghost",
		"draft/no-implicit-names", "echo-message", "extended-join", "extended-monitor", "invite-notify",
		"labeled-response", "message-tags", "multi-prefix", "server-time", "setname", "userhost-in-names",
	} {
		if _, ok := caps[name]; !ok {
			t.Errorf("CAP LS 302 lacks %s: %v", name, caps)
		}
	}
	// No TLS listener: no sts policy to offer (IRCv3 sts).
	if _, ok := caps["sts"]; ok {
		t.Errorf("sts offered without a TLS listener: %v", caps)
	}
}

func TestCapRegistrationWaitsForEnd(t *testing.T) {
	addr := start(t, nil)
	c := testkit.Dial(t, addr)
	c.Send("CAP LS 302")
	c.Send("NICK alice")
	c.Send("USER alice 0 * :Alice")
	got := c.Roundtrip()
	wantNone(t, got, "001")
	c.Send("CAP END")
	c.Expect("001")
}

func TestCapReqIsAtomic(t *testing.T) {
	addr := start(t, nil)
	c := testkit.Dial(t, addr)
	capLS(t, c, "302")
	cases := []struct {
		req, reply string
	}{
		{"multi-prefix bogus-cap", "NAK"},
		{"multi-prefix server-time", "ACK"},
		{"-multi-prefix", "ACK"},
		{"-cap-notify", "NAK"}, // implied by CAP LS 302 and cannot be disabled (cap-notify)
		{"sts", "NAK"},         // not offered here, and never requestable
		{"", "NAK"},
	}
	for _, tc := range cases {
		c.Send("CAP REQ :" + tc.req)
		m := c.Expect("CAP")
		want(t, m, msg("", "CAP", "*", tc.reply, tc.req))
	}
	c.Send("CAP LIST")
	m := c.Expect("CAP")
	if got := strings.Fields(m.Param(2)); strings.Join(got, " ") != "cap-notify server-time" {
		t.Fatalf("CAP LIST after the requests: %q", m.String())
	}
}

func TestCapLS301HasNoValuesNorImplicitNotify(t *testing.T) {
	addr := start(t, nil)
	c := testkit.Dial(t, addr)
	caps := capLS(t, c, "")
	for k, v := range caps {
		if v != "" {
			t.Errorf("CAP LS without 302 carries a value: %s=%s", k, v)
		}
	}
	c.Send("CAP LIST")
	// Without 302 a long LS has no continuation marker, so later LS lines may come first.
	want(t, c.ExpectFunc("CAP LIST", func(m ircmsg.Message) bool { return m.Command == "CAP" && m.Param(1) == "LIST" }),
		msg("", "CAP", "*", "LIST", ""))
}

func TestCapAfterRegistration(t *testing.T) {
	addr := start(t, nil)
	c := connect(t, addr, "alice")
	c.Send("CAP REQ :server-time")
	want(t, c.Expect("CAP"), msg("", "CAP", "alice", "ACK", "server-time"))
	// END after registration is ignored; the client keeps working.
	c.Send("CAP END")
	c.Send("PING x")
	m := c.Expect("PONG")
	if _, ok := m.Tag("time"); !ok {
		t.Fatalf("server-time requested after registration not applied: %q", m.String())
	}
}
