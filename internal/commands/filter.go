package commands

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/model"
)

// Filter actions (config filters[].action).
const (
	FilterBlock = "block" // drop the message, tell the sender
	FilterWarn  = "warn"  // deliver it, tell the opers
	FilterKill  = "kill"  // drop it and disconnect the sender
)

// Filter is a compiled spam filter. Pattern is RE2, so matching is linear in the text.
type Filter struct {
	Name     string
	Pattern  *regexp.Regexp
	Action   string
	Channels bool // applies to messages to channels
	Private  bool // applies to messages to nicks
	Reason   string
}

// filterVerdict is what the filters decided for one target.
type filterVerdict struct {
	filter *Filter // nil: no filter matched
}

// screen runs the filters over a PRIVMSG or NOTICE before anything is delivered, so a filtered
// message reaches no one and never enters history. It returns the targets that may still be
// delivered; killed means the sender was disconnected and nothing may be delivered at all.
// Processor goroutine of c only.
func (s *Server) screen(c *Client, m *ircmsg.Message, kind model.Kind, targets []string, rb *ReplyBuffer) (allowed []string, killed bool) {
	filters := s.Config().Filters
	if len(filters) == 0 || kind == model.KindTagmsg {
		return targets, false
	}
	text := m.Param(1)
	verdicts := make([]filterVerdict, len(targets))
	for i, target := range targets {
		verdicts[i].filter = matchFilter(filters, target, text)
		if f := verdicts[i].filter; f != nil && f.Action == FilterKill {
			s.filterHit(c, f, target, text)
			c.quitting = true
			c.Close("Killed by " + s.Name() + ": " + killReason(f))
			return nil, true
		}
	}
	for i, target := range targets {
		f := verdicts[i].filter
		if f == nil {
			allowed = append(allowed, target)
			continue
		}
		s.filterHit(c, f, target, text)
		if f.Action == FilterWarn {
			allowed = append(allowed, target)
			continue
		}
		if kind == model.KindNotice {
			continue // NOTICE never gets an automatic reply (RFC 2812 3.3.2)
		}
		if isChannelTarget(target) {
			rb.Numeric(ircmsg.ERR_CANNOTSENDTOCHAN, target, "Cannot send to channel ("+blockReason(f)+")")
		} else {
			rb.Fail(m.Command, "MESSAGE_FILTERED", target, "Your message was not delivered: "+blockReason(f))
		}
	}
	return allowed, false
}

// matchFilter returns the first filter, in configuration order, that applies to target and
// matches text.
func matchFilter(filters []Filter, target, text string) *Filter {
	channel := isChannelTarget(target)
	for i := range filters {
		f := &filters[i]
		if (channel && !f.Channels) || (!channel && !f.Private) {
			continue
		}
		if f.Pattern.MatchString(text) {
			return f
		}
	}
	return nil
}

// isChannelTarget tells channels (also with a STATUSMSG prefix, "@#ops") from nicks.
func isChannelTarget(target string) bool {
	return core.IsChannelName(strings.TrimLeft(target, "~&@%+"))
}

func blockReason(f *Filter) string {
	if f.Reason != "" {
		return f.Reason
	}
	return "message filtered"
}

func killReason(f *Filter) string {
	if f.Reason != "" {
		return f.Reason
	}
	return "spam"
}

// filterNoticeText bounds the quoted message in oper notices so the notice fits in one line.
const filterNoticeText = 200

// filterHit counts a match and tells the local operators with +w, as a server NOTICE, which
// filter matched whom. Operators on other nodes are not told.
func (s *Server) filterHit(c *Client, f *Filter, target, text string) {
	cfg := s.Config()
	if cfg.OnFilterHit != nil {
		cfg.OnFilterHit(f.Name, f.Action, c.User.Nick())
	}
	if len(text) > filterNoticeText {
		text = cutUTF8(text, filterNoticeText) + "…"
	}
	note := "*** Filter " + f.Name + " (" + f.Action + ") matched " + c.User.Prefix().String() + " to " + target + ": " + text
	s.clients.Range(func(k, _ any) bool {
		oc := k.(*Client)
		if oc.User.IsOper() && oc.User.HasMode(core.UModeWallops) {
			line := ircmsg.Message{Source: cfg.ServerName, Command: "NOTICE", Params: []string{oc.User.Nick(), note}}
			oc.out.Write(line.Append(nil))
		}
		return true
	})
}

// cutUTF8 cuts s to at most n bytes without splitting a character.
func cutUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
