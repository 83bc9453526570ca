package commands

import (
	"errors"
	"strings"

	"github.com/parleychat/parley/internal/auth"
	"github.com/parleychat/parley/internal/ircmsg"
)

func init() {
	register("AUTHENTICATE", Command{Handler: handleAuthenticate, MinParams: 1, PreReg: true})
}

// saslExchange is an AUTHENTICATE exchange in progress.
type saslExchange struct {
	mech auth.Mechanism
	dec  saslDecoder
}

// saslValue is the sasl capability's value: the mechanisms (IRCv3 sasl-3.2). EXTERNAL is listed
// on every connection, as Ergo does; without a client certificate it fails with 904.
func saslValue(s *Server, secure bool) (string, bool) {
	if s.accounts() == nil {
		return "", false
	}
	return strings.Join(auth.Mechanisms(), ","), true
}

// handleAuthenticate implements AUTHENTICATE (IRCv3 sasl-3.1 and 3.2): "AUTHENTICATE <mechanism>"
// starts an exchange, then base64 chunks carry the client's messages, "*" aborts.
func handleAuthenticate(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	acc := s.accounts()
	arg := m.Params[0]
	ex := c.acct.sasl
	switch {
	case acc == nil:
		rb.Numeric(ircmsg.ERR_SASLFAIL, "SASL authentication is not available on this server")
	case arg == "*":
		c.acct.sasl = nil
		rb.Numeric(ircmsg.ERR_SASLABORTED, "SASL authentication aborted")
	case ex == nil:
		s.saslStart(c, rb, acc, arg)
	default:
		s.saslStep(c, rb, ex, arg)
	}
}

// saslStart begins an exchange. A client that is logged in already gets 907: parley keeps one
// login per connection; NickServ LOGOUT ends it first (sasl-3.2 leaves re-authentication to the
// server).
func (s *Server) saslStart(c *Client, rb *ReplyBuffer, acc *Accounts, name string) {
	if c.User.Account() != "" {
		rb.Numeric(ircmsg.ERR_SASLALREADY, "You have already authenticated using SASL")
		return
	}
	if len(name) > saslChunk {
		rb.Numeric(ircmsg.ERR_SASLTOOLONG, "SASL message too long")
		return
	}
	mech, err := acc.Auth.Start(name, auth.Peer{IP: c.User.Info().IP, Certfp: c.Certfp})
	if err != nil {
		rb.Numeric(ircmsg.RPL_SASLMECHS, strings.Join(auth.Mechanisms(), ","), "are available SASL mechanisms")
		rb.Numeric(ircmsg.ERR_SASLFAIL, "SASL authentication failed: unknown mechanism")
		return
	}
	if strings.EqualFold(name, auth.MechExternal) && c.Certfp == "" {
		rb.Numeric(ircmsg.ERR_SASLFAIL, "SASL authentication failed: EXTERNAL needs a TLS client certificate")
		return
	}
	c.acct.sasl = &saslExchange{mech: mech}
	rb.Add("AUTHENTICATE", "+")
}

// saslStep feeds one chunk to the exchange.
func (s *Server) saslStep(c *Client, rb *ReplyBuffer, ex *saslExchange, chunk string) {
	msg, complete, err := ex.dec.add(chunk)
	switch {
	case errors.Is(err, errSASLTooLong):
		c.acct.sasl = nil
		rb.Numeric(ircmsg.ERR_SASLTOOLONG, "SASL message too long")
		return
	case err != nil:
		c.acct.sasl = nil
		rb.Numeric(ircmsg.ERR_SASLFAIL, "SASL authentication failed: invalid base64")
		return
	case !complete:
		return
	}
	out, done, account, err := ex.mech.Next(msg)
	if err != nil {
		c.acct.sasl = nil
		rb.Numeric(ircmsg.ERR_SASLFAIL, saslFailText(err))
		return
	}
	if !done {
		for _, p := range saslEncode(out) {
			rb.Add("AUTHENTICATE", p)
		}
		return
	}
	c.acct.sasl = nil
	s.login(c, rb, account)
	rb.Numeric(ircmsg.RPL_SASLSUCCESS, "SASL authentication successful")
}

// saslFailText explains a failure without saying whether the account exists.
func saslFailText(err error) string {
	var te *auth.ThrottledError
	switch {
	case errors.As(err, &te):
		return "SASL authentication failed: " + strings.TrimPrefix(te.Error(), "auth: ")
	case errors.Is(err, auth.ErrNotSupported):
		return "SASL authentication failed: this account cannot use this mechanism yet; log in once with PLAIN"
	case errors.Is(err, auth.ErrUnavailable):
		return "SASL authentication failed: accounts are temporarily unavailable"
	case errors.Is(err, auth.ErrMalformed):
		return "SASL authentication failed: malformed message"
	}
	return "SASL authentication failed: invalid credentials"
}
