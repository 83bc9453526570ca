package commands

import (
	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/model"
)

func init() {
	register("PRIVMSG", Command{Handler: handleMessage(model.KindPrivmsg), Active: true})
	register("NOTICE", Command{Handler: handleMessage(model.KindNotice), Active: true})
	register("TAGMSG", Command{Handler: handleMessage(model.KindTagmsg), MinParams: 1, Active: true})
	register("AWAY", Command{Handler: handleAway, PreReg: true}) // before registration: draft/pre-away
}

// handleMessage returns the handler for PRIVMSG, NOTICE and TAGMSG. NOTICE never triggers an
// automatic reply (RFC 2812 3.3.2), so its errors are dropped.
func handleMessage(kind model.Kind) Handler {
	return func(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
		notice := kind == model.KindNotice
		if len(m.Params) == 0 || m.Params[0] == "" {
			if !notice {
				rb.Numeric(ircmsg.ERR_NORECIPIENT, "No recipient given ("+m.Command+")")
			}
			return
		}
		if kind != model.KindTagmsg && (len(m.Params) < 2 || m.Params[1] == "") {
			if !notice {
				rb.Numeric(ircmsg.ERR_NOTEXTTOSEND, "No text to send")
			}
			return
		}
		targets := splitList(m.Params[0])
		if len(targets) > s.Config().MaxTargets {
			if !notice {
				rb.Numeric(ircmsg.ERR_TOOMANYTARGETS, m.Params[0], "Too many recipients")
			}
			return
		}
		targets, killed := s.screen(c, m, kind, targets, rb) // spam filters, before any delivery
		if killed {
			return
		}
		tags := clientTags(m.Tags)
		for _, target := range targets {
			if sv := s.serviceNamed(target); sv != nil {
				if kind == model.KindPrivmsg {
					s.runService(sv, c, rb, m.Param(1))
				}
				continue
			}
			res, err := s.Net.Say(c.User, core.Message{Kind: kind, Target: target, Text: m.Param(1), Tags: tags})
			if err != nil {
				if !notice {
					replyError(rb, err)
				}
				continue
			}
			if res.Away != "" && kind == model.KindPrivmsg {
				rb.Numeric(ircmsg.RPL_AWAY, res.To.Nick(), res.Away)
			}
			// IRCv3 echo-message; a TAGMSG echo only makes sense to a client that knows TAGMSG.
			if c.Has(CapEchoMessage) && (kind != model.KindTagmsg || c.Has(CapMessageTags)) {
				rb.AddEvent(res.Event)
			}
			rb.WaitStored(res.Stored)
		}
	}
}

// clientTags keeps the client-only tags ('+' prefix) of an incoming message, which the server relays
// (IRCv3 message-tags); every other tag is the server's to set.
func clientTags(tags []ircmsg.Tag) []model.Tag {
	var out []model.Tag
	for _, t := range tags {
		if len(t.Key) > 1 && t.Key[0] == '+' {
			out = append(out, model.Tag{Key: t.Key, Value: t.Value})
		}
	}
	return out
}

func handleAway(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	if !c.registered {
		preAway(c, m, rb)
		return
	}
	text := m.Param(0)
	s.Net.SetAway(c.User, text)
	if text == "" {
		rb.Numeric(ircmsg.RPL_UNAWAY, "You are no longer marked as being away")
	} else {
		rb.Numeric(ircmsg.RPL_NOWAWAY, "You have been marked as being away")
	}
}
