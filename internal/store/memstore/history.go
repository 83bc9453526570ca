package memstore

import (
	"context"
	"sync"
	"time"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/histindex"
)

// History is an in-memory store.History (with store.Redactor and store.Searcher): for tests, and
// the reference the history contract holds the JetStream store to. Safe for concurrent use.
type History struct {
	x      *histindex.Index
	maxAge time.Duration

	mu     sync.RWMutex // guards events, next, closed; taken before the index lock, never inside it
	events map[histindex.Ref]*model.Event
	next   histindex.Ref
	closed bool
}

var (
	_ store.History  = (*History)(nil)
	_ store.Redactor = (*History)(nil)
	_ store.Searcher = (*History)(nil)
)

// NewHistory returns an empty history that folds names with fold, keeps at most maxPer messages
// per target (0: no limit) and hides messages older than maxAge (0: forever).
func NewHistory(fold store.Fold, maxPer int, maxAge time.Duration) *History {
	return &History{x: histindex.New(fold, maxPer), maxAge: maxAge, events: map[histindex.Ref]*model.Event{}}
}

// Append stores the entries; they are "durable" at once. Safe for concurrent use.
func (h *History) Append(ctx context.Context, entries []store.Entry) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return errClosed
	}
	for _, e := range entries {
		if e.Event == nil || e.Target.Name == "" {
			return store.ErrInvalid
		}
		h.next++
		h.events[h.next] = e.Event
		for _, r := range h.x.Add(e.Target, store.KeyOf(e.Event), h.next, histindex.DocOf(e.Event)) {
			delete(h.events, r)
		}
	}
	return nil
}

// resolve turns refs into events, skipping any that expired. Safe for concurrent use.
func (h *History) resolve(refs []histindex.Ref, err error) ([]*model.Event, error) {
	if err != nil {
		return nil, err
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.closed {
		return nil, errClosed
	}
	var cutoff time.Time
	if h.maxAge > 0 {
		cutoff = time.Now().Add(-h.maxAge)
	}
	out := make([]*model.Event, 0, len(refs))
	for _, r := range refs {
		if ev := h.events[r]; ev != nil && (cutoff.IsZero() || ev.Time.After(cutoff)) {
			out = append(out, ev)
		}
	}
	return out, nil
}

// Latest implements store.History. Safe for concurrent use.
func (h *History) Latest(ctx context.Context, t store.Target, after store.Bound, limit int) ([]*model.Event, error) {
	return h.resolve(h.x.Latest(t, after, limit))
}

// Before implements store.History. Safe for concurrent use.
func (h *History) Before(ctx context.Context, t store.Target, b store.Bound, limit int) ([]*model.Event, error) {
	return h.resolve(h.x.Before(t, b, limit))
}

// After implements store.History. Safe for concurrent use.
func (h *History) After(ctx context.Context, t store.Target, b store.Bound, limit int) ([]*model.Event, error) {
	return h.resolve(h.x.After(t, b, limit))
}

// Around implements store.History. Safe for concurrent use.
func (h *History) Around(ctx context.Context, t store.Target, b store.Bound, limit int) ([]*model.Event, error) {
	return h.resolve(h.x.AroundBound(t, b, limit))
}

// Between implements store.History. Safe for concurrent use.
func (h *History) Between(ctx context.Context, t store.Target, from, to store.Bound, limit int) ([]*model.Event, error) {
	return h.resolve(h.x.Between(t, from, to, limit))
}

// Targets implements store.History. Safe for concurrent use.
func (h *History) Targets(ctx context.Context, account string, channels []string, from, to time.Time, limit int) ([]store.TargetInfo, error) {
	if h.maxAge > 0 {
		if c := time.Now().Add(-h.maxAge); from.Before(c) {
			from = c
		}
	}
	return h.x.Targets(account, channels, from, to, limit), nil
}

// DeleteAccount implements store.History. Safe for concurrent use.
func (h *History) DeleteAccount(ctx context.Context, account string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range h.x.DropAccount(account) {
		delete(h.events, r)
	}
	return nil
}

// Redact implements store.Redactor. Safe for concurrent use.
func (h *History) Redact(ctx context.Context, t store.Target, msgid string) (*model.Event, error) {
	k, err := store.Bound{MsgID: msgid}.Lower()
	if err != nil {
		return nil, store.ErrNotFound
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	r, ok := h.x.Remove(t, k)
	if !ok {
		return nil, store.ErrNotFound
	}
	ev := h.events[r]
	delete(h.events, r)
	return ev, nil
}

// Search implements store.Searcher. Safe for concurrent use.
func (h *History) Search(ctx context.Context, q store.SearchQuery) ([]*model.Event, error) {
	return h.resolve(h.x.Search(q), nil)
}

// Close makes later calls fail. Safe to call more than once.
func (h *History) Close() error {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	return nil
}
