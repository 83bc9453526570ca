package commands

import (
	"context"

	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/store"
)

// joinReplayer is the history's history.replay_on_join setting, found on the node's history by
// type assertion.
type joinReplayer interface{ ReplayOnJoin() int }

// replayOnJoin sends a client that cannot ask for history (no draft/chathistory) the channel's
// last messages after its JOIN burst (issue 4, history.replay_on_join): in a chathistory batch
// when it has batch, with server-time and msgid tags as negotiated. Clients with
// draft/chathistory get nothing: they ask for what they want.
func (s *Server) replayOnJoin(c *Client, rb *ReplyBuffer, ch *core.Channel) {
	r, ok := s.Net.History().(joinReplayer)
	h := s.history()
	if !ok || h == nil || c.Has(CapChatHistory) {
		return
	}
	n := r.ReplayOnJoin() // config bounds it (0 to 1000)
	if n <= 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), historyTimeout)
	defer cancel()
	evs, err := h.Latest(ctx, store.Channel(ch.Name()).OnlyMessages(), store.Bound{}, n)
	if err != nil || len(evs) == 0 {
		return // the join itself succeeded; missing replay is not worth an error
	}
	replayBatch(c, rb, "chathistory", ch.Name(), evs)
}
