package node_test

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/xdg-go/scram"

	"github.com/parleychat/parley/internal/auth"
	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/node"
	"github.com/parleychat/parley/internal/testkit"
)

// startAccounts runs a node (config changed by mutate, may be nil) and returns it with its IRC
// address.
func startAccounts(t *testing.T, mutate func(*config.Config)) (*node.Node, string) {
	t.Helper()
	cfg := testkit.Config(t)
	if mutate != nil {
		mutate(cfg)
	}
	n := testkit.StartNode(t, cfg)
	return n, testkit.IRCAddr(n)
}

// addAccount stores an account directly, as the CLI or the API would.
func addAccount(t *testing.T, n *node.Node, name, password string) {
	t.Helper()
	if _, err := auth.CreateAccount(context.Background(), n.AccountStore(), name, "", []byte(password)); err != nil {
		t.Fatalf("create account %s: %v", name, err)
	}
}

// authenticate sends one client message as AUTHENTICATE chunks of 400 bytes (IRCv3 sasl-3.1).
func authenticate(c *testkit.Client, msg []byte) {
	enc := base64.StdEncoding.EncodeToString(msg)
	for len(enc) >= 400 {
		c.Send("AUTHENTICATE " + enc[:400])
		enc = enc[400:]
	}
	if enc == "" {
		c.Send("AUTHENTICATE +")
		return
	}
	c.Send("AUTHENTICATE " + enc)
}

// saslResult waits for the end of an exchange: 903 or one of the failure numerics.
func saslResult(c *testkit.Client) ircmsg.Message {
	m, _ := saslResultAll(c)
	return m
}

// saslResultAll is saslResult that also returns the lines before the result.
func saslResultAll(c *testkit.Client) (ircmsg.Message, []ircmsg.Message) {
	var seen []ircmsg.Message
	m := c.ExpectFunc("SASL result", func(m ircmsg.Message) bool {
		switch m.Command {
		case "903", "904", "905", "906", "907":
			return true
		}
		seen = append(seen, m)
		return false
	})
	return m, seen
}

// saslPlain runs AUTHENTICATE PLAIN and returns the final numeric.
func saslPlain(c *testkit.Client, user, password string) ircmsg.Message {
	m, _ := saslPlainAll(c, user, password)
	return m
}

// saslPlainAll is saslPlain that also returns the lines before the final numeric.
func saslPlainAll(c *testkit.Client, user, password string) (ircmsg.Message, []ircmsg.Message) {
	c.Send("AUTHENTICATE PLAIN")
	c.ExpectFunc("AUTHENTICATE +", func(m ircmsg.Message) bool {
		return m.Command == "AUTHENTICATE" && m.Param(0) == "+" || m.Command == "904" || m.Command == "907"
	})
	authenticate(c, []byte("\x00"+user+"\x00"+password))
	return saslResultAll(c)
}

// saslScram runs AUTHENTICATE SCRAM-SHA-256 with xdg-go/scram's client and returns the final
// numeric, failing the test if the client rejects the server (a wrong server signature).
func saslScram(t *testing.T, c *testkit.Client, user, password string) ircmsg.Message {
	t.Helper()
	client, err := scram.SHA256.NewClient(user, password, "")
	if err != nil {
		client, err = scram.SHA256.NewClientUnprepped(user, password, "") // what clients fall back to
	}
	if err != nil {
		t.Fatal(err)
	}
	conv := client.NewConversation()
	c.Send("AUTHENTICATE SCRAM-SHA-256")
	c.Expect("AUTHENTICATE")
	first, _ := conv.Step("")
	authenticate(c, []byte(first))
	m := c.ExpectFunc("server-first or failure", func(m ircmsg.Message) bool {
		return m.Command == "AUTHENTICATE" || m.Command == "904"
	})
	if m.Command == "904" {
		return m
	}
	serverFirst, err := base64.StdEncoding.DecodeString(m.Param(0))
	if err != nil {
		t.Fatal(err)
	}
	final, err := conv.Step(string(serverFirst))
	if err != nil {
		t.Fatalf("client-final: %v", err)
	}
	authenticate(c, []byte(final))
	m = c.ExpectFunc("server-final or failure", func(m ircmsg.Message) bool {
		return m.Command == "AUTHENTICATE" || m.Command == "904"
	})
	if m.Command == "904" {
		return m
	}
	serverFinal, _ := base64.StdEncoding.DecodeString(m.Param(0))
	if _, err := conv.Step(string(serverFinal)); err != nil || !conv.Valid() {
		t.Fatalf("client rejected the server's signature: %v", err)
	}
	c.Send("AUTHENTICATE +")
	return saslResult(c)
}

// preReg dials addr and starts registration with CAP LS 302 and the caps, leaving it open
// (no CAP END) so SASL can run first.
func preReg(t *testing.T, addr, nick string, caps ...string) *testkit.Client {
	t.Helper()
	c := testkit.Dial(t, addr)
	c.Nick = nick
	c.Send("CAP LS 302")
	req := "sasl"
	for _, cp := range caps {
		req += " " + cp
	}
	c.Send("CAP REQ :" + req)
	c.ExpectFunc("CAP ACK", func(m ircmsg.Message) bool { return m.Command == "CAP" && m.Param(1) == "ACK" })
	c.Send("NICK " + nick)
	c.Send("USER " + nick + " 0 * :" + nick)
	return c
}

// finishReg ends capability negotiation and returns the welcome burst (and anything after it
// that the server queued by now).
func finishReg(c *testkit.Client) []ircmsg.Message {
	c.Send("CAP END")
	return c.Roundtrip()
}
