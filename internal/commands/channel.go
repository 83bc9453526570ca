package commands

import (
	"strconv"
	"strings"

	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/ircmsg"
)

func init() {
	register("JOIN", Command{Handler: handleJoin, MinParams: 1})
	register("PART", Command{Handler: handlePart, MinParams: 1})
	register("TOPIC", Command{Handler: handleTopic, MinParams: 1})
	register("NAMES", Command{Handler: handleNames})
	register("LIST", Command{Handler: handleList})
	register("INVITE", Command{Handler: handleInvite, MinParams: 2})
	register("KICK", Command{Handler: handleKick, MinParams: 2})
}

func handleJoin(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	if m.Params[0] == "0" {
		for _, ev := range s.Net.PartAll(c.User, "Left all channels") {
			rb.AddEvent(ev)
		}
		return
	}
	names := splitList(m.Params[0])
	// Keys are positional ("JOIN #a,#b ,key" gives #b the key), so empty ones are kept.
	keys := strings.Split(m.Param(1), ",")
	for i, name := range names {
		key := ""
		if i < len(keys) {
			key = keys[i]
		}
		res, reg, err := s.joinChannel(c, name, key)
		if err != nil {
			replyError(rb, err)
			continue
		}
		if res.Event == nil {
			continue // already a member: RFC 2812 servers stay silent
		}
		rb.AddEvent(res.Event)
		if t := res.Channel.Topic(); t.Text != "" {
			sendTopic(rb, res.Channel.Name(), t)
		}
		if !c.Has(CapNoImplicitNames) { // IRCv3 no-implicit-names
			s.sendNames(c, rb, res.Channel)
		}
		if reg != nil {
			s.applyAccess(c, rb, reg, res.Channel.Name())
		}
		s.metadataOnJoin(c, rb, res.Channel)
		s.replayOnJoin(c, rb, res.Channel)
	}
}

func sendTopic(rb *ReplyBuffer, name string, t core.Topic) {
	rb.Numeric(ircmsg.RPL_TOPIC, name, t.Text)
	rb.Numeric(ircmsg.RPL_TOPICWHOTIME, name, t.SetBy, strconv.FormatInt(t.SetAt.Unix(), 10))
}

// sendNames answers NAMES for one channel: 353 lines of at most ~400 bytes, then 366.
func (s *Server) sendNames(c *Client, rb *ReplyBuffer, ch *core.Channel) {
	_, member := ch.Membership(c.User)
	symbol := "="
	if ch.IsSecret() {
		if !member && !c.User.IsOper() {
			rb.Numeric(ircmsg.RPL_ENDOFNAMES, ch.Name(), "End of /NAMES list")
			return
		}
		symbol = "@"
	}
	multi, uhnames := c.Has(CapMultiPrefix), c.Has(CapUserhostInNames)
	var line []byte
	flush := func() {
		if len(line) > 0 {
			rb.Numeric(ircmsg.RPL_NAMREPLY, symbol, ch.Name(), string(line))
			line = line[:0]
		}
	}
	for _, mv := range ch.Members() {
		if !member && mv.User.HasMode(core.UModeInvisible) && mv.User != c.User {
			continue
		}
		var entry []byte
		entry = mv.Prefixes.Symbols(entry, multi)
		if uhnames {
			entry = append(entry, mv.User.Prefix().String()...)
		} else {
			entry = append(entry, mv.User.Nick()...)
		}
		if len(line)+1+len(entry) > 400 {
			flush()
		}
		if len(line) > 0 {
			line = append(line, ' ')
		}
		line = append(line, entry...)
	}
	flush()
	rb.Numeric(ircmsg.RPL_ENDOFNAMES, ch.Name(), "End of /NAMES list")
}

func handlePart(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	for _, name := range splitList(m.Params[0]) {
		ev, err := s.Net.Part(c.User, name, m.Param(1))
		if err != nil {
			replyError(rb, err)
			continue
		}
		rb.AddEvent(ev)
	}
}

func handleTopic(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	name := m.Params[0]
	ch := s.Net.FindChannel(name)
	if ch == nil {
		rb.Numeric(ircmsg.ERR_NOSUCHCHANNEL, name, "No such channel")
		return
	}
	if len(m.Params) < 2 {
		if _, member := ch.Membership(c.User); !member && ch.IsSecret() {
			rb.Numeric(ircmsg.ERR_NOTONCHANNEL, ch.Name(), "You're not on that channel")
			return
		}
		if t := ch.Topic(); t.Text != "" {
			sendTopic(rb, ch.Name(), t)
		} else {
			rb.Numeric(ircmsg.RPL_NOTOPIC, ch.Name(), "No topic is set")
		}
		return
	}
	if s.topicLocked(c, ch.Name()) {
		replyTopicLocked(rb, ch.Name())
		return
	}
	ev, err := s.Net.SetTopic(c.User, name, m.Params[1])
	if err != nil {
		replyError(rb, err)
		return
	}
	rb.AddEvent(ev)
}

func handleNames(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	if len(m.Params) == 0 || m.Params[0] == "" {
		rb.Numeric(ircmsg.RPL_ENDOFNAMES, "*", "End of /NAMES list")
		return
	}
	for _, name := range splitList(m.Params[0]) {
		ch := s.Net.FindChannel(name)
		if ch == nil {
			rb.Numeric(ircmsg.RPL_ENDOFNAMES, name, "End of /NAMES list")
			continue
		}
		s.sendNames(c, rb, ch)
	}
}

func handleInvite(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	nick, name := m.Params[0], m.Params[1]
	ev, err := s.Net.Invite(c.User, nick, name)
	if err != nil {
		replyError(rb, err)
		return
	}
	rb.Numeric(ircmsg.RPL_INVITING, ev.Target, ev.Params[0])
	if away := s.Net.FindUser(nick); away != nil {
		if text := away.Away(); text != "" {
			rb.Numeric(ircmsg.RPL_AWAY, away.Nick(), text)
		}
	}
}

func handleKick(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	channels := splitList(m.Params[0])
	victims := splitList(m.Params[1])
	if len(channels) == 0 || len(victims) == 0 {
		rb.Numeric(ircmsg.ERR_NEEDMOREPARAMS, "KICK", "Not enough parameters")
		return
	}
	reason := m.Param(2)
	if reason == "" {
		reason = c.User.Nick()
	}
	for i, victim := range victims {
		name := channels[0]
		if len(channels) == len(victims) {
			name = channels[i]
		}
		ev, err := s.Net.Kick(c.User, name, victim, reason)
		if err != nil {
			replyError(rb, err)
			continue
		}
		rb.AddEvent(ev)
	}
}
