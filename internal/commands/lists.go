package commands

import (
	"strconv"

	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/ircmsg"
)

// listNumerics are the entry and end numerics of each list mode (modern.ircdocs.horse: RPL_BANLIST,
// RPL_EXCEPTLIST, RPL_INVEXLIST and their ends).
var listNumerics = map[byte]struct{ entry, end, text string }{
	'b': {ircmsg.RPL_BANLIST, ircmsg.RPL_ENDOFBANLIST, "End of channel ban list"},
	'e': {ircmsg.RPL_EXCEPTLIST, ircmsg.RPL_ENDOFEXCEPTLIST, "End of channel exception list"},
	'I': {ircmsg.RPL_INVEXLIST, ircmsg.RPL_ENDOFINVEXLIST, "End of channel invite exception list"},
}

// sendListMode answers "MODE #channel b|e|I": the entries, then the end of the list.
func sendListMode(rb *ReplyBuffer, ch *core.Channel, mode byte) {
	nums, ok := listNumerics[mode]
	if !ok {
		return
	}
	for _, e := range ch.List(mode) {
		rb.Numeric(nums.entry, ch.Name(), e.Mask, e.SetBy, strconv.FormatInt(e.SetAt.Unix(), 10))
	}
	rb.Numeric(nums.end, ch.Name(), nums.text)
}
