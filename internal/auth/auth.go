// Package auth checks who a client is: the SASL mechanisms PLAIN, SCRAM-SHA-256 and EXTERNAL, and
// password logins for services (NickServ IDENTIFY), against the accounts in the store. It also
// makes the credentials stored with an account (a password hash and SCRAM-SHA-256 keys) and
// throttles repeated failures per IP address and per account. Both front doors use it: IRC
// (AUTHENTICATE, REGISTER, NickServ) and the JSON API.
//
// Passwords are never logged, and never kept beyond the call that checks them.
package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/parleychat/parley/internal/store"
)

// Mechanism is one SASL exchange, server side. Next takes the client's next message (already
// decoded from base64 and reassembled from chunks; empty for "+") and returns the server's
// answer: a challenge to send (serverMessage, possibly empty) while done is false, or, when done,
// the account the client proved it owns. err ends the exchange as a failure (904). A Mechanism
// belongs to one connection's goroutine and must not be shared.
type Mechanism interface {
	Next(clientMessage []byte) (serverMessage []byte, done bool, account string, err error)
}

// The mechanism names, in the order the sasl capability lists them.
const (
	MechPlain    = "PLAIN"
	MechScram    = "SCRAM-SHA-256"
	MechExternal = "EXTERNAL"
)

// Mechanisms returns the mechanisms parley offers, for the sasl capability value and RPL_SASLMECHS.
// Safe for concurrent use.
func Mechanisms() []string { return []string{MechPlain, MechScram, MechExternal} }

// Errors. Compare with errors.Is; a throttled attempt is a *ThrottledError.
var (
	ErrFailed       = errors.New("auth: invalid credentials")
	ErrMalformed    = errors.New("auth: malformed SASL message")
	ErrNoCert       = errors.New("auth: no TLS client certificate")
	ErrUnknownMech  = errors.New("auth: unknown SASL mechanism")
	ErrUnavailable  = errors.New("auth: account store unavailable")
	ErrNotSupported = errors.New("auth: the account has no credentials for this mechanism")
)

// ThrottledError reports an attempt refused because of earlier failures from the same IP
// address or against the same account.
type ThrottledError struct {
	Retry time.Duration // how long until attempts are accepted again
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("auth: too many failed login attempts; try again in %d seconds", int(e.Retry.Seconds()+0.999))
}

// Options configure an Authenticator.
type Options struct {
	Store  store.Accounts
	Logger *slog.Logger
	// Throttle bounds failed attempts; zero fields take the defaults of DefaultThrottle.
	Throttle ThrottleConfig
	// OnResult, when set, is told the outcome of every login attempt: result is "success",
	// "failure" or "throttled". It must be cheap (a metrics counter).
	OnResult func(mechanism, result string)
	// Timeout bounds each store request (default 5s).
	Timeout time.Duration
}

// Authenticator runs logins against the account store. Safe for concurrent use.
type Authenticator struct {
	store    store.Accounts
	log      *slog.Logger
	throttle *Throttle
	onResult func(string, string)
	timeout  time.Duration
}

// New returns an Authenticator. The Authenticator is safe for concurrent use.
func New(opt Options) *Authenticator {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 5 * time.Second
	}
	return &Authenticator{
		store: opt.Store, log: opt.Logger, throttle: NewThrottle(opt.Throttle),
		onResult: opt.OnResult, timeout: opt.Timeout,
	}
}

// Store returns the account store the authenticator checks against. Safe for concurrent use.
func (a *Authenticator) Store() store.Accounts { return a.store }

// Peer is what a mechanism knows of the connection: its IP address (for throttling) and the
// SHA-256 fingerprint of its TLS client certificate, "" when it presented none.
type Peer struct {
	IP     string
	Certfp string
}

// Start begins a SASL exchange with the named mechanism (case-insensitive). Safe for concurrent
// use; the Mechanism it returns is not.
func (a *Authenticator) Start(mechanism string, peer Peer) (Mechanism, error) {
	switch strings.ToUpper(mechanism) {
	case MechPlain:
		return &plain{a: a, peer: peer}, nil
	case MechScram:
		return newScram(a, peer), nil
	case MechExternal:
		return &external{a: a, peer: peer}, nil
	}
	return nil, ErrUnknownMech
}

// Login checks a password for an account (NickServ IDENTIFY), with the same throttling as SASL,
// and returns the account. Safe for concurrent use.
func (a *Authenticator) Login(ip, account string, password []byte) (store.Account, error) {
	return a.passwordLogin("IDENTIFY", ip, account, password)
}

// passwordLogin is the password check behind PLAIN and Login.
func (a *Authenticator) passwordLogin(mech, ip, name string, password []byte) (store.Account, error) {
	if err := a.allowed(mech, ip, name); err != nil {
		return store.Account{}, err
	}
	acct, err := a.account(name)
	if err != nil && !errors.Is(err, ErrFailed) {
		return store.Account{}, err
	}
	if err != nil || !CheckPassword(acct, password) {
		a.failed(mech, ip, name)
		return store.Account{}, ErrFailed
	}
	a.succeeded(mech, ip, name)
	a.upgradeScram(acct, password)
	return acct, nil
}

// account reads an account: ErrFailed when there is none (a client learns nothing more from an
// unknown name than from a wrong password), ErrUnavailable when the store fails.
func (a *Authenticator) account(name string) (store.Account, error) {
	ctx, cancel := context.WithTimeout(context.Background(), a.timeout)
	defer cancel()
	acct, err := a.store.Account(ctx, name)
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrInvalid):
		return store.Account{}, ErrFailed
	case err != nil:
		a.log.Warn("account lookup failed", "err", err)
		return store.Account{}, ErrUnavailable
	}
	return acct, nil
}

// upgradeScram stores SCRAM-SHA-256 keys for an account that has only a password hash (made by
// an older version, or imported), now that a successful login gave us the password.
func (a *Authenticator) upgradeScram(acct store.Account, password []byte) {
	if acct.Scram != nil {
		return
	}
	sc, err := ScramCredentials(password)
	if err != nil {
		return
	}
	acct.Scram = sc
	ctx, cancel := context.WithTimeout(context.Background(), a.timeout)
	defer cancel()
	if _, err := a.store.UpdateAccount(ctx, acct); err != nil {
		a.log.Debug("storing SCRAM keys after login", "account", acct.Name, "err", err)
	}
}

// allowed consults the throttle for the IP address and the account.
func (a *Authenticator) allowed(mech, ip, account string) error {
	wait := max(a.throttle.Wait("ip:"+ip), a.throttle.Wait("account:"+strings.ToLower(account)))
	if wait > 0 {
		a.result(mech, "throttled")
		return &ThrottledError{Retry: wait}
	}
	return nil
}

func (a *Authenticator) failed(mech, ip, account string) {
	a.throttle.Fail("ip:" + ip)
	if account != "" {
		a.throttle.Fail("account:" + strings.ToLower(account))
	}
	a.result(mech, "failure")
	a.log.Info("login failed", "mechanism", mech, "ip", ip, "account", account)
}

func (a *Authenticator) succeeded(mech, ip, account string) {
	a.throttle.Reset("account:" + strings.ToLower(account))
	a.result(mech, "success")
}

func (a *Authenticator) result(mech, result string) {
	if a.onResult != nil {
		a.onResult(mech, result)
	}
}
