package commands

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleychat/parley/internal/auth"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/store"
)

// AccountsConfig is the accounts part of Config (accounts.* in the configuration file).
type AccountsConfig struct {
	Registration          bool // REGISTER and NickServ REGISTER are open
	RegistrationBeforeReg bool // REGISTER works before connection registration (before-connect)
	EmailRequired         bool // REGISTER needs an email address (email-required)
	NickReservation       bool // a registered account's name is reserved as a nick
	ReservationGrace      time.Duration
}

// Accounts connects the protocol to the account store: SASL, REGISTER, NickServ and ChanServ
// work only once a node has called SetAccounts.
type Accounts struct {
	Store  store.Store
	Auth   *auth.Authenticator
	Logger *slog.Logger
}

// accountState is the Server's account machinery.
type accountState struct {
	deps     atomic.Pointer[Accounts]
	guestSeq atomic.Uint64
	keeper   *regKeeper
}

// clientAccount is a connection's account state: a SASL exchange in progress and the timer of a
// pending nick-reservation rename. sasl is owned by the client's reader goroutine; resv is atomic
// and gone is under mu, since the rename runs on the timer's goroutine.
type clientAccount struct {
	sasl *saslExchange
	resv atomic.Pointer[time.Timer]
	mu   sync.Mutex // held by a nick-reservation rename and by accountsGone
	gone bool
}

// SetAccounts enables accounts. Call it once, before the node serves connections; it also starts
// the goroutine that keeps registered channels' topics and modes in the store (stopped by
// CloseAccounts).
func (s *Server) SetAccounts(a Accounts) {
	if a.Logger == nil {
		a.Logger = slog.Default()
	}
	s.acct.deps.Store(&a)
	s.acct.keeper = startRegKeeper(s, a.Store, a.Logger)
	s.NotifyCapsChanged()
}

// CloseAccounts stops the background work SetAccounts started; call it before closing the store.
// Safe for concurrent use.
func (s *Server) CloseAccounts() {
	if k := s.acct.keeper; k != nil {
		k.stop()
	}
}

// accounts returns the account machinery, or nil when the node has none.
func (s *Server) accounts() *Accounts { return s.acct.deps.Load() }

// storeCtx bounds one store request made while handling a command.
func storeCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 5*time.Second)
}

// login makes the client's connection logged into account: core's account (account-notify to
// channel neighbours, account-tag on its messages), user mode +R and RPL_LOGGEDIN.
func (s *Server) login(c *Client, rb *ReplyBuffer, account string) {
	if s.loginRefused(c, rb, account) { // an account ban, issue 8
		return
	}
	if c.registered {
		s.Net.SetUserAccount(c.User, account)
		nick := c.User.Nick()
		rb.AddFrom(nick, "MODE", nick, "+R")
	} else {
		c.User.SetAccount(account)
	}
	s.stopReservation(c)
	rb.Numeric(ircmsg.RPL_LOGGEDIN, s.maskOf(c), account, "You are now logged in as "+account)
}

// logout ends the client's login (NickServ LOGOUT, a dropped account).
func (s *Server) logout(c *Client, rb *ReplyBuffer) {
	if c.User.Account() == "" {
		return
	}
	if c.registered {
		s.Net.SetUserAccount(c.User, "")
		nick := c.User.Nick()
		rb.AddFrom(nick, "MODE", nick, "-R")
	} else {
		c.User.SetAccount("")
	}
	rb.Numeric(ircmsg.RPL_LOGGEDOUT, s.maskOf(c), "You are now logged out")
	s.checkReservation(c, rb)
}

// maskOf is the nick!user@host of RPL_LOGGEDIN, with "*" for what is not known yet.
func (s *Server) maskOf(c *Client) string {
	p := c.User.Prefix()
	user := p.User
	if user == "" {
		user = "*"
	}
	return c.Nick() + "!" + user + "@" + p.Host
}

// accountsGone releases a departing client's account state. Call it before the user quits.
func (s *Server) accountsGone(c *Client) {
	s.stopReservation(c)
	c.acct.mu.Lock()
	c.acct.gone = true
	c.acct.mu.Unlock()
}
