package node_test

import (
	"testing"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/passhash"
)

// operNode starts a node with the oper block "root" (password "hunter2", any host) and "remote"
// (same password, allowed only from 192.0.2.1).
func operNode(t *testing.T) string {
	t.Helper()
	hash, err := passhash.Hash([]byte("hunter2"))
	if err != nil {
		t.Fatal(err)
	}
	return start(t, func(cfg *config.Config) {
		cfg.Opers = []config.Oper{
			{Name: "root", Password: hash, Class: "admin"},
			{Name: "remote", Password: hash, Class: "admin", Hosts: []string{"*@192.0.2.1"}},
		}
	})
}

func TestOper(t *testing.T) {
	t.Parallel()
	addr := operNode(t)
	alice := connect(t, addr, "alice")
	bob := connect(t, addr, "bob")

	for _, tc := range []struct{ line, code, text string }{
		{"OPER root hunter3", "464", "Password incorrect"},
		{"OPER nobody hunter2", "464", "Password incorrect"},
		{"OPER remote hunter2", "491", "No O-lines for your host"},
	} {
		bob.Send(tc.line)
		msgs := bob.Roundtrip()
		if len(msgs) != 1 {
			t.Fatalf("%s: %s", tc.line, dump(msgs))
		}
		want(t, msgs[0], msg("", tc.code, "bob", tc.text))
	}
	want(t, numeric(bob, "OPER root", "461"), msg("", "461", "bob", "OPER", "Not enough parameters"))

	alice.Send("OPER root hunter2")
	msgs := alice.Roundtrip()
	if len(msgs) != 2 {
		t.Fatalf("OPER: %s", dump(msgs))
	}
	want(t, msgs[0], msg("", "381", "alice", "You are now an IRC operator"))
	want(t, msgs[1], msg("alice", "MODE", "alice", "+o"))
	want(t, numeric(alice, "MODE alice", "221"), msg("", "221", "alice", "+o"))
	bob.Send("WHOIS alice")
	wantIn(t, bob.Roundtrip(), msg("", "313", "bob", "alice", "is an IRC operator"))
	want(t, numeric(bob, "LUSERS", "252"), msg("", "252", "bob", "1", "IRC Operators online"))
	bob.Send("WHO alice")
	wantIn(t, bob.Roundtrip(), msg("", "352", "bob", "*", "~alice", "127.0.0.1", serverName, "alice", "H*", "0 Test user alice"))

	// Dropping +o ends operator status.
	alice.Send("MODE alice -o")
	want(t, alice.Expect("MODE"), msg("alice", "MODE", "alice", "-o"))
	want(t, numeric(alice, "KILL bob :test", "481"), msg("", "481", "alice", "Permission Denied- You're not an IRC operator"))
}

func TestKill(t *testing.T) {
	t.Parallel()
	addr := operNode(t)
	op := connect(t, addr, "op")
	victim := connect(t, addr, "victim")
	witness := connect(t, addr, "witness")
	victim.Join("#room")
	witness.Join("#room")
	witness.Roundtrip()

	want(t, numeric(witness, "KILL victim :nope", "481"), msg("", "481", "witness", "Permission Denied- You're not an IRC operator"))
	victim.Roundtrip() // still connected

	op.Send("OPER root hunter2")
	op.Expect("381")
	want(t, numeric(op, "KILL nobody :gone", "401"), msg("", "401", "op", "nobody", "No such nick/channel"))
	op.Send("KILL victim :spamming")
	op.Roundtrip()

	if got := victim.ExpectError(); got != "Closing link: Killed by op: spamming" {
		t.Fatalf("victim's ERROR %q", got)
	}
	want(t, witness.Expect("QUIT"), msg(prefix("victim"), "QUIT", "Killed (op (spamming))"))
	// The nick is free again and remembered by WHOWAS.
	want(t, numeric(op, "ISON victim", "303"), msg("", "303", "op", ""))
	op.Send("WHOWAS victim")
	wantIn(t, op.Roundtrip(), msg("", "314", "op", "victim", "~victim", "127.0.0.1", "*", "Test user victim"))
	connect(t, addr, "victim")
}

func TestWallops(t *testing.T) {
	t.Parallel()
	addr := operNode(t)
	op := connect(t, addr, "op")
	listener := connect(t, addr, "listener")
	deaf := connect(t, addr, "deaf")
	listener.Send("MODE listener +w")
	listener.Roundtrip()

	want(t, numeric(deaf, "WALLOPS :hello", "481"), msg("", "481", "deaf", "Permission Denied- You're not an IRC operator"))
	op.Send("OPER root hunter2")
	op.Expect("381")
	op.Send("WALLOPS :network maintenance at noon")
	// The sender sees its own WALLOPS only when it has +w itself.
	wantNone(t, op.Roundtrip(), "WALLOPS")
	want(t, listener.Expect("WALLOPS"), msg(prefix("op"), "WALLOPS", "network maintenance at noon"))
	wantNone(t, deaf.Roundtrip(), "WALLOPS")

	op.Send("MODE op +w")
	op.Send("WALLOPS :again")
	wantIn(t, op.Roundtrip(), msg(prefix("op"), "WALLOPS", "again"))
	want(t, listener.Expect("WALLOPS"), msg(prefix("op"), "WALLOPS", "again"))
}
