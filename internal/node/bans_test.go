package node_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/node"
	"github.com/parleychat/parley/internal/passhash"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/testkit"
)

// banNode starts a node with the oper block "root"/"hunter2" (class admin: every privilege) and
// returns it with an opered client.
func banNode(t *testing.T, mutate func(*config.Config)) (*node.Node, string, *testkit.Client) {
	t.Helper()
	hash, err := passhash.Hash([]byte("hunter2"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := testkit.Config(t)
	cfg.Opers = []config.Oper{{Name: "root", Password: hash, Class: "admin"}}
	if mutate != nil {
		mutate(cfg)
	}
	n := testkit.StartNode(t, cfg)
	addr := testkit.IRCAddr(n)
	oper := connect(t, addr, "root")
	oper.Send("OPER root hunter2")
	oper.Expect("381")
	return n, addr, oper
}

// uban sends a UBAN command and returns the first NOTICE or FAIL it gets.
func uban(c *testkit.Client, args string) ircmsg.Message {
	c.Send("UBAN " + args)
	return c.ExpectFunc("UBAN reply", func(m ircmsg.Message) bool { return m.Command == "NOTICE" || m.Command == "FAIL" })
}

// banID returns the ID in "Ban <id> added: ...".
func banID(t *testing.T, m ircmsg.Message) string {
	t.Helper()
	f := strings.Fields(m.Param(1))
	if m.Command != "NOTICE" || len(f) < 3 || f[0] != "Ban" || f[2] != "added:" {
		t.Fatalf("UBAN ADD answered %q", m.String())
	}
	return f[1]
}

// refusedRegistration registers nick and expects 465 then ERROR; it returns the 465 text and the
// ERROR text.
func refusedRegistration(t *testing.T, addr, nick string) (string, string) {
	t.Helper()
	c := testkit.Dial(t, addr)
	c.Send("NICK " + nick)
	c.Send("USER " + nick + " 0 * :x")
	msgs := c.ExpectClosed()
	m465, ok := testkit.Find(msgs, "465")
	if !ok {
		t.Fatalf("%s: no 465 before the close, got %q", nick, testkit.Commands(msgs))
	}
	if _, ok := testkit.Find(msgs, "001"); ok {
		t.Fatalf("%s: banned client got 001", nick)
	}
	errLine, _ := testkit.Find(msgs, "ERROR")
	return m465.Param(1), errLine.Param(0)
}

// canRegister polls until nick can register (bans reach every node through the store's watch).
func canRegister(t *testing.T, addr, nick string) *testkit.Client {
	t.Helper()
	var c *testkit.Client
	testkit.CheckFor(t, 5*time.Second, 50*time.Millisecond, func() error {
		probe := testkit.Dial(t, addr)
		probe.Send("NICK " + nick)
		probe.Send("USER " + nick + " 0 * :x")
		for {
			m, err := probe.ReadMsg()
			if err != nil {
				return err
			}
			switch m.Command {
			case "001":
				c = probe
				return nil
			case "465", "ERROR":
				probe.Conn.Close()
				return errors.New("still banned: " + m.String())
			}
		}
	})
	return c
}

func TestBanMaskAtRegistration(t *testing.T) {
	t.Parallel()
	_, addr, oper := banNode(t, nil)
	id := banID(t, uban(oper, "ADD spam*!*@* 1h :no spam bots here"))
	text, errText := refusedRegistration(t, addr, "spambot")
	if !strings.Contains(text, "no spam bots here") || !strings.Contains(errText, "Banned: no spam bots here") {
		t.Fatalf("465 %q, ERROR %q: want the reason in both", text, errText)
	}
	connect(t, addr, "ham") // other nicks are not covered

	want(t, uban(oper, "DEL "+id), msg("", "NOTICE", "root", "Ban "+id+" removed: mask spam*!*@*"))
	canRegister(t, addr, "spambot")
	want(t, uban(oper, "DEL "+id), msg("", "FAIL", "UBAN", "UNKNOWN_BAN", id, "No ban has that ID or target"))
}

func TestBanKicksConnectedUser(t *testing.T) {
	t.Parallel()
	_, addr, oper := banNode(t, nil)
	victim := connect(t, addr, "victim")
	watcher := connect(t, addr, "watcher")
	victim.Join("#room")
	watcher.Join("#room")
	uban(oper, "ADD victim 7d flooding the channel")
	msgs := victim.ExpectClosed()
	m465, ok := testkit.Find(msgs, "465")
	errLine, _ := testkit.Find(msgs, "ERROR")
	if !ok || !strings.Contains(m465.Param(1), "flooding the channel") || !strings.Contains(errLine.Param(0), "Banned: flooding the channel") {
		t.Fatalf("victim got %q", msgs)
	}
	quit := watcher.Expect("QUIT")
	if !strings.HasPrefix(quit.Source, "victim!") || !strings.Contains(quit.Param(0), "flooding the channel") {
		t.Fatalf("watcher saw %q", quit.String())
	}
	// A mask ban by target: DEL with the same target removes it and the user is back.
	uban(oper, "DEL victim")
	canRegister(t, addr, "victim")
}

func TestBanExpires(t *testing.T) {
	t.Parallel()
	n, addr, oper := banNode(t, nil)
	bans := n.AccountStore().(store.Bans)
	// Long enough that a loaded machine still tries while the ban holds; canRegister waits past it.
	uban(oper, "ADD shortlived!*@* DURATION 5s REASON cooling off")
	_, errText := refusedRegistration(t, addr, "shortlived")
	if !strings.Contains(errText, "cooling off") {
		t.Fatalf("ERROR %q", errText)
	}
	testkit.CheckFor(t, 10*time.Second, 200*time.Millisecond, func() error {
		list, err := bans.ListBans(context.Background())
		if err != nil || len(list) == 0 || time.Now().After(list[0].Expires) {
			return nil
		}
		return fmt.Errorf("ban holds until %v", list[0].Expires)
	})
	canRegister(t, addr, "shortlived")
	// The sweeper removes it from the store too.
	testkit.CheckFor(t, 5*time.Second, 50*time.Millisecond, func() error {
		list, err := bans.ListBans(context.Background())
		if err != nil || len(list) != 0 {
			return fmt.Errorf("bans %v, err %v", list, err)
		}
		return nil
	})
}

func TestBanIPAtAccept(t *testing.T) {
	t.Parallel()
	_, addr, oper := banNode(t, nil)
	inside := dialFrom(t, "127.0.0.2", addr)
	inside.pong()
	uban(oper, "ADD 127.0.0.2 :compromised host")
	// The unregistered connection from that address is dropped too.
	if got := inside.closedWith(5 * time.Second); !strings.Contains(got, "compromised host") {
		t.Fatalf("connected client got %q", got)
	}
	c := dialFrom(t, "127.0.0.2", addr)
	got := c.closedWith(5 * time.Second)
	if !strings.HasPrefix(got, "ERROR :You are banned from this server: compromised host") {
		t.Fatalf("new connection got %q", got)
	}
	dialFrom(t, "127.0.0.3", addr).pong() // other addresses are served

	// A CIDR ban covers the network; removal by target opens it again.
	uban(oper, "ADD 127.0.0.2/31 1h")
	got = dialFrom(t, "127.0.0.3", addr).closedWith(5 * time.Second)
	if !strings.HasPrefix(got, "ERROR :You are banned") {
		t.Fatalf("127.0.0.3 under 127.0.0.2/31 got %q", got)
	}
	uban(oper, "DEL 127.0.0.2/31")
	testkit.CheckFor(t, 5*time.Second, 50*time.Millisecond, func() error {
		c := dialFrom(t, "127.0.0.3", addr)
		defer c.conn.Close()
		c.send("PING :x")
		c.conn.SetReadDeadline(time.Now().Add(2 * time.Second))
		line, err := c.r.ReadString('\n')
		if err != nil || !strings.Contains(line, "PONG") {
			return fmt.Errorf("got %q, %v", line, err)
		}
		return nil
	})
}

func TestBanAccountAtLogin(t *testing.T) {
	t.Parallel()
	n, addr, oper := banNode(t, nil)
	addAccount(t, n, "mallory", "correct horse battery")
	uban(oper, "ADD $a:Mallory perm :account sold")
	// After registration: NickServ IDENTIFY is refused and the connection ends.
	c := connect(t, addr, "someone")
	c.Send("PRIVMSG NickServ :IDENTIFY mallory correct horse battery")
	msgs := c.ExpectClosed()
	if m, ok := testkit.Find(msgs, "465"); !ok || !strings.Contains(m.Param(1), "account sold") {
		t.Fatalf("IDENTIFY to a banned account got %q", msgs)
	}
	if _, ok := testkit.Find(msgs, "900"); ok {
		t.Fatal("banned account was logged in (900)")
	}
	// Before registration: SASL PLAIN is refused.
	s := testkit.Dial(t, addr)
	s.Send("CAP REQ :sasl")
	s.Expect("CAP")
	s.Send("AUTHENTICATE PLAIN")
	s.Expect("AUTHENTICATE")
	authenticate(s, []byte("\x00mallory\x00correct horse battery"))
	msgs = s.ExpectClosed()
	if _, ok := testkit.Find(msgs, "465"); !ok {
		t.Fatalf("SASL to a banned account got %q", msgs)
	}
}

// TestBanFromStore adds a ban straight into the store, as another node or `parley ban` on the
// data directory does: the node learns of it through the watch and kicks the user.
func TestBanFromStore(t *testing.T) {
	t.Parallel()
	n, addr, _ := banNode(t, nil)
	user := connect(t, addr, "remote")
	bans := n.AccountStore().(store.Bans)
	b, err := node.ParseBan("remote!*@*", "1h", "set elsewhere", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bans.AddBan(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if got := user.ExpectError(); !strings.Contains(got, "set elsewhere") {
		t.Fatalf("ERROR %q", got)
	}
}

func TestUbanPrivilegeAndErrors(t *testing.T) {
	t.Parallel()
	_, addr, oper := banNode(t, func(cfg *config.Config) {
		cfg.OperClasses = []config.OperClass{{Name: "helper", Privileges: []string{"kill"}}}
		cfg.Opers = append(cfg.Opers, config.Oper{Name: "help", Password: cfg.Opers[0].Password, Class: "helper"})
	})
	user := connect(t, addr, "user")
	want(t, numeric(user, "UBAN LIST", "481"), msg("", "481", "user", "Permission Denied- You're not an IRC operator"))
	help := connect(t, addr, "help")
	help.Send("OPER help hunter2")
	help.Expect("381")
	want(t, numeric(help, "UBAN LIST", "481"), msg("", "481", "help", "Permission Denied- You do not have the required operator privileges"))

	want(t, uban(oper, "ADD *!*@*"), msg("", "FAIL", "UBAN", "INVALID_PARAMS", "*!*@*", "*!*@* would ban everyone"))
	want(t, uban(oper, "ADD 10.0.0.0/0"), msg("", "FAIL", "UBAN", "INVALID_PARAMS", "10.0.0.0/0", "10.0.0.0/0 would ban every address"))
	want(t, uban(oper, "FROB x"), msg("", "FAIL", "UBAN", "INVALID_PARAMS", "FROB", "Unknown subcommand; use ADD, DEL or LIST"))
	id := banID(t, uban(oper, "ADD nobody!*@* 1w2d :testing"))
	oper.Send("UBAN LIST")
	first := oper.Expect("NOTICE")
	if !strings.HasPrefix(first.Param(1), "Ban "+id+": mask nobody!*@*, expires ") || !strings.HasSuffix(first.Param(1), ", set by root!~root@127.0.0.1: testing") {
		t.Fatalf("UBAN LIST: %q", first.Param(1))
	}
	want(t, oper.Expect("NOTICE"), msg("", "NOTICE", "root", "End of ban list (1 bans)"))
}
