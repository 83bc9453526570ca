package jshistory

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/nats-io/nats.go"

	"github.com/parleychat/parley/internal/store"
)

// A channel rename (draft/channel-rename) moves the channel's history in the index and records an
// alias in the stream, on parley.<network>.hist.rename.<old name>, so that the start-up scan moves
// the history again at the same point of the stream: messages stored under the old name before
// the rename belong to the new name; messages stored under the old name after it belong to
// whatever channel took the name later. The stored messages themselves are not rewritten: moving
// a million-message channel would mean republishing a million messages.

// renameRecord is the alias record: folded channel names.
type renameRecord struct {
	Kind string `json:"kind"` // "RENAME"
	From string `json:"from"`
	To   string `json:"to"`
}

func (s subjects) rename(from string) string { return s.prefix + "rename." + encodeToken(from) }

// RenameChannel moves the history of channel from to channel to and records the move in the
// stream; it returns once the record is stored. Names differing only in case are one channel:
// nothing is recorded. Safe for concurrent use.
func (h *History) RenameChannel(ctx context.Context, from, to string) error {
	from, to = h.opt.Fold(from), h.opt.Fold(to)
	if from == to || from == "" || to == "" {
		return nil
	}
	op := h.beginOwn()
	defer op.end()
	h.x.Rename(store.Channel(from), store.Channel(to))
	data, err := json.Marshal(renameRecord{Kind: "RENAME", From: from, To: to})
	if err != nil {
		op.doubt("a rename was not recorded")
		return err
	}
	fut, err := h.js.PublishMsgAsync(&nats.Msg{Subject: h.subj.rename(from), Data: data})
	if err != nil {
		op.doubt("a rename was not recorded")
		return fmt.Errorf("history rename: %w", err)
	}
	select {
	case ack := <-fut.Ok():
		// This node's follower meets the record too and moves what reached the old name
		// before it (deliveries in flight now); without one (Solo), the rename does.
		op.renamed(from, to, ack.Sequence)
		return nil
	case err := <-fut.Err():
		op.doubt("a rename record's acknowledgement failed")
		return fmt.Errorf("history rename: %w", err)
	case <-ctx.Done():
		op.doubt("a rename record's acknowledgement was not awaited")
		return ctx.Err()
	}
}

// applyRename replays an alias record stored at seq, read by the scan or the follower: only what
// was stored under the old name before it moves.
func (h *History) applyRename(seq uint64, data []byte) {
	var r renameRecord
	if err := json.Unmarshal(data, &r); err != nil || r.Kind != "RENAME" || r.From == "" || r.To == "" {
		h.log.Warn("history: unreadable rename record skipped", "err", err)
		return
	}
	h.x.RenameBefore(store.Channel(r.From), store.Channel(r.To), seq)
}
