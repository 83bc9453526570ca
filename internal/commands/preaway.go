package commands

import (
	"github.com/parleychat/parley/internal/ircmsg"
)

// preAway handles AWAY before registration, which draft/pre-away allows: a bouncer or a client
// reconnecting in the background registers already away, so nobody sees it come back and leave
// again. The away state takes effect silently; the client gets no reply before it is registered.
func preAway(c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	if !c.Has(CapPreAway) {
		rb.Numeric(ircmsg.ERR_NOTREGISTERED, "You have not registered")
		return
	}
	text := m.Param(0)
	if text == "*" {
		// "AWAY *" means away without a message of the client's own (draft/pre-away).
		text = "Away"
	}
	c.User.SetPreAway(text)
}
