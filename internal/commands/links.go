package commands

import (
	"github.com/parleychat/parley/internal/ircmsg"
)

func init() {
	register("LINKS", Command{Handler: handleLinks})
}

// handleLinks answers "LINKS [[<remote>] <mask>]" with the servers of the network matching mask
// (RPL_LINKS "<server> <server> :<hopcount> <info>", then RPL_ENDOFLINKS). Every node of a parley
// network serves the same network without links between servers, so this node is the one listed,
// at hop count 0. Safe to call on the client's reader goroutine only, like every handler.
func handleLinks(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	mask := "*"
	if len(m.Params) > 0 {
		mask = m.Params[len(m.Params)-1]
	}
	if len(m.Params) > 1 && !s.Net.Casemap().Match(m.Params[0], s.Name()) {
		rb.Numeric(ircmsg.ERR_NOSUCHSERVER, m.Params[0], "No such server")
		return
	}
	if s.Net.Casemap().Match(mask, s.Name()) {
		rb.Numeric(ircmsg.RPL_LINKS, s.Name(), s.Name(), "0 "+s.Config().Info)
	}
	rb.Numeric(ircmsg.RPL_ENDOFLINKS, mask, "End of /LINKS list")
}
