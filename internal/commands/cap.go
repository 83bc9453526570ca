package commands

import (
	"strconv"
	"strings"

	"github.com/parleychat/parley/internal/ircmsg"
)

func init() {
	register("CAP", Command{Handler: handleCap, MinParams: 1, PreReg: true})
}

// handleCap implements CAP LS/LIST/REQ/END (IRCv3 capability negotiation, version 302).
func handleCap(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	sub := strings.ToUpper(m.Params[0])
	switch sub {
	case "LS":
		if !c.registered {
			c.capBlocking = true
		}
		if len(m.Params) > 1 {
			if v, err := strconv.Atoi(m.Params[1]); err == nil && v > c.capVersion {
				c.capVersion = v
			}
		}
		if c.capVersion >= 302 {
			// CAP LS 302 implies cap-notify (IRCv3 capability negotiation).
			c.caps.store(c.caps.load().With(CapCapNotify))
		}
		s.capList(c, rb, "LS", s.advertised(c.capVersion >= 302))
	case "LIST":
		var names []string
		caps := c.caps.load()
		for _, ci := range capTable {
			if caps.Has(ci.cap) {
				names = append(names, ci.name)
			}
		}
		s.capList(c, rb, "LIST", names)
	case "REQ":
		if !c.registered {
			c.capBlocking = true
		}
		capReq(c, rb, m.Param(1))
	case "END":
		if !c.registered {
			c.capBlocking = false
			s.tryRegister(c, rb)
		}
	default:
		rb.Numeric(ircmsg.ERR_INVALIDCAPCMD, m.Params[0], "Invalid CAP command")
	}
}

// advertised returns the CAP LS entries, with values for 302 clients.
func (s *Server) advertised(values bool) []string {
	out := make([]string, 0, len(capTable))
	for _, ci := range capTable {
		entry := ci.name
		if values && ci.value != nil {
			if v := ci.value(s); v != "" {
				entry += "=" + v
			}
		}
		out = append(out, entry)
	}
	return out
}

// capList sends entries, split over several lines ("CAP * LS * :...") when they do not fit in one.
func (s *Server) capList(c *Client, rb *ReplyBuffer, sub string, entries []string) {
	const maxLen = 400
	var lines []string
	cur := ""
	for _, e := range entries {
		if cur != "" && len(cur)+1+len(e) > maxLen {
			lines = append(lines, cur)
			cur = ""
		}
		if cur != "" {
			cur += " "
		}
		cur += e
	}
	lines = append(lines, cur)
	for i, l := range lines {
		if i < len(lines)-1 && c.capVersion >= 302 {
			rb.Add("CAP", c.Nick(), sub, "*", l)
		} else {
			rb.Add("CAP", c.Nick(), sub, l)
		}
	}
}

// capReq applies a REQ atomically: all of it is acknowledged, or none of it (NAK).
func capReq(c *Client, rb *ReplyBuffer, list string) {
	caps := c.caps.load()
	for _, item := range strings.Fields(list) {
		remove := strings.HasPrefix(item, "-")
		ci, ok := capByName(strings.TrimPrefix(item, "-"))
		if !ok || (remove && ci.cap == CapCapNotify && c.capVersion >= 302) {
			rb.Add("CAP", c.Nick(), "NAK", list)
			return
		}
		if remove {
			caps = caps.Without(ci.cap)
		} else {
			caps = caps.With(ci.cap)
		}
	}
	c.caps.store(caps)
	rb.Add("CAP", c.Nick(), "ACK", list)
}
