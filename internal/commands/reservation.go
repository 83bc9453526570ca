package commands

import (
	"strconv"
	"time"

	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/ircmsg"
)

// Nick reservation (accounts.nick_reservation): a registered account's name is its owner's nick.
// A user who takes it without being logged into that account is warned, and renamed to Guest<n>
// when the grace period (accounts.nick_reservation_grace) passes without a login.

// checkReservation looks at the client's current nick and starts or stops the rename timer.
// Call it when the nick or the login changes. Reader goroutine only.
func (s *Server) checkReservation(c *Client, rb *ReplyBuffer) {
	ac := s.Config().Accounts
	acc := s.accounts()
	nick := c.User.Nick()
	cm := s.Net.Casemap()
	if acc == nil || !ac.NickReservation || !c.registered || cm.Equal(c.User.Account(), nick) {
		s.stopReservation(c)
		return
	}
	ctx, cancel := storeCtx()
	_, err := acc.Store.Account(ctx, nick)
	cancel()
	if err != nil {
		s.stopReservation(c)
		return
	}
	grace := ac.ReservationGrace
	sr := &serviceReply{rb: rb, source: s.servicePrefix(nickServ).String(), nick: nick}
	sr.say("The nick \x02" + nick + "\x02 belongs to a registered account. Log in within " +
		grace.String() + " (SASL, or /msg NickServ IDENTIFY <password>) or your nick will be changed.")
	t := time.AfterFunc(grace, func() { s.enforceReservation(c, nick) })
	if old := c.acct.resv.Swap(t); old != nil {
		old.Stop()
	}
}

// stopReservation cancels a pending rename. Safe for concurrent use.
func (s *Server) stopReservation(c *Client) {
	if t := c.acct.resv.Swap(nil); t != nil {
		t.Stop()
	}
}

// enforceReservation renames the client if it still holds nick without being logged into it. It
// runs on the timer's goroutine, so it uses only what is safe there (core calls, Deliver), under
// the client's reservation lock, which Disconnected takes before the user quits: a user who is
// leaving is never renamed back onto the network.
func (s *Server) enforceReservation(c *Client, nick string) {
	c.acct.mu.Lock()
	defer c.acct.mu.Unlock()
	cm := s.Net.Casemap()
	if c.acct.gone || !cm.Equal(c.User.Nick(), nick) || cm.Equal(c.User.Account(), nick) {
		return
	}
	for range 10 {
		guest := "Guest" + strconv.FormatUint(s.acct.guestSeq.Add(1), 10)
		ev, err := s.Net.ChangeNick(c.User, guest)
		if ce, ok := err.(*core.Error); ok && ce.Code == core.ErrNicknameInUse {
			continue
		}
		if ev != nil {
			c.Deliver(ev)
			m := ircmsg.Message{Source: s.servicePrefix(nickServ).String(), Command: "NOTICE",
				Params: []string{guest, "You did not log in to the registered account \x02" + nick + "\x02 in time; your nick is now \x02" + guest + "\x02."}}
			c.out.Write(m.Append(nil))
		}
		return
	}
}
