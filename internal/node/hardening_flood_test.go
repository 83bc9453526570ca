package node_test

import (
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/passhash"
)

// classFlood turns flood control on with a line bucket too big to matter, so only the command
// class buckets act.
func classFlood(cfg *config.Config, f func(*config.Flood)) {
	cfg.Limits.Flood = config.Flood{Enabled: true, Burst: 1000, Rate: 1000}
	f(&cfg.Limits.Flood)
}

// TestFloodMessagesClass sends 3 messages to 2 targets each at once: 6 targets against a bucket of
// 2 refilled at 4 a second is at least 1 s of delay, and every message still arrives in order.
func TestFloodMessagesClass(t *testing.T) {
	t.Parallel()
	addr := start(t, func(cfg *config.Config) {
		classFlood(cfg, func(f *config.Flood) { f.Messages = config.FloodClass{Burst: 2, Rate: 4} })
	})
	alice := connect(t, addr, "alice")
	bob := connect(t, addr, "bob")
	carol := connect(t, addr, "carol")
	begin := time.Now()
	alice.Write([]byte("PRIVMSG bob,carol :one\r\nPRIVMSG bob,carol :two\r\nPRIVMSG bob,carol :three\r\n"))
	for _, text := range []string{"one", "two", "three"} {
		want(t, bob.Expect("PRIVMSG"), msg(prefix("alice"), "PRIVMSG", "bob", text))
		want(t, carol.Expect("PRIVMSG"), msg(prefix("alice"), "PRIVMSG", "carol", text))
	}
	within(t, "6 message targets delivered", time.Since(begin), 900*time.Millisecond, 5*time.Second)
}

// TestFloodJoinsClass: JOINs past the join bucket are delayed, not refused.
func TestFloodJoinsClass(t *testing.T) {
	t.Parallel()
	addr := start(t, func(cfg *config.Config) {
		classFlood(cfg, func(f *config.Flood) { f.Joins = config.FloodClass{Burst: 2, Rate: 4} })
	})
	c := connect(t, addr, "joiner")
	begin := time.Now()
	c.Write([]byte("JOIN #a\r\nJOIN #b\r\nJOIN #c\r\nJOIN #d\r\nJOIN #e,#f\r\n"))
	for _, ch := range []string{"#a", "#b", "#c", "#d", "#e", "#f"} {
		m := c.Expect("JOIN")
		if m.Param(0) != ch {
			t.Fatalf("joined %s, want %s", m.Param(0), ch)
		}
	}
	within(t, "6 joins", time.Since(begin), 900*time.Millisecond, 5*time.Second)
}

// TestFloodNicksClass: nick changes past the bucket are refused with 438, exempt opers pass, and
// opers whose class lacks flood_exempt do not.
func TestFloodNicksClass(t *testing.T) {
	t.Parallel()
	hash, err := passhash.Hash([]byte("hunter2"))
	if err != nil {
		t.Fatal(err)
	}
	addr := start(t, func(cfg *config.Config) {
		classFlood(cfg, func(f *config.Flood) { f.Nicks = config.FloodClass{Burst: 2, Rate: 0.1} })
		cfg.OperClasses = []config.OperClass{{Name: "helper", Privileges: []string{"kill"}}}
		cfg.Opers = []config.Oper{{Name: "root", Password: hash, Class: "admin"}, {Name: "help", Password: hash, Class: "helper"}}
	})
	c := connect(t, addr, "n0")
	for _, nick := range []string{"n1", "n2"} {
		c.Send("NICK " + nick)
		want(t, c.Expect("NICK"), msg(prefixAs(c.Nick, "n0"), "NICK", nick))
		c.Nick = nick
	}
	c.Send("NICK n3")
	want(t, c.Expect("438"), msg("", "438", "n2", "n3", "Nick change too fast. Please wait 10 seconds"))
	wantNone(t, c.Roundtrip(), "NICK")

	helper := connect(t, addr, "h0")
	helper.Send("OPER help hunter2")
	helper.Expect("381")
	root := connect(t, addr, "r0")
	root.Send("OPER root hunter2")
	root.Expect("381")
	for i, nick := range []string{"r1", "r2", "r3", "r4"} {
		root.Send("NICK " + nick)
		want(t, root.Expect("NICK"), msg(prefixAs(root.Nick, "r0"), "NICK", nick))
		root.Nick = nick
		helper.Send("NICK h" + nick)
		if i < 2 {
			helper.Expect("NICK")
			helper.Nick = "h" + nick
		} else {
			if m := helper.Expect("438"); !strings.HasPrefix(m.Param(2), "Nick change too fast") {
				t.Fatalf("helper: %s", m.String())
			}
		}
	}
}

// prefixAs is the source of a client registered as first (user ~first) now known as nick.
func prefixAs(nick, first string) string {
	return nick + "!~" + first + "@127.0.0.1"
}
