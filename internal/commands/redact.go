package commands

import (
	"context"
	"errors"

	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

func init() {
	register("REDACT", Command{Handler: handleRedact, MinParams: 2, Active: true})
}

func errorsIsNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// handleRedact serves draft/message-redaction: "REDACT <target> <msgid> [:<reason>]". The sender
// of a message (same account, or same nick when it had none) or a channel operator may redact it;
// it then vanishes from history and search, and the recipients with the capability are told.
func handleRedact(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	target, msgid := m.Params[0], m.Params[1]
	h := s.history()
	rd, ok := s.Net.History().(store.Redactor)
	if h == nil || !ok {
		rb.Fail("REDACT", "REDACT_FORBIDDEN", target, msgid, "This server keeps no history to redact")
		return
	}
	t, _, ok := s.historyTarget(c, target)
	if !ok {
		rb.Fail("REDACT", "INVALID_TARGET", target, "You cannot redact messages here")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), historyTimeout)
	defer cancel()
	var ev *model.Event
	if _, _, valid := model.ParseMsgID(msgid); valid {
		if evs, err := h.Around(ctx, t, store.Bound{MsgID: msgid}, 1); err == nil && len(evs) == 1 && evs[0].ID == msgid {
			ev = evs[0]
		}
	}
	if ev == nil || !ev.Kind.IsMessage() {
		rb.Fail("REDACT", "UNKNOWN_MSGID", target, msgid, "This message does not exist or is too old")
		return
	}
	if !s.mayRedact(c, t, ev) {
		rb.Fail("REDACT", "REDACT_FORBIDDEN", target, msgid, "You are not allowed to redact this message")
		return
	}
	if _, err := rd.Redact(ctx, t, msgid); err != nil && !errorsIsNotFound(err) {
		rb.Fail("REDACT", "REDACT_FORBIDDEN", target, msgid, "The message could not be redacted")
		return
	}
	params := []string{target, msgid}
	if reason := m.Param(2); reason != "" {
		params = append(params, reason)
	}
	line := ircmsg.Message{Source: c.User.Prefix().String(), Command: "REDACT", Params: params}
	if c.Has(CapRedaction) {
		rb.addMsg(line)
	}
	s.tellRedaction(c, t, ev, line)
}

// mayRedact: the sender, or an operator of the channel.
func (s *Server) mayRedact(c *Client, t store.Target, ev *model.Event) bool {
	cm := s.Net.Casemap()
	if acc := c.User.Account(); ev.Account != "" && acc != "" && cm.Equal(acc, ev.Account) {
		return true
	}
	if ev.Account == "" && cm.Equal(ev.Source.Nick, c.User.Nick()) {
		return true
	}
	if t.IsChannel() {
		if ch := s.Net.FindChannel(t.Name); ch != nil {
			mem, ok := ch.Membership(c.User)
			return ok && mem.Prefixes.AtLeast(model.Op)
		}
	}
	return false
}

// tellRedaction sends the REDACT to the local clients with the capability that could see the
// message: the channel's members, or the parties of a private conversation.
func (s *Server) tellRedaction(from *Client, t store.Target, ev *model.Event, line ircmsg.Message) {
	data := line.Append(nil)
	var ch *core.Channel
	if t.IsChannel() {
		ch = s.Net.FindChannel(t.Name)
	}
	cm := s.Net.Casemap()
	s.clients.Range(func(k, _ any) bool {
		o := k.(*Client)
		if o == from || !o.Has(CapRedaction) {
			return true
		}
		var sees bool
		if ch != nil {
			_, sees = ch.Membership(o.User)
		} else {
			nick := o.User.Nick()
			sees = cm.Equal(nick, ev.Target) || cm.Equal(nick, ev.Source.Nick)
		}
		if sees {
			o.out.Write(data)
		}
		return true
	})
}
