package commands

import (
	"github.com/parleychat/parley/internal/ircmsg"
)

func init() {
	register("ISUPPORT", Command{Handler: handleISupport, PreReg: true})
}

// handleISupport answers the ISUPPORT command of draft/extended-isupport: the RPL_ISUPPORT tokens,
// in a draft/isupport batch for clients with batch. Before registration only clients that
// negotiated the capability may ask (that is what the capability is for).
func handleISupport(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	if !c.registered && !c.Has(CapExtendedISupport) {
		rb.Numeric(ircmsg.ERR_NOTREGISTERED, "You have not registered")
		return
	}
	rb.wrapBatch("draft/isupport", func() { s.sendISupport(c, rb) })
}
