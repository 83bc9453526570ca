package commands

import (
	"unicode/utf8"

	"github.com/parleychat/parley/internal/ircmsg"
)

func init() {
	register("SETNAME", Command{Handler: handleSetname, MinParams: 1})
}

// handleSetname changes the client's realname (IRCv3 setname). A realname that is empty, longer than
// NAMELEN or not UTF-8 is refused with FAIL SETNAME INVALID_REALNAME rather than cut, so the client
// knows what others see. The client's own SETNAME comes back only with the capability.
func handleSetname(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	name := m.Params[0]
	max := s.Net.Settings().RealnameLen
	if name == "" || (max > 0 && len(name) > max) || !utf8.ValidString(name) {
		rb.Fail("SETNAME", "INVALID_REALNAME", "Realname is not valid")
		return
	}
	ev := s.Net.SetRealname(c.User, name)
	if c.Has(CapSetname) {
		rb.AddEvent(ev)
	}
}
