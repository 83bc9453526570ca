package node_test

import (
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/passhash"
	"github.com/parleychat/parley/internal/testkit"
)

func TestWelcomeBurst(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	c := testkit.Dial(t, addr)
	got := c.Register("alice")

	if got[0].Command != "001" {
		t.Fatalf("first reply is %q, want 001", got[0].String())
	}
	want(t, got[0], msg("", "001", "alice", "Welcome to the TestNet IRC Network "+prefix("alice")))
	want(t, got[1], msg("", "002", "alice", "Your host is irc.test, running version parley-test"))
	if got[2].Command != "003" || !strings.HasPrefix(got[2].Param(1), "This server was created ") {
		t.Fatalf("third reply %q, want 003 This server was created ...", got[2].String())
	}
	want(t, got[3], msg("", "004", "alice", serverName, "parley-test", "BRZiow", "CIMRbeiklmnostqaohv", "Ibekloqaohv"))

	tokens := isupport(t, got)
	for key, value := range map[string]string{
		"CASEMAPPING": "rfc1459",
		"CHANTYPES":   "#",
		"CHANMODES":   "beI,k,l,CMRimnst",
		"EXTBAN":      ",am",
		"MAXLIST":     "b:100,e:100,I:100",
		"PREFIX":      "(qaohv)~&@%+",
		"MODES":       "6",
		"NICKLEN":     "30",
		"CHANNELLEN":  "64",
		"TOPICLEN":    "390",
		"KICKLEN":     "390",
		"AWAYLEN":     "390",
		"NETWORK":     "TestNet",
		"STATUSMSG":   "~&@%+",
		"ELIST":       "CMNTU",
		"TARGMAX":     "JOIN:,KICK:1,LIST:,NAMES:,NOTICE:4,PART:,PRIVMSG:4,TAGMSG:4,WHOIS:1,USERHOST:5,ISON:",
	} {
		got, ok := tokens[key]
		if !ok {
			t.Errorf("ISUPPORT lacks %s", key)
		} else if got != value {
			t.Errorf("ISUPPORT %s=%s, want %s", key, got, value)
		}
	}
	// Without a configured MOTD, the burst ends with 422.
	last := got[len(got)-1]
	want(t, last, msg("", "422", "alice", "MOTD File is missing"))
}

// isupport collects the KEY=value tokens of every 005 line; a token without '=' maps to "".
func isupport(t *testing.T, msgs []ircmsg.Message) map[string]string {
	t.Helper()
	lines := testkit.FindAll(msgs, "005")
	if len(lines) == 0 {
		t.Fatalf("no 005 in the welcome burst: %q", testkit.Commands(msgs))
	}
	tokens := map[string]string{}
	for _, m := range lines {
		if m.Param(len(m.Params)-1) != "are supported by this server" {
			t.Errorf("005 trailing parameter: %q", m.String())
		}
		if len(m.String()) > 510 {
			t.Errorf("005 line longer than 510 bytes: %d", len(m.String()))
		}
		for _, tok := range m.Params[1 : len(m.Params)-1] {
			k, v, _ := strings.Cut(tok, "=")
			tokens[k] = v
		}
	}
	return tokens
}

func TestLusers(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	a := connect(t, addr, "alice")
	b := connect(t, addr, "bob")
	b.Send("MODE bob +i")
	b.Roundtrip()
	a.Join("#one")
	pending := testkit.Dial(t, addr) // connected but not registered: one "unknown" connection
	pending.Send("NICK pending")
	pending.Roundtrip()

	a.Send("LUSERS")
	msgs := a.Roundtrip()
	wantIn(t, msgs, msg("", "251", "alice", "There are 1 users and 1 invisible on 1 servers"))
	wantIn(t, msgs, msg("", "252", "alice", "0", "IRC Operators online"))
	wantIn(t, msgs, msg("", "253", "alice", "1", "unknown connection(s)"))
	wantIn(t, msgs, msg("", "254", "alice", "1", "channels formed"))
	wantIn(t, msgs, msg("", "255", "alice", "I have 2 clients and 0 servers"))
	wantIn(t, msgs, msg("", "265", "alice", "2", "2", "Current local users 2, max 2"))
	wantIn(t, msgs, msg("", "266", "alice", "2", "2", "Current global users 2, max 2"))
}

func TestMOTD(t *testing.T) {
	t.Parallel()
	addr := start(t, func(cfg *config.Config) { cfg.Server.MOTD = "Be nice.\nNo spam." })
	c := testkit.Dial(t, addr)
	got := c.Register("alice")
	n := len(got)
	if n < 4 {
		t.Fatalf("burst too short: %q", testkit.Commands(got))
	}
	want(t, got[n-4], msg("", "375", "alice", "- irc.test Message of the day - "))
	want(t, got[n-3], msg("", "372", "alice", "- Be nice."))
	want(t, got[n-2], msg("", "372", "alice", "- No spam."))
	want(t, got[n-1], msg("", "376", "alice", "End of /MOTD command."))

	c.Send("MOTD")
	msgs := c.Roundtrip()
	if cmds := strings.Join(testkit.Commands(msgs), " "); cmds != "375 372 372 376" {
		t.Fatalf("MOTD command replied %s", cmds)
	}
}

func TestServerPassword(t *testing.T) {
	t.Parallel()
	hash, err := passhash.Hash([]byte("sesame"))
	if err != nil {
		t.Fatal(err)
	}
	addr := start(t, func(cfg *config.Config) { cfg.Server.Password = hash })

	for _, tc := range []struct {
		name string
		pass string // "" sends no PASS
		ok   bool
	}{
		{"right", "sesame", true},
		{"wrong", "sesame2", false},
		{"missing", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := testkit.Dial(t, addr)
			if tc.pass != "" {
				c.Send("PASS " + tc.pass)
			}
			c.Send("NICK guest")
			c.Send("USER guest 0 * :Guest")
			if tc.ok {
				want(t, c.Expect("001"), msg("", "001", "guest", "Welcome to the TestNet IRC Network "+prefix("guest")))
				c.Send("QUIT")
				c.ExpectClosed()
				return
			}
			msgs := c.ExpectClosed()
			wantIn(t, msgs, msg("", "464", "guest", "Password incorrect"))
			wantIn(t, msgs, bare("ERROR", "Closing link: Bad password"))
			wantNone(t, msgs, "001")
		})
	}
}

func TestCapNegotiation(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	c := testkit.Dial(t, addr)
	c.Send("CAP LS 302")
	c.Send("NICK capper")
	c.Send("USER capper 0 * :Cap user")
	msgs := c.Roundtrip()
	ls := testkit.FindAll(msgs, "CAP")
	if len(ls) == 0 {
		t.Fatalf("no CAP LS reply: %s", dump(msgs))
	}
	last := ls[len(ls)-1]
	if last.Param(0) != "*" || last.Param(1) != "LS" || !strings.Contains(" "+last.Param(2)+" ", " multi-prefix ") {
		t.Fatalf("CAP LS reply %q, want CAP * LS :... multi-prefix ...", last.String())
	}
	// CAP LS holds registration until CAP END.
	wantNone(t, msgs, "001")

	c.Send("CAP REQ :multi-prefix")
	want(t, c.Expect("CAP"), msg("", "CAP", "capper", "ACK", "multi-prefix"))
	c.Send("CAP REQ :multi-prefix no-such-cap")
	want(t, c.Expect("CAP"), msg("", "CAP", "capper", "NAK", "multi-prefix no-such-cap"))
	c.Send("CAP FROB")
	want(t, c.Expect("410"), msg("", "410", "capper", "FROB", "Invalid CAP command"))
	wantNone(t, c.Roundtrip(), "001")

	c.Send("CAP END")
	want(t, c.Expect("001"), msg("", "001", "capper", "Welcome to the TestNet IRC Network "+prefix("capper")))
	c.Send("CAP LIST")
	want(t, c.Expect("CAP"), msg("", "CAP", "capper", "LIST", "cap-notify multi-prefix"))
}

func TestRegistrationErrors(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	taken := connect(t, addr, "taken")

	c := testkit.Dial(t, addr)
	for _, tc := range []struct{ send, code string }{
		{"JOIN #x", "451"},
		{"NICK", "431"},
		{"NICK :", "431"},
		{"NICK 9lives", "432"},
		{"NICK bad!nick", "432"},
		{"NICK TAKEN", "433"}, // rfc1459 case mapping: TAKEN is taken
		{"USER onlyone", "461"},
		{"PRIVMSG taken :hi", "451"},
	} {
		got := numeric(c, tc.send, tc.code)
		switch tc.code {
		case "431":
			want(t, got, msg("", "431", "*", "No nickname given"))
		case "432":
			want(t, got, msg("", "432", "*", strings.TrimPrefix(tc.send, "NICK "), "Erroneous nickname"))
		case "433":
			want(t, got, msg("", "433", "*", "TAKEN", "Nickname is already in use"))
		case "451":
			want(t, got, msg("", "451", "*", "You have not registered"))
		case "461":
			want(t, got, msg("", "461", "*", "USER", "Not enough parameters"))
		}
	}
	// The connection is still usable: it can register now.
	c.Register("fresh")
	want(t, numeric(c, "USER again 0 * :x", "462"), msg("", "462", "fresh", "You may not reregister"))
	want(t, numeric(c, "PASS secret", "462"), msg("", "462", "fresh", "You may not reregister"))
	want(t, numeric(c, "JOIN", "461"), msg("", "461", "fresh", "JOIN", "Not enough parameters"))
	want(t, numeric(c, "NICK Taken", "433"), msg("", "433", "fresh", "Taken", "Nickname is already in use"))
	taken.Roundtrip()
}

func TestUnknownCommand(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	c := connect(t, addr, "alice")
	want(t, numeric(c, "FROBNICATE a b", "421"), msg("", "421", "alice", "FROBNICATE", "Unknown command"))
	// Unknown before registration too, with "*" as the nick.
	d := testkit.Dial(t, addr)
	want(t, numeric(d, "HELLO", "421"), msg("", "421", "*", "HELLO", "Unknown command"))
	c.Roundtrip()
	c.Send("PING still-here")
	want(t, c.Expect("PONG"), msg("", "PONG", serverName, "still-here"))
}

func TestRegistrationTimeout(t *testing.T) {
	t.Parallel()
	addr := start(t, func(cfg *config.Config) {
		cfg.Limits.RegistrationTimeout = config.Duration(300 * time.Millisecond)
	})
	c := testkit.Dial(t, addr)
	c.Send("NICK slowpoke") // NICK alone does not complete registration
	begin := time.Now()
	if got := c.ExpectError(); got != "Closing link: Registration timed out" {
		t.Fatalf("ERROR %q, want Closing link: Registration timed out", got)
	}
	if d := time.Since(begin); d < 200*time.Millisecond {
		t.Fatalf("closed after %v, before the 300ms registration timeout", d)
	}
}

func TestPingTimeout(t *testing.T) {
	t.Parallel()
	addr := start(t, func(cfg *config.Config) {
		cfg.Limits.PingInterval = config.Duration(300 * time.Millisecond)
		cfg.Limits.PingTimeout = config.Duration(300 * time.Millisecond)
	})
	watcher := connect(t, addr, "watcher")
	watcher.Join("#room")
	c := connect(t, addr, "sleepy")
	c.Join("#room")
	watcher.Roundtrip()

	// watcher keeps answering; sleepy never sends anything again.
	deadline := time.Now().Add(5 * time.Second)
	var quit ircmsg.Message
	for quit.Command == "" {
		if time.Now().After(deadline) {
			t.Fatal("watcher never saw sleepy's QUIT")
		}
		m, err := watcher.ReadMsg()
		if err != nil {
			t.Fatal(err)
		}
		switch m.Command {
		case "PING":
			watcher.Send("PONG :" + m.Param(0))
		case "QUIT":
			quit = m
		}
	}
	if quit.Source != prefix("sleepy") || !strings.HasPrefix(quit.Param(0), "Ping timeout") {
		t.Fatalf("QUIT %q, want from sleepy with Ping timeout", quit.String())
	}
	msgs := c.ExpectClosed()
	if msgs[0].Command != "PING" || msgs[0].Param(0) != serverName {
		t.Fatalf("first line %q, want PING %s", msgs[0].String(), serverName)
	}
	e, ok := testkit.Find(msgs, "ERROR")
	if !ok || !strings.HasPrefix(e.Param(0), "Closing link: Ping timeout") {
		t.Fatalf("sleepy got %s, want PING then ERROR :Closing link: Ping timeout", dump(msgs))
	}
	// The watcher answered every PING and is still connected.
	watcher.Roundtrip()
}

func TestPingPong(t *testing.T) {
	t.Parallel()
	addr := start(t, func(cfg *config.Config) {
		cfg.Limits.PingInterval = config.Duration(200 * time.Millisecond)
		cfg.Limits.PingTimeout = config.Duration(200 * time.Millisecond)
	})
	c := connect(t, addr, "alice")
	want(t, numeric(c, "PING :hello there", "PONG"), msg("", "PONG", serverName, "hello there"))
	want(t, numeric(c, "PING", "461"), msg("", "461", "alice", "PING", "Not enough parameters"))

	// The server pings an idle client; answering keeps the connection open well past
	// interval + timeout.
	pings := 0
	end := time.Now().Add(1200 * time.Millisecond)
	for time.Now().Before(end) {
		m := c.Expect("PING")
		if m.Param(0) != serverName {
			t.Fatalf("server PING %q, want PING %s", m.String(), serverName)
		}
		pings++
		c.Send("PONG :" + m.Param(0))
	}
	if pings < 2 {
		t.Fatalf("%d server PINGs in 1.2s with a 200ms interval", pings)
	}
	c.Roundtrip()
}

func TestNickChange(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	alice := connect(t, addr, "alice")
	bob := connect(t, addr, "bob")
	loner := connect(t, addr, "loner")
	alice.Join("#room")
	bob.Join("#room")
	alice.Roundtrip()

	alice.Send("NICK alicia")
	nick := msg(prefix("alice"), "NICK", "alicia")
	want(t, alice.Expect("NICK"), nick)
	want(t, bob.Expect("NICK"), nick)
	// Only those who share a channel are told.
	wantNone(t, loner.Roundtrip(), "NICK")
	// The old nick is free at once; the new one is taken.
	connect(t, addr, "alice")
	want(t, numeric(bob, "NICK ALICIA", "433"), msg("", "433", "bob", "ALICIA", "Nickname is already in use"))
	want(t, numeric(bob, "NICK "+strings.Repeat("n", 31), "432"), msg("", "432", "bob", strings.Repeat("n", 31), "Erroneous nickname"))
	// Changing only the case is allowed, and messages follow the new nick.
	alice.Send("NICK Alicia")
	want(t, bob.Expect("NICK"), msg("alicia!~alice@127.0.0.1", "NICK", "Alicia"))
	bob.Send("PRIVMSG alicia :found you")
	want(t, alice.Expect("PRIVMSG"), msg(prefix("bob"), "PRIVMSG", "Alicia", "found you"))
	alice.Send("NAMES #room")
	wantIn(t, alice.Roundtrip(), msg("", "353", "Alicia", "=", "#room", "@Alicia bob"))
}

func TestRegistrationOrder(t *testing.T) {
	t.Parallel()
	addr := start(t, nil)
	// USER before NICK, and a NICK retried after 433, both end in a normal welcome.
	connect(t, addr, "first")
	c := testkit.Dial(t, addr)
	c.Send("USER second 0 * :Second user")
	c.Send("NICK first")
	want(t, c.Expect("433"), msg("", "433", "*", "first", "Nickname is already in use"))
	c.Send("NICK second")
	want(t, c.Expect("001"), msg("", "001", "second", "Welcome to the TestNet IRC Network "+prefix("second")))

	// CAP REQ without CAP LS holds registration too, until CAP END.
	d := testkit.Dial(t, addr)
	d.Send("CAP REQ :server-time")
	d.Send("NICK third")
	d.Send("USER third 0 * :Third")
	msgs := d.Roundtrip()
	wantIn(t, msgs, msg("", "CAP", "*", "ACK", "server-time")) // no nick yet when REQ came
	wantNone(t, msgs, "001")
	d.Send("CAP END")
	d.Expect("001")
	d.Roundtrip() // the rest of the welcome burst

	// A client that leaves before registering no longer counts as unknown.
	unknown := func(count string) {
		t.Helper()
		d.Send("LUSERS")
		wantIn(t, d.Roundtrip(), msg("", "253", "third", count, "unknown connection(s)"))
	}
	unknown("0")
	e := testkit.Dial(t, addr)
	e.Send("NICK fourth")
	e.Roundtrip()
	unknown("1")
	e.Send("QUIT")
	e.ExpectClosed()
	unknown("0")
}
