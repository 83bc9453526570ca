package commands

import (
	"strconv"

	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/ircmsg"
)

func init() {
	register("MODE", Command{Handler: handleMode, MinParams: 1})
}

func handleMode(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	if core.IsChannelName(m.Params[0]) {
		channelMode(s, c, m, rb)
		return
	}
	userMode(s, c, m, rb)
}

func channelMode(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	ch := s.Net.FindChannel(m.Params[0])
	if ch == nil {
		rb.Numeric(ircmsg.ERR_NOSUCHCHANNEL, m.Params[0], "No such channel")
		return
	}
	if len(m.Params) == 1 {
		_, member := ch.Membership(c.User)
		modes, params := ch.Modes().String(member)
		rb.Numeric(ircmsg.RPL_CHANNELMODEIS, append([]string{ch.Name(), modes}, params...)...)
		rb.Numeric(ircmsg.RPL_CREATIONTIME, ch.Name(), strconv.FormatInt(ch.Created().Unix(), 10))
		return
	}
	parsed := core.ParseChannelModes(m.Params[1], m.Params[2:])
	for _, u := range parsed.Unknown {
		rb.Numeric(ircmsg.ERR_UNKNOWNMODE, string(u), "is unknown mode char to me")
	}
	for _, l := range parsed.Lists {
		sendListMode(rb, ch, l)
	}
	if len(parsed.Changes) == 0 {
		return
	}
	_, ev, errs := s.Net.ApplyChannelModes(c.User, ch.Name(), parsed.Changes)
	reported := map[core.Code]bool{}
	for _, err := range errs {
		// One 482 for a whole MODE line is enough; other errors name their mode or nick.
		if ce, ok := err.(*core.Error); ok && (ce.Code == core.ErrChanOpPrivsNeeded || ce.Code == core.ErrNotOnChannel) {
			if reported[ce.Code] {
				continue
			}
			reported[ce.Code] = true
		}
		replyError(rb, err)
	}
	rb.AddEvent(ev)
}

func userMode(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	target := s.Net.FindUser(m.Params[0])
	if target == nil {
		rb.Numeric(ircmsg.ERR_NOSUCHNICK, m.Params[0], "No such nick/channel")
		return
	}
	if target != c.User {
		if len(m.Params) == 1 {
			rb.Numeric(ircmsg.ERR_USERSDONTMATCH, "Can't view modes for other users")
		} else {
			rb.Numeric(ircmsg.ERR_USERSDONTMATCH, "Can't change mode for other users")
		}
		return
	}
	if len(m.Params) == 1 {
		rb.Numeric(ircmsg.RPL_UMODEIS, c.User.Modes().String())
		return
	}
	applied, unknown := s.Net.ApplyUserModes(c.User, m.Params[1])
	if len(unknown) > 0 {
		rb.Numeric(ircmsg.ERR_UMODEUNKNOWNFLAG, "Unknown MODE flag")
	}
	if len(applied) > 0 {
		nick := c.User.Nick()
		rb.AddFrom(nick, "MODE", append([]string{nick}, core.FormatModeChanges(applied)...)...)
	}
}
