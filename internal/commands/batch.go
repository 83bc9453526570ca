package commands

import (
	"strconv"

	"github.com/parleychat/parley/internal/ircmsg"
)

// wrapBatch runs fill and, when the client negotiated batch, wraps the lines it added in a BATCH of
// the given type (IRCv3 batch). A batch that is the whole reply takes the label itself, as
// labeled-response allows. Reader goroutine only, like the ReplyBuffer.
func (rb *ReplyBuffer) wrapBatch(typ string, fill func()) {
	if !rb.c.Has(CapBatch) {
		fill()
		return
	}
	ref := "B" + strconv.FormatUint(batchSeq.Add(1), 36)
	start := len(rb.msgs)
	rb.Add("BATCH", "+"+ref, typ)
	fill()
	for i := start + 1; i < len(rb.msgs); i++ {
		rb.msgs[i].Tags = append(rb.msgs[i].Tags, ircmsg.Tag{Key: "batch", Value: ref})
	}
	rb.Add("BATCH", "-"+ref)
	if start == 0 {
		rb.batchLen = len(rb.msgs)
	}
}
