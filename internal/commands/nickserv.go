package commands

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/parleychat/parley/internal/auth"
	"github.com/parleychat/parley/internal/store"
)

// nickServ manages accounts for clients without SASL or REGISTER.
var nickServ = &service{
	nick:  "NickServ",
	about: "NickServ registers accounts and logs you into them.",
}

// nickServCommands returns the commands of NickServ (set in init, since they refer to it).
func nickServCommands() map[string]serviceCmd {
	return map[string]serviceCmd{
		"REGISTER": {run: nsRegister, minArgs: 1, usage: "REGISTER <password> [email]",
			help: "Registers an account named after your current nick and logs you in."},
		"IDENTIFY": {run: nsIdentify, minArgs: 1, usage: "IDENTIFY [account] <password>",
			help: "Logs you into an account (your current nick's when none is given)."},
		"LOGOUT": {run: nsLogout, usage: "LOGOUT", help: "Logs you out of your account."},
		"INFO": {run: nsInfo, usage: "INFO [account]",
			help: "Shows information about an account (yours when none is given)."},
		"DROP": {run: nsDrop, minArgs: 1, usage: "DROP <password>",
			help: "Deletes your account for good. Channels it founded stay registered until dropped."},
		"SET": {run: nsSet, minArgs: 2, usage: "SET PASSWORD <new password>", help: "Changes your password."},
		"CERT": {run: nsCert, minArgs: 1, usage: "CERT ADD [fingerprint] | CERT DEL <fingerprint> | CERT LIST",
			help: "Manages the TLS client certificates that log you in with SASL EXTERNAL. CERT ADD " +
				"without a fingerprint adds the certificate of your current connection."},
		"GHOST": {run: nsGhost, minArgs: 1, usage: "GHOST <nick>",
			help: "Disconnects a connection that uses your account, or your account's nick without being logged in."},
	}
}

func nsRegister(s *Server, c *Client, sr *serviceReply, args []string) {
	acc := s.accounts()
	if !s.Config().Accounts.Registration {
		sr.say("Account registration is disabled on this server.")
		return
	}
	if c.User.Account() != "" {
		sr.say("You are already logged in as \x02" + c.User.Account() + "\x02.")
		return
	}
	email := ""
	if len(args) > 1 {
		email = args[1]
		if !plausibleEmail(email) {
			sr.say("\x02" + email + "\x02 is not an email address.")
			return
		}
	}
	ctx, cancel := storeCtx()
	defer cancel()
	acct, err := auth.CreateAccount(ctx, acc.Store, c.User.Nick(), email, []byte(args[0]))
	if err != nil {
		_, text := registerFailure(err)
		sr.say(text + ".")
		return
	}
	acc.Logger.Info("account registered", "account", acct.Name, "via", "NickServ")
	sr.say("Account \x02" + acct.Name + "\x02 registered.")
	s.login(c, sr.rb, acct.Name)
}

func nsIdentify(s *Server, c *Client, sr *serviceReply, args []string) {
	if c.User.Account() != "" {
		sr.say("You are already logged in as \x02" + c.User.Account() + "\x02.")
		return
	}
	name, password := c.User.Nick(), args[0]
	if len(args) > 1 {
		name, password = args[0], strings.Join(args[1:], " ")
	}
	acct, err := s.accounts().Auth.Login(c.User.Info().IP, name, []byte(password))
	if err != nil {
		sr.say(strings.TrimPrefix(saslFailText(err), "SASL authentication failed: ") + ".")
		return
	}
	sr.say("You are now logged in as \x02" + acct.Name + "\x02.")
	s.login(c, sr.rb, acct.Name)
}

func nsLogout(s *Server, c *Client, sr *serviceReply, args []string) {
	if c.User.Account() == "" {
		sr.say("You are not logged in.")
		return
	}
	sr.say("You are now logged out.")
	s.logout(c, sr.rb)
}

func nsInfo(s *Server, c *Client, sr *serviceReply, args []string) {
	name := c.User.Account()
	if len(args) > 0 {
		name = args[0]
	}
	if name == "" {
		sr.say("You are not logged in; name an account: INFO <account>.")
		return
	}
	ctx, cancel := storeCtx()
	defer cancel()
	acct, err := s.accounts().Store.Account(ctx, name)
	if err != nil {
		sr.say(storeErrText(err, "Account \x02"+name+"\x02 is not registered."))
		return
	}
	own := s.Net.Casemap().Equal(acct.Name, c.User.Account())
	sr.say("Account \x02"+acct.Name+"\x02", "Registered: "+acct.Created.UTC().Format(time.RFC1123))
	var online []string
	for _, u := range s.Net.Users() {
		if s.Net.Casemap().Equal(u.Account(), acct.Name) {
			online = append(online, u.Nick())
		}
	}
	if len(online) > 0 {
		sr.say("Logged in now as: " + strings.Join(online, ", "))
	}
	if own {
		if acct.Email != "" {
			sr.say("Email: " + acct.Email)
		}
		sr.say("Certificates: " + strconv.Itoa(len(acct.Certfps)))
	}
}

func nsDrop(s *Server, c *Client, sr *serviceReply, args []string) {
	name := c.User.Account()
	if name == "" {
		sr.say("Log in to the account you want to drop first.")
		return
	}
	acc := s.accounts()
	if _, err := acc.Auth.Login(c.User.Info().IP, name, []byte(strings.Join(args, " "))); err != nil {
		sr.say("Wrong password: account \x02" + name + "\x02 not dropped.")
		return
	}
	ctx, cancel := storeCtx()
	defer cancel()
	if err := acc.Store.DeleteAccount(ctx, name); err != nil {
		sr.say(storeErrText(err, "Account \x02"+name+"\x02 is not registered."))
		return
	}
	acc.Logger.Info("account dropped", "account", name, "via", "NickServ")
	sr.say("Account \x02" + name + "\x02 dropped.")
	s.logout(c, sr.rb)
}

func nsSet(s *Server, c *Client, sr *serviceReply, args []string) {
	name := c.User.Account()
	switch {
	case strings.ToUpper(args[0]) != "PASSWORD":
		sr.say("Unknown setting \x02" + args[0] + "\x02. Syntax: SET PASSWORD <new password>")
		return
	case name == "":
		sr.say("You are not logged in.")
		return
	}
	ctx, cancel := storeCtx()
	defer cancel()
	if err := auth.ChangePassword(ctx, s.accounts().Store, name, []byte(strings.Join(args[1:], " "))); err != nil {
		_, text := registerFailure(err)
		if errors.Is(err, store.ErrNotFound) {
			text = "Your account no longer exists"
		}
		sr.say(text + ".")
		return
	}
	sr.say("Password changed.")
}

func nsCert(s *Server, c *Client, sr *serviceReply, args []string) {
	name := c.User.Account()
	if name == "" {
		sr.say("You are not logged in.")
		return
	}
	ctx, cancel := storeCtx()
	defer cancel()
	st := s.accounts().Store
	sub := strings.ToUpper(args[0])
	if sub == "LIST" {
		acct, err := st.Account(ctx, name)
		if err != nil {
			sr.say(storeErrText(err, "Your account no longer exists."))
			return
		}
		sr.say("Certificates of \x02" + name + "\x02: " + strconv.Itoa(len(acct.Certfps)))
		for _, fp := range acct.Certfps {
			sr.say("  " + fp)
		}
		return
	}
	fp := c.Certfp
	if len(args) > 1 {
		fp = strings.ToLower(args[1])
	}
	if sub != "ADD" && sub != "DEL" || !validCertfp(fp) {
		sr.say("Syntax: " + nickServ.cmds["CERT"].usage + " (a fingerprint is 64 hex digits of SHA-256)")
		return
	}
	err := auth.Update(ctx, st, name, func(a *store.Account) error {
		a.Certfps = certfpChange(a.Certfps, fp, sub == "ADD")
		return nil
	})
	switch {
	case errors.Is(err, store.ErrExists):
		sr.say("That certificate belongs to another account.")
	case err != nil:
		sr.say(storeErrText(err, "Your account no longer exists."))
	case sub == "ADD":
		sr.say("Certificate \x02" + fp + "\x02 added: SASL EXTERNAL with it logs you in.")
	default:
		sr.say("Certificate \x02" + fp + "\x02 removed.")
	}
}

// certfpChange adds or removes one fingerprint.
func certfpChange(fps []string, fp string, add bool) []string {
	out := make([]string, 0, len(fps)+1)
	for _, f := range fps {
		if !strings.EqualFold(f, fp) {
			out = append(out, f)
		}
	}
	if add {
		out = append(out, fp)
	}
	return out
}

func validCertfp(fp string) bool {
	if len(fp) != 64 {
		return false
	}
	for i := 0; i < len(fp); i++ {
		if !strings.ContainsRune("0123456789abcdef", rune(fp[i])) {
			return false
		}
	}
	return true
}

func nsGhost(s *Server, c *Client, sr *serviceReply, args []string) {
	name := c.User.Account()
	target := s.Net.FindUser(args[0])
	cm := s.Net.Casemap()
	switch {
	case name == "":
		sr.say("You are not logged in.")
	case target == nil:
		sr.say("\x02" + args[0] + "\x02 is not online.")
	case target == c.User:
		sr.say("You cannot ghost yourself.")
	case !cm.Equal(target.Account(), name) && !cm.Equal(target.Nick(), name):
		sr.say("\x02" + target.Nick() + "\x02 is not yours to ghost.")
	default:
		nick := target.Nick()
		if err := s.Net.ServerKill(s.servicePrefix(nickServ), nick, "GHOST command used by "+c.User.Nick()); err != nil {
			sr.say("\x02" + nick + "\x02 is not online.")
			return
		}
		sr.say("\x02" + nick + "\x02 has been disconnected.")
	}
}

// storeErrText is the reply for a failed store request: notFound for a missing record, a
// generic message for anything else.
func storeErrText(err error, notFound string) string {
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
		return notFound
	}
	return "Accounts are temporarily unavailable; try again later."
}
