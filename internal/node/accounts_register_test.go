package node_test

import (
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/node"
	"github.com/parleychat/parley/internal/testkit"
)

func TestRegisterCommand(t *testing.T) {
	n, addr := startAccounts(t, nil)
	addAccount(t, n, "taken", "correct horse")
	c := connect(t, addr, "alice")
	fail := func(line string) ircmsg.Message {
		c.Send(line)
		return c.Expect("FAIL")
	}
	want(t, fail("REGISTER taken * correct-horse"), msg("", "FAIL", "REGISTER", "ACCOUNT_EXISTS", "taken", "That account name is already registered"))
	want(t, fail("REGISTER * * short"), msg("", "FAIL", "REGISTER", "WEAK_PASSWORD", "alice", "Passwords must be at least 8 bytes long"))
	if got := fail("REGISTER b@d * correct-horse"); got.Param(1) != "BAD_ACCOUNT_NAME" {
		t.Errorf("bad name: %s", got.String())
	}
	if got := fail("REGISTER * not-an-email correct-horse"); got.Param(1) != "INVALID_EMAIL" {
		t.Errorf("bad email: %s", got.String())
	}
	// Nothing was half-written: the failed names are still free.
	c.Send("REGISTER * alice@example.org :battery staple ü")
	want(t, c.Expect("REGISTER"), msg("", "REGISTER", "SUCCESS", "alice", "Account successfully registered"))
	want(t, c.Expect("900"), msg("", "900", "alice", prefix("alice"), "alice", "You are now logged in as alice"))
	want(t, fail("REGISTER other * correct-horse"), msg("", "FAIL", "REGISTER", "ALREADY_AUTHENTICATED", "other", "You are already logged in"))
	want(t, fail("VERIFY alice 123456"), msg("", "FAIL", "VERIFY", "INVALID_CODE", "alice", "No verification is pending for that account"))

	// The new account logs in with SASL on another connection.
	c2 := preReg(t, addr, "alice2")
	if got := saslPlain(c2, "alice", "battery staple ü"); got.Command != "903" {
		t.Fatalf("SASL with the registered account: %s", got.String())
	}
}

func TestRegisterBeforeConnect(t *testing.T) {
	_, addr := startAccounts(t, nil)
	c := testkit.Dial(t, addr)
	c.Send("NICK early")
	c.Send("REGISTER * * correct-horse")
	if got := c.Expect("FAIL"); got.Param(1) != "COMPLETE_CONNECTION_REQUIRED" {
		t.Fatalf("without before-connect: %s", got.String())
	}

	_, addr = startAccounts(t, func(cfg *config.Config) { cfg.Accounts.RegistrationBeforeConnect = true })
	c = testkit.Dial(t, addr)
	c.Send("CAP LS 302")
	ls := c.Expect("CAP")
	if !strings.Contains(ls.Param(len(ls.Params)-1), "draft/account-registration=before-connect,custom-account-name") {
		t.Errorf("cap value: %s", ls.String())
	}
	c.Send("REGISTER * * correct-horse")
	if got := c.Expect("FAIL"); got.Param(1) != "NEED_NICK" {
		t.Fatalf("without a nick: %s", got.String())
	}
	c.Send("NICK early")
	c.Send("REGISTER * * correct-horse")
	want(t, c.Expect("REGISTER"), msg("", "REGISTER", "SUCCESS", "early", "Account successfully registered"))
	c.Send("USER early 0 * :early")
	burst := finishReg(c)
	wantIn(t, burst, msg("early", "MODE", "early", "+R"))
}

func TestRegisterDisabled(t *testing.T) {
	_, addr := startAccounts(t, func(cfg *config.Config) { cfg.Accounts.Registration = false })
	c := testkit.Dial(t, addr)
	c.Send("CAP LS 302")
	if ls := c.Expect("CAP"); strings.Contains(ls.String(), "account-registration") {
		t.Errorf("registration advertised while off: %s", ls.String())
	}
	c.Send("CAP END")
	c.Register("alice")
	c.Send("REGISTER * * correct-horse")
	want(t, c.Expect("FAIL"), msg("", "FAIL", "REGISTER", "DISALLOWED", "alice", "Account registration is disabled"))
	c.Send("PRIVMSG NickServ :REGISTER correct-horse")
	if m := c.Expect("NOTICE"); !strings.Contains(m.Param(1), "disabled") {
		t.Errorf("NickServ REGISTER while off: %s", m.String())
	}
}

func TestEmailRequiredIsAStartupError(t *testing.T) {
	cfg := testkit.Config(t)
	cfg.Accounts.RegistrationEmailRequired = true
	_, err := node.New(cfg, node.Options{})
	if err == nil || !strings.Contains(err.Error(), "accounts.registration_email_required") ||
		!strings.Contains(err.Error(), "cannot send email") {
		t.Fatalf("node.New: %v", err)
	}
	// The data directory is free again: a node starts there; a reload cannot turn it on either.
	cfg.Accounts.RegistrationEmailRequired = false
	n := testkit.StartNode(t, cfg)
	next := *cfg
	next.Accounts.RegistrationEmailRequired = true
	if _, err := n.Reload(&next); err == nil || !strings.Contains(err.Error(), "cannot send email") {
		t.Fatalf("Reload: %v", err)
	}
}
