package node_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/testkit"
)

// notices sends line and returns the text of every NOTICE from the service before a roundtrip.
func notices(c *testkit.Client, line, service string) string {
	c.Send(line)
	return noticeText(c.Roundtrip(), service)
}

// noticeText joins the texts of the service's NOTICEs among msgs.
func noticeText(msgs []ircmsg.Message, service string) string {
	var out []string
	for _, m := range msgs {
		if m.Command == "NOTICE" && strings.HasPrefix(m.Source, service+"!") {
			out = append(out, m.Param(1))
		}
	}
	return strings.Join(out, "\n")
}

func wantText(t *testing.T, got, sub string) {
	t.Helper()
	if !strings.Contains(got, sub) {
		t.Fatalf("reply lacks %q:\n%s", sub, got)
	}
}

func TestNickServ(t *testing.T) {
	_, addr := startAccounts(t, nil)
	alice := connect(t, addr, "alice")
	wantText(t, notices(alice, "PRIVMSG NickServ :HELP", "NickServ"), "IDENTIFY [account] <password>")
	wantText(t, notices(alice, "NS HELP GHOST", "NickServ"), "Syntax: GHOST <nick>")
	wantText(t, notices(alice, "NICKSERV REGISTER hunter2hunter2 alice@example.org", "NickServ"), "Account \x02alice\x02 registered.")
	wantText(t, notices(alice, "NS INFO", "NickServ"), "Email: alice@example.org")
	wantText(t, notices(alice, "NS LOGOUT", "NickServ"), "You are now logged out.")
	wantText(t, notices(alice, "NS IDENTIFY wrongwrong", "NickServ"), "invalid credentials")
	wantText(t, notices(alice, "NS IDENTIFY hunter2hunter2", "NickServ"), "You are now logged in as \x02alice\x02.")
	wantText(t, notices(alice, "NS SET PASSWORD newpassword", "NickServ"), "Password changed.")
	wantText(t, notices(alice, "NS CERT ADD "+strings.Repeat("ab", 32), "NickServ"), "added")
	wantText(t, notices(alice, "NS CERT LIST", "NickServ"), strings.Repeat("ab", 32))
	wantText(t, notices(alice, "NS CERT DEL "+strings.Repeat("ab", 32), "NickServ"), "removed")
	wantText(t, notices(alice, "NS BOGUS", "NickServ"), "Unknown command")

	// The new password works with SASL; the old one does not.
	c := preReg(t, addr, "x1")
	if got := saslPlain(c, "alice", "hunter2hunter2"); got.Command != "904" {
		t.Fatalf("old password: %s", got.String())
	}
	if got := saslPlain(c, "alice", "newpassword"); got.Command != "903" {
		t.Fatalf("new password: %s", got.String())
	}
	finishReg(c)

	// GHOST disconnects another connection logged into the same account.
	wantText(t, notices(alice, "NS GHOST x1", "NickServ"), "has been disconnected")
	c.ExpectFunc("QUIT or ERROR", func(m ircmsg.Message) bool { return m.Command == "ERROR" })
	mallory := connect(t, addr, "mallory")
	wantText(t, notices(mallory, "NS GHOST alice", "NickServ"), "You are not logged in.")

	// The services' nicks cannot be taken.
	mallory.Send("NICK NickServ")
	want(t, mallory.Expect("433"), msg("", "433", "mallory", "NickServ", "Nickname is reserved for services"))

	wantText(t, notices(alice, "NS DROP wrongwrong", "NickServ"), "Wrong password")
	wantText(t, notices(alice, "NS DROP newpassword", "NickServ"), "dropped")
	c2 := preReg(t, addr, "x2")
	if got := saslPlain(c2, "alice", "newpassword"); got.Command != "904" {
		t.Fatalf("dropped account still logs in: %s", got.String())
	}
}

func TestChanServ(t *testing.T) {
	n, addr := startAccounts(t, nil)
	addAccount(t, n, "alice", "correct horse")
	addAccount(t, n, "bob", "correct horse")
	alice := capConnect(t, addr, "alice", "sasl")
	alice.Join("#room")
	wantText(t, notices(alice, "CS REGISTER #room", "ChanServ"), "Log in to an account first")
	wantText(t, notices(alice, "NS IDENTIFY alice correct horse", "NickServ"), "logged in")
	alice.Send("CS REGISTER #room")
	got := alice.Roundtrip()
	wantText(t, noticeText(got, "ChanServ"), "\x02#room\x02 is now registered to \x02alice\x02.")
	wantIn(t, got, msg("ChanServ!services@irc.test", "MODE", "#room", "+q", "alice"))

	bob := connect(t, addr, "bob")
	bob.Join("#room")
	wantText(t, notices(bob, "CS OP #room", "ChanServ"), "You need op access")
	wantText(t, notices(bob, "CS AMODE #room +o bob", "ChanServ"), "Only a founder")
	wantText(t, notices(alice, "CS AMODE #room +o bob", "ChanServ"), "Access of \x02bob\x02 on \x02#room\x02: op.")
	wantText(t, notices(alice, "CS AMODE #room", "ChanServ"), "+o bob")

	// Access is applied on join once bob is logged in.
	wantText(t, notices(bob, "NS IDENTIFY bob correct horse", "NickServ"), "logged in")
	bob.Send("PART #room")
	bob.Join("#room")
	wantIn(t, bob.Roundtrip(), msg("ChanServ!services@irc.test", "MODE", "#room", "+o", "bob"))
	bob.Send("CS DEOP #room")
	wantIn(t, bob.Roundtrip(), msg("ChanServ!services@irc.test", "MODE", "#room", "-o", "bob"))

	// Topic lock: only op access may change the topic.
	wantText(t, notices(alice, "CS SET #room TOPICLOCK ON", "ChanServ"), "TOPICLOCK is now on")
	carol := connect(t, addr, "carol")
	carol.Join("#room")
	alice.Send("MODE #room -t")
	alice.Roundtrip()
	carol.Send("TOPIC #room :carol was here")
	want(t, carol.Expect("482"), msg("", "482", "carol", "#room", "The topic of this channel is locked by ChanServ"))
	alice.Send("TOPIC #room :welcome")
	alice.Roundtrip()

	info := notices(alice, "CS INFO #room", "ChanServ")
	wantText(t, info, "Founder: alice")
	wantText(t, info, "Topic lock: on")
	testkit.CheckFor(t, 2*time.Second, 20*time.Millisecond, func() error {
		if got := notices(alice, "CS INFO #room", "ChanServ"); !strings.Contains(got, "Topic kept: welcome") {
			return fmt.Errorf("topic not kept yet:\n%s", got)
		}
		return nil
	})
	wantText(t, notices(bob, "CS DROP #room", "ChanServ"), "Only a founder")
	wantText(t, notices(alice, "CS DROP #room", "ChanServ"), "no longer registered")
}

func TestRegisteredOnlyModes(t *testing.T) {
	n, addr := startAccounts(t, nil)
	addAccount(t, n, "alice", "correct horse")
	op := connect(t, addr, "op")
	op.Join("#r")
	op.Send("MODE #r +RM")
	wantIn(t, op.Roundtrip(), msg(prefix("op"), "MODE", "#r", "+RM"))

	guest := connect(t, addr, "guest")
	guest.Send("JOIN #r")
	want(t, guest.Expect("477"), msg("", "477", "guest", "#r", "Cannot join channel (+R): log in to an account first"))

	op.Send("MODE #r -R")
	op.Roundtrip()
	guest.Join("#r")
	guest.Send("PRIVMSG #r :hi")
	want(t, guest.Expect("404"), msg("", "404", "guest", "#r", "Cannot send to channel"))
	wantText(t, notices(guest, "NS IDENTIFY alice correct horse", "NickServ"), "logged in")
	guest.Send("PRIVMSG #r :hi again")
	want(t, op.Expect("PRIVMSG"), msg(prefix("guest"), "PRIVMSG", "#r", "hi again"))

	guest.Send("MODE guest +R")
	if got := guest.Roundtrip(); len(only(got, "MODE")) != 0 {
		t.Errorf("users set +R themselves: %v", got)
	}
	guest.Send("MODE guest")
	want(t, guest.Expect("221"), msg("", "221", "guest", "+R"))
}

func TestNickReservation(t *testing.T) {
	n, addr := startAccounts(t, func(cfg *config.Config) {
		cfg.Accounts.NickReservation = true
		cfg.Accounts.NickReservationGrace = config.Duration(300 * time.Millisecond)
	})
	addAccount(t, n, "alice", "correct horse")
	imp := connect(t, addr, "alice")
	m := imp.ExpectFunc("warning", func(m ircmsg.Message) bool { return m.Command == "NOTICE" })
	if !strings.Contains(m.Param(1), "belongs to a registered account") {
		t.Fatalf("warning: %s", m.String())
	}
	nick := imp.Expect("NICK")
	if nick.Source != prefix("alice") || !strings.HasPrefix(nick.Param(0), "Guest") {
		t.Fatalf("rename: %s", nick.String())
	}

	// Logging in within the grace period keeps the nick.
	owner := connect(t, addr, "alice")
	wantText(t, notices(owner, "NS IDENTIFY alice correct horse", "NickServ"), "logged in")
	time.Sleep(500 * time.Millisecond)
	if got := owner.Roundtrip(); len(only(got, "NICK")) != 0 {
		t.Fatalf("owner renamed: %v", got)
	}
}
