package jshistory

import (
	"context"
	"time"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/histindex"
)

// read turns a target's refs into events.
func (h *History) read(ctx context.Context, t store.Target, refs []histindex.Ref, err error) ([]*model.Event, error) {
	if err != nil || len(refs) == 0 {
		return nil, err
	}
	evs, err := h.fetchEach(ctx, refs)
	if err != nil {
		return nil, err
	}
	return h.keep(evs), nil
}

// Latest implements store.History. Safe for concurrent use.
func (h *History) Latest(ctx context.Context, t store.Target, after store.Bound, limit int) ([]*model.Event, error) {
	refs, err := h.x.Latest(t, after, limit)
	return h.read(ctx, t, refs, err)
}

// Before implements store.History. Safe for concurrent use.
func (h *History) Before(ctx context.Context, t store.Target, b store.Bound, limit int) ([]*model.Event, error) {
	refs, err := h.x.Before(t, b, limit)
	return h.read(ctx, t, refs, err)
}

// After implements store.History. Safe for concurrent use.
func (h *History) After(ctx context.Context, t store.Target, b store.Bound, limit int) ([]*model.Event, error) {
	refs, err := h.x.After(t, b, limit)
	return h.read(ctx, t, refs, err)
}

// Around implements store.History. Safe for concurrent use.
func (h *History) Around(ctx context.Context, t store.Target, b store.Bound, limit int) ([]*model.Event, error) {
	refs, err := h.x.AroundBound(t, b, limit)
	return h.read(ctx, t, refs, err)
}

// Between implements store.History. Safe for concurrent use.
func (h *History) Between(ctx context.Context, t store.Target, from, to store.Bound, limit int) ([]*model.Event, error) {
	refs, err := h.x.Between(t, from, to, limit)
	return h.read(ctx, t, refs, err)
}

// Targets implements store.History. Safe for concurrent use.
func (h *History) Targets(ctx context.Context, account string, channels []string, from, to time.Time, limit int) ([]store.TargetInfo, error) {
	if c := h.cutoff(); !c.IsZero() && from.Before(c) {
		from = c
	}
	return h.x.Targets(account, channels, from, to, limit), nil
}

// Search implements store.Searcher from the in-memory word index. Safe for concurrent use.
func (h *History) Search(ctx context.Context, q store.SearchQuery) ([]*model.Event, error) {
	if c := h.cutoff(); !c.IsZero() && q.After.Before(c) {
		q.After = c
	}
	evs, err := h.fetchEach(ctx, h.x.Search(q))
	if err != nil {
		return nil, err
	}
	return h.keep(evs), nil
}
