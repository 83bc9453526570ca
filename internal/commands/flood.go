package commands

import (
	"strconv"

	"github.com/parleychat/parley/internal/ircmsg"
)

// ERR_NICKTOOFAST is the reply hybrid, ratbox and solanum send for nick changes past the limit:
// "<client> <nick> :Nick change too fast. Please wait <n> seconds". The nick change is refused
// rather than delayed, so the client knows at once that its nick did not change.
const ERR_NICKTOOFAST = "438"

// RejectNickTooFast answers a NICK that flood control refused; retryIn is in seconds. The reply
// goes through a ReplyBuffer, so it carries the line's label. Processor goroutine of c only.
func (s *Server) RejectNickTooFast(c *Client, m *ircmsg.Message, retryIn int) {
	label, _ := m.Tag("label")
	rb := newReplyBuffer(c, label)
	rb.Numeric(ERR_NICKTOOFAST, m.Param(0), "Nick change too fast. Please wait "+strconv.Itoa(max(retryIn, 1))+" seconds")
	rb.Flush()
}
