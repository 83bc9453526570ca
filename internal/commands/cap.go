package commands

import (
	"strconv"
	"strings"

	"github.com/parleychat/parley/internal/ircmsg"
)

func init() {
	register("CAP", Command{Handler: handleCap, MinParams: 1, PreReg: true})
}

// handleCap implements CAP LS/LIST/REQ/END (IRCv3 capability negotiation, version 302). CAP works
// after registration too; only LS and REQ before registration hold registration until CAP END.
func handleCap(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	sub := strings.ToUpper(m.Params[0])
	switch sub {
	case "LS":
		if !c.registered {
			c.capBlocking = true
		}
		if len(m.Params) > 1 {
			if v, err := strconv.Atoi(m.Params[1]); err == nil && int32(v) > c.capVersion.Load() {
				c.capVersion.Store(int32(v))
			}
		}
		if c.capVersion.Load() >= 302 {
			// CAP LS 302 implies cap-notify (IRCv3 cap-notify "Implicit vs explicit support").
			c.caps.update(func(cs CapSet) CapSet { return cs.With(CapCapNotify) })
		}
		s.capList(c, rb, "LS", s.advertised(c.Secure, c.capVersion.Load() >= 302))
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
		s.capReq(c, rb, m.Param(1))
	case "END":
		if !c.registered {
			c.capBlocking = false
			s.tryRegister(c, rb)
		}
	default:
		rb.Numeric(ircmsg.ERR_INVALIDCAPCMD, m.Params[0], "Invalid CAP command")
	}
}

// advertised returns the CAP LS entries for a client on a secure or plain connection, with values
// for 302 clients ("name=value").
func (s *Server) advertised(secure, values bool) []string {
	out := make([]string, 0, len(capTable))
	for _, ci := range capTable {
		entry := ci.name
		if ci.offer != nil {
			v, ok := ci.offer(s, secure)
			if !ok {
				continue
			}
			if values && v != "" {
				entry += "=" + v
			}
		}
		out = append(out, entry)
	}
	return out
}

// capLineMax bounds the capability list of one CAP line, so that with the source, the nick and the
// "CAP * LS * :" words the line stays within 512 bytes.
const capLineMax = 400

// capList sends entries, split over several lines when they do not fit in one. For 302 clients every
// line but the last carries "*" before the list (IRCv3 capability negotiation, "Multiline replies");
// older clients get the lines as they come.
func (s *Server) capList(c *Client, rb *ReplyBuffer, sub string, entries []string) {
	lines := packWords(entries, capLineMax)
	for i, l := range lines {
		if i < len(lines)-1 && c.capVersion.Load() >= 302 {
			rb.Add("CAP", c.Nick(), sub, "*", l)
		} else {
			rb.Add("CAP", c.Nick(), sub, l)
		}
	}
}

// packWords joins words with spaces into lines of at most max bytes (a longer word gets a line of
// its own). It always returns at least one line, possibly empty.
func packWords(words []string, max int) []string {
	var lines []string
	var cur strings.Builder
	for _, w := range words {
		if cur.Len() > 0 && cur.Len()+1+len(w) > max {
			lines = append(lines, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(w)
	}
	return append(lines, cur.String())
}

// capReq applies a REQ atomically: all of it is acknowledged, or none of it (NAK). Unknown names,
// capabilities not offered on this connection, fixed ones (sts) and disabling cap-notify after
// CAP LS 302 make the whole request fail.
func (s *Server) capReq(c *Client, rb *ReplyBuffer, list string) {
	if strings.TrimSpace(list) == "" {
		rb.Add("CAP", c.Nick(), "NAK", list)
		return
	}
	var add, remove CapSet
	for _, item := range strings.Fields(list) {
		off := strings.HasPrefix(item, "-")
		ci, ok := capByName(strings.TrimPrefix(item, "-"))
		if ok && ci.offer != nil {
			_, ok = ci.offer(s, c.Secure)
		}
		if !ok || ci.fixed || (off && ci.cap == CapCapNotify && c.capVersion.Load() >= 302) {
			rb.Add("CAP", c.Nick(), "NAK", list)
			return
		}
		if off {
			remove = remove.With(ci.cap)
			add = add.Without(ci.cap)
		} else {
			add = add.With(ci.cap)
			remove = remove.Without(ci.cap)
		}
	}
	had := c.caps.load()
	c.caps.update(func(cs CapSet) CapSet { return (cs &^ remove) | add })
	rb.Add("CAP", c.Nick(), "ACK", list)
	if add.Has(CapMetadata) && !had.Has(CapMetadata) && c.registered {
		s.sendOwnMetadata(c, rb) // before registration, the welcome burst sends it
	}
}
