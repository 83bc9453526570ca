package commands

import (
	"strings"

	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/ircmsg"
)

func init() {
	register("PASS", Command{Handler: handlePass, MinParams: 1, PreReg: true})
	register("NICK", Command{Handler: handleNick, PreReg: true, Active: true})
	register("USER", Command{Handler: handleUser, MinParams: 4, PreReg: true})
	register("PING", Command{Handler: handlePing, MinParams: 1, PreReg: true})
	register("PONG", Command{Handler: handlePong, PreReg: true})
	register("QUIT", Command{Handler: handleQuit, PreReg: true})
}

func handlePass(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	if c.registered {
		rb.Numeric(ircmsg.ERR_ALREADYREGISTERED, "You may not reregister")
		return
	}
	c.password = []byte(m.Params[0])
}

func handleNick(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	if len(m.Params) == 0 || m.Params[0] == "" {
		rb.Numeric(ircmsg.ERR_NONICKNAMEGIVEN, "No nickname given")
		return
	}
	nick := m.Params[0]
	if !s.Net.ValidNick(nick) {
		rb.Numeric(ircmsg.ERR_ERRONEUSNICKNAME, nick, "Erroneous nickname")
		return
	}
	if s.serviceNamed(nick) != nil {
		rb.Numeric(ircmsg.ERR_NICKNAMEINUSE, nick, "Nickname is reserved for services")
		return
	}
	if !c.registered {
		if s.Net.NickInUse(nick) {
			rb.Numeric(ircmsg.ERR_NICKNAMEINUSE, nick, "Nickname is already in use")
			return
		}
		c.pendingNick = nick
		s.tryRegister(c, rb)
		return
	}
	ev, err := s.Net.ChangeNick(c.User, nick)
	if err != nil {
		replyError(rb, err)
		return
	}
	rb.AddEvent(ev)
	if ev != nil {
		s.checkReservation(c, rb)
	}
}

func handleUser(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	if c.registered || c.userGiven {
		rb.Numeric(ircmsg.ERR_ALREADYREGISTERED, "You may not reregister")
		return
	}
	username := sanitizeUsername(m.Params[0])
	if username == "" {
		rb.Numeric(ircmsg.ERR_NEEDMOREPARAMS, "USER", "Not enough parameters")
		return
	}
	c.username = "~" + username
	c.realname = m.Params[3]
	c.userGiven = true
	c.User.SetIdent(c.username, c.realname)
	s.tryRegister(c, rb)
}

// sanitizeUsername keeps the characters a username may hold (RFC 2812 "user": no NUL, CR, LF,
// space or '@'), within USERLEN.
func sanitizeUsername(u string) string {
	var b strings.Builder
	for i := 0; i < len(u) && b.Len() < userLen-1; i++ {
		ch := u[i]
		if ch > ' ' && ch < 0x7f && ch != '@' && ch != '!' && ch != ':' {
			b.WriteByte(ch)
		}
	}
	return b.String()
}

const userLen = 18

// tryRegister completes registration once NICK and USER arrived and capability negotiation ended.
func (s *Server) tryRegister(c *Client, rb *ReplyBuffer) {
	if c.registered || c.pendingNick == "" || !c.userGiven || c.capBlocking {
		return
	}
	cfg := s.Config()
	if cfg.Password != "" && (c.password == nil || !s.VerifyPassword(cfg.Password, c.password)) {
		rb.Numeric(ircmsg.ERR_PASSWDMISMATCH, "Password incorrect")
		c.quitting = true
		// Close drops whatever is written after it, so the 464 must be out first.
		rb.Flush()
		c.out.Close("Bad password")
		return
	}
	c.password = nil
	if s.refuseBanned(c, rb, registrationSubject(c)) { // network bans by mask or account, issue 8
		return
	}
	if err := s.Net.Register(c.User, c.pendingNick); err != nil {
		replyError(rb, err)
		return
	}
	c.registered = true
	s.welcome(c, rb)
	s.checkReservation(c, rb)
}

// welcome sends the registration burst: 001-005, LUSERS, MOTD and the user's modes.
func (s *Server) welcome(c *Client, rb *ReplyBuffer) {
	cfg := s.Config()
	p := c.User.Prefix()
	rb.Numeric(ircmsg.RPL_WELCOME, "Welcome to the "+cfg.Network+" IRC Network "+p.String())
	rb.Numeric(ircmsg.RPL_YOURHOST, "Your host is "+cfg.ServerName+", running version "+cfg.Version)
	rb.Numeric(ircmsg.RPL_CREATED, "This server was created "+s.Net.Created().UTC().Format("Mon Jan 2 2006 at 15:04:05 UTC"))
	rb.Numeric(ircmsg.RPL_MYINFO, cfg.ServerName, cfg.Version, "BRZiow", "CIMRbeiklmnostqaohv", "Ibekloqaohv")
	s.sendISupport(c, rb)
	s.sendLusers(rb)
	s.sendMOTD(rb)
	if modes := c.User.Modes(); modes != 0 {
		rb.AddFrom(p.Nick, "MODE", p.Nick, modes.String())
	}
	if c.Has(CapMetadata) {
		s.sendOwnMetadata(c, rb)
	}
}

func handlePing(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	rb.Add("PONG", s.Name(), m.Params[0])
}

func handlePong(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	// The session's read deadline already counts any line as liveness; nothing else to do.
}

func handleQuit(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	reason := "Client Quit"
	if len(m.Params) > 0 && m.Params[0] != "" {
		reason = "Quit: " + m.Params[0]
	}
	c.quitting = true
	s.Net.Quit(c.User, reason)
	c.out.Close("Quit: " + strings.TrimPrefix(reason, "Quit: "))
}

// replyError maps a refused core operation to its numeric (RFC 2812 / modern.ircdocs.horse).
func replyError(rb *ReplyBuffer, err error) {
	ce, ok := err.(*core.Error)
	if !ok {
		rb.Fail("*", "INTERNAL_ERROR", err.Error())
		return
	}
	switch ce.Code {
	case core.ErrNoSuchNick:
		rb.Numeric(ircmsg.ERR_NOSUCHNICK, ce.Target, "No such nick/channel")
	case core.ErrNoSuchChannel:
		rb.Numeric(ircmsg.ERR_NOSUCHCHANNEL, ce.Target, "No such channel")
	case core.ErrCannotSendToChan:
		rb.Numeric(ircmsg.ERR_CANNOTSENDTOCHAN, ce.Target, "Cannot send to channel")
	case core.ErrTooManyChannels:
		rb.Numeric(ircmsg.ERR_TOOMANYCHANNELS, ce.Target, "You have joined too many channels")
	case core.ErrErroneousNick:
		rb.Numeric(ircmsg.ERR_ERRONEUSNICKNAME, ce.Target, "Erroneous nickname")
	case core.ErrNicknameInUse:
		rb.Numeric(ircmsg.ERR_NICKNAMEINUSE, ce.Target, "Nickname is already in use")
	case core.ErrUserNotInChannel:
		rb.Numeric(ircmsg.ERR_USERNOTINCHANNEL, ce.Target, ce.Detail, "They aren't on that channel")
	case core.ErrNotOnChannel:
		rb.Numeric(ircmsg.ERR_NOTONCHANNEL, ce.Target, "You're not on that channel")
	case core.ErrUserOnChannel:
		rb.Numeric(ircmsg.ERR_USERONCHANNEL, ce.Target, ce.Detail, "is already on channel")
	case core.ErrKeySet:
		rb.Numeric(ircmsg.ERR_KEYSET, ce.Target, "Channel key already set")
	case core.ErrChannelIsFull:
		rb.Numeric(ircmsg.ERR_CHANNELISFULL, ce.Target, "Cannot join channel (+l)")
	case core.ErrNeedReggedNick:
		rb.Numeric(errNeedReggedNick, ce.Target, "Cannot join channel (+R): log in to an account first")
	case core.ErrInviteOnlyChan:
		rb.Numeric(ircmsg.ERR_INVITEONLYCHAN, ce.Target, "Cannot join channel (+i)")
	case core.ErrBannedFromChan:
		rb.Numeric(ircmsg.ERR_BANNEDFROMCHAN, ce.Target, "Cannot join channel (+b)")
	case core.ErrBadChannelKey:
		rb.Numeric(ircmsg.ERR_BADCHANNELKEY, ce.Target, "Cannot join channel (+k)")
	case core.ErrBadChanMask:
		rb.Numeric(ircmsg.ERR_BADCHANMASK, ce.Target, "Bad Channel Mask")
	case core.ErrNoPrivileges:
		rb.Numeric(ircmsg.ERR_NOPRIVILEGES, "Permission Denied- You're not an IRC operator")
	case core.ErrChanOpPrivsNeeded:
		rb.Numeric(ircmsg.ERR_CHANOPRIVSNEEDED, ce.Target, "You're not channel operator")
	case core.ErrBanListFull:
		rb.Numeric(ircmsg.ERR_BANLISTFULL, ce.Target, ce.Detail, "Channel list is full")
	case core.ErrInvalidModeParam:
		rb.Numeric(ircmsg.ERR_INVALIDMODEPARAM, ce.Target, ce.Detail, "*", "Invalid mode parameter")
	case core.ErrUnknownMode:
		rb.Numeric(ircmsg.ERR_UNKNOWNMODE, ce.Target, "is unknown mode char to me")
	default:
		rb.Fail("*", "UNKNOWN_ERROR", ce.Error())
	}
}
