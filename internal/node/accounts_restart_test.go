package node_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/node"
	"github.com/parleychat/parley/internal/testkit"
)

// runNode starts a node on cfg and returns it with a function that shuts it down (releasing the
// data directory's lock); the test's cleanup calls it too, harmlessly.
func runNode(t *testing.T, cfg *config.Config) (*node.Node, func()) {
	t.Helper()
	n, err := node.New(cfg, node.Options{Version: "parley-test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("node.New: %v", err)
	}
	if err := n.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		n.Shutdown(ctx, "restart")
	}
	t.Cleanup(stop)
	return n, stop
}

// Accounts and channel registrations live in the data directory: a node started again on it
// knows them, and re-creates a registered channel from its registration on the first join.
func TestAccountsSurviveRestart(t *testing.T) {
	cfg := testkit.Config(t)
	n1, stop := runNode(t, cfg)
	addr := testkit.IRCAddr(n1)
	alice := connect(t, addr, "alice")
	alice.Send("REGISTER * * :correct horse")
	alice.Expect("900")
	alice.Join("#keep")
	alice.Send("CS REGISTER #keep")
	alice.Send("TOPIC #keep :kept across restarts")
	alice.Send("MODE #keep +sR")
	alice.Roundtrip()
	testkit.CheckFor(t, 2*time.Second, 20*time.Millisecond, func() error {
		reg, err := n1.AccountStore().Channel(context.Background(), "#keep")
		if err != nil || reg.Topic != "kept across restarts" || reg.Modes != "Rnst" {
			return fmt.Errorf("registration not written yet: %+v %v", reg, err)
		}
		return nil
	})
	stop()

	n2, _ := runNode(t, cfg)
	addr = testkit.IRCAddr(n2)
	// A user without an account cannot re-create the channel (+R came back with it).
	guest := connect(t, addr, "guest")
	guest.Send("JOIN #keep")
	guest.Expect("477")

	c := preReg(t, addr, "alice")
	if got := saslPlain(c, "alice", "correct horse"); got.Command != "903" {
		t.Fatalf("SASL after restart: %s", got.String())
	}
	finishReg(c)
	c.Send("JOIN #keep")
	want(t, c.Expect("332"), msg("", "332", "alice", "#keep", "kept across restarts"))
	c.Expect("366")
	wantIn(t, c.Roundtrip(), msg("ChanServ!services@irc.test", "MODE", "#keep", "+q", "alice"))
	c.Send("MODE #keep")
	want(t, c.Expect("324"), msg("", "324", "alice", "#keep", "+Rnst"))
}
