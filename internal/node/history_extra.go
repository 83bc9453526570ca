package node

import (
	"context"
	"time"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// historySnapshotFile is the history index snapshot in the data directory (see docs/history.md).
const historySnapshotFile = "history-index.snap"

// renameTimeout bounds the wait for the rename record; the rename itself already happened.
const renameTimeout = 5 * time.Second

// historyRenamed is core's rename hook: the channel's history follows it to the new name. Core
// calls it with no lock held, once the channel moved.
func (n *Node) historyRenamed(_, _, oldName, newName string) {
	ctx, cancel := context.WithTimeout(context.Background(), renameTimeout)
	defer cancel()
	if err := n.history.RenameChannel(ctx, oldName, newName); err != nil {
		// The index moved already; without the record a restart finds the history under the
		// old name again.
		n.log.Warn("history: rename not recorded", "from", oldName, "to", newName, "err", err)
	}
}

// ReplayOnJoin is history.replay_on_join: how many messages a client without draft/chathistory
// gets after joining a channel (0: none). Safe for concurrent use.
func (h *nodeHistory) ReplayOnJoin() int { return h.replay }

// Search implements store.Searcher for the API's search endpoint. Safe for concurrent use.
func (a apiHistory) Search(ctx context.Context, q store.SearchQuery) ([]*model.Event, error) {
	return a.h.History.Search(ctx, q)
}
