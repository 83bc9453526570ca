package node

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/parleychat/parley/internal/api"
	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/jshistory"
)

// nodeHistory is the history the node hands to core and the doors: the JetStream history, minus
// the channels whose registration opts out (ChanServ SET HISTORY OFF), plus the account store's
// read markers (draft/read-marker), so the doors find everything history-related in one place.
type nodeHistory struct {
	*jshistory.History
	regs    store.ChannelRegs // nil without accounts: no channel opts out
	markers store.ReadMarkers // nil without accounts
	fold    func(string) string
	replay  int      // history.replay_on_join
	optOut  sync.Map // folded channel -> optOutEntry: registrations change rarely, messages often
}

type optOutEntry struct {
	off bool
	at  time.Time
}

// optOutTTL is how long a channel's history setting is trusted before it is read again.
const optOutTTL = 30 * time.Second

// openHistory opens the history stream when history.enabled and hands it to core.
func (n *Node) openHistory(cfg *config.Config) error {
	if !cfg.History.Enabled {
		return nil
	}
	var h *jshistory.History
	err := retryClustered(cfg, n.log, "history", 5*time.Minute, func(ctx context.Context) (err error) { // the start-up scan reads everything
		h, err = jshistory.Open(ctx, n.state.js, jshistory.Options{
			Network: cfg.Server.Network, Fold: n.net.Fold, Replicas: storeReplicas(cfg),
			MaxAge: cfg.History.MaxAge.Duration(), MaxPerTarget: cfg.History.MaxPerTarget, Logger: n.log,
			SnapshotPath: filepath.Join(cfg.DataDir, historySnapshotFile),
			// A single node is the only writer of its history: it follows nothing.
			Solo: !clustered(cfg),
		})
		return err
	})
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	nh := &nodeHistory{History: h, fold: n.net.Fold, replay: cfg.History.ReplayOnJoin}
	if n.accounts != nil {
		nh.regs, nh.markers = n.accounts.store, n.accounts.store
	}
	n.history = nh
	n.net.SetHistory(nh)
	n.net.SetRenameHook(n.historyRenamed)
	return nil
}

// closeHistory detaches the history from core and stops its background work.
func (n *Node) closeHistory() {
	if n.history == nil {
		return
	}
	n.net.SetHistory(nil)
	n.history.Close()
}

// off reports whether a channel's registration turned history off.
func (h *nodeHistory) off(channel string) bool {
	if h.regs == nil {
		return false
	}
	key := h.fold(channel)
	if e, ok := h.optOut.Load(key); ok && time.Since(e.(optOutEntry).at) < optOutTTL {
		return e.(optOutEntry).off
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	reg, err := h.regs.Channel(ctx, channel)
	off := err == nil && reg.HistoryOff
	h.optOut.Store(key, optOutEntry{off: off, at: time.Now()})
	return off
}

// keep drops the entries of opted-out channels.
func (h *nodeHistory) keep(entries []store.Entry) []store.Entry {
	out := entries[:0:0]
	for _, e := range entries {
		if !e.Target.IsChannel() || !h.off(e.Target.Name) {
			out = append(out, e)
		}
	}
	return out
}

// Append implements core.History. Safe for concurrent use.
func (h *nodeHistory) Append(ctx context.Context, entries []store.Entry) error {
	if entries = h.keep(entries); len(entries) == 0 {
		return nil
	}
	return h.History.Append(ctx, entries)
}

// Record implements core.History. It may be called with a channel lock held: a cached opt-out
// lookup is cheap, a missing one reads the registration once (bounded by a second).
func (h *nodeHistory) Record(entries []store.Entry) {
	if entries = h.keep(entries); len(entries) > 0 {
		h.History.Record(entries)
	}
}

// SetReadMarker implements store.ReadMarkers through the account store. Safe for concurrent use.
func (h *nodeHistory) SetReadMarker(ctx context.Context, account, target string, t time.Time) (time.Time, error) {
	if h.markers == nil {
		return time.Time{}, store.ErrNotFound
	}
	return h.markers.SetReadMarker(ctx, account, target, t)
}

// ReadMarker implements store.ReadMarkers through the account store. Safe for concurrent use.
func (h *nodeHistory) ReadMarker(ctx context.Context, account, target string) (time.Time, error) {
	if h.markers == nil {
		return time.Time{}, store.ErrNotFound
	}
	return h.markers.ReadMarker(ctx, account, target)
}

// apiHistory is what the JSON API reads: a channel's messages (events are not part of it).
type apiHistory struct{ h *nodeHistory }

// Before implements api.History. Safe for concurrent use.
func (a apiHistory) Before(ctx context.Context, target string, t time.Time, limit int) ([]*model.Event, error) {
	evs, err := a.h.History.Before(ctx, store.Channel(target), store.Bound{Time: t}, limit)
	return messagesOnly(evs), err
}

// After implements api.History. Safe for concurrent use.
func (a apiHistory) After(ctx context.Context, target string, t time.Time, limit int) ([]*model.Event, error) {
	evs, err := a.h.History.After(ctx, store.Channel(target), store.Bound{Time: t}, limit)
	return messagesOnly(evs), err
}

func messagesOnly(evs []*model.Event) []*model.Event {
	out := evs[:0]
	for _, ev := range evs {
		if ev.Kind.IsMessage() {
			out = append(out, ev)
		}
	}
	return out
}

// apiHistory returns the API's view of the history, nil (the API answers 501) when there is none.
func (n *Node) apiHistory() api.History {
	if n.history == nil {
		return nil
	}
	return apiHistory{n.history}
}
