package commands

import (
	"errors"
	"strings"

	"github.com/parleychat/parley/internal/auth"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/store"
)

func init() {
	register("REGISTER", Command{Handler: handleRegister, MinParams: 3, PreReg: true})
	register("VERIFY", Command{Handler: handleVerify, MinParams: 2, PreReg: true})
}

// registrationValue is the draft/account-registration capability's value: before-connect when
// REGISTER works before connection registration, email-required when an address is needed, and
// custom-account-name since accounts need not be named after the current nick. The capability is
// not offered while registration is off; REGISTER then answers FAIL DISALLOWED.
func registrationValue(s *Server, secure bool) (string, bool) {
	ac := s.Config().Accounts
	if s.accounts() == nil || !ac.Registration {
		return "", false
	}
	var keys []string
	if ac.RegistrationBeforeReg {
		keys = append(keys, "before-connect")
	}
	if ac.EmailRequired {
		keys = append(keys, "email-required")
	}
	keys = append(keys, "custom-account-name")
	return strings.Join(keys, ","), true
}

// handleRegister implements "REGISTER <account> {<email> | *} <password>" (IRCv3
// draft/account-registration). "*" as the account means the current nick. A new account is
// logged in at once; there is no verification step, since parley sends no email.
func handleRegister(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	name, email, password := m.Params[0], m.Params[1], m.Params[2]
	acc := s.accounts()
	ac := s.Config().Accounts
	if name == "*" {
		name = c.Nick()
	}
	switch {
	case acc == nil || !ac.Registration:
		rb.Fail("REGISTER", "DISALLOWED", name, "Account registration is disabled")
		return
	case !c.registered && !ac.RegistrationBeforeReg:
		rb.Fail("REGISTER", "COMPLETE_CONNECTION_REQUIRED", name, "Complete connection registration before registering an account")
		return
	case name == "*":
		rb.Fail("REGISTER", "NEED_NICK", "*", "Send NICK before registering an account named after it")
		return
	case c.User.Account() != "":
		rb.Fail("REGISTER", "ALREADY_AUTHENTICATED", name, "You are already logged in")
		return
	case email == "*" && ac.EmailRequired:
		rb.Fail("REGISTER", "INVALID_EMAIL", name, "An email address is required")
		return
	case email != "*" && !plausibleEmail(email):
		rb.Fail("REGISTER", "INVALID_EMAIL", name, "That is not an email address")
		return
	}
	if email == "*" {
		email = ""
	}
	ctx, cancel := storeCtx()
	defer cancel()
	acct, err := auth.CreateAccount(ctx, acc.Store, name, email, []byte(password))
	if err != nil {
		code, text := registerFailure(err)
		if code == "TEMPORARILY_UNAVAILABLE" {
			acc.Logger.Warn("account registration failed", "account", name, "err", err)
		}
		rb.Fail("REGISTER", code, name, text)
		return
	}
	acc.Logger.Info("account registered", "account", acct.Name, "via", "REGISTER")
	rb.Add("REGISTER", "SUCCESS", acct.Name, "Account successfully registered")
	s.login(c, rb, acct.Name)
}

// registerFailure maps an account creation error to its FAIL code and text.
func registerFailure(err error) (code, text string) {
	switch {
	case errors.Is(err, store.ErrExists):
		return "ACCOUNT_EXISTS", "That account name is already registered"
	case errors.Is(err, auth.ErrBadAccountName), errors.Is(err, store.ErrInvalid):
		return "BAD_ACCOUNT_NAME", "That account name is not allowed"
	case errors.Is(err, auth.ErrWeakPassword):
		return "WEAK_PASSWORD", "Passwords must be at least 8 bytes long"
	case errors.Is(err, auth.ErrLongPassword):
		return "UNACCEPTABLE_PASSWORD", "That password is too long"
	}
	return "TEMPORARILY_UNAVAILABLE", "Accounts are temporarily unavailable; try again later"
}

// plausibleEmail is a sanity check, not validation: parley never sends mail.
func plausibleEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " ,")
}

// handleVerify implements "VERIFY <account> <code>". Accounts never wait for verification here
// (there is no email delivery), so any code is refused.
func handleVerify(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	rb.Fail("VERIFY", "INVALID_CODE", m.Params[0], "No verification is pending for that account")
}
