package jsstore

import (
	"context"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/store"
)

// AddBan implements store.Bans. Safe for concurrent use.
func (s *Store) AddBan(ctx context.Context, b store.Ban) (store.Ban, error) {
	if err := store.CheckBan(b); err != nil {
		return store.Ban{}, err
	}
	if b.ID == "" {
		b.ID = store.NewBanID()
	}
	if b.Created.IsZero() {
		b.Created = time.Now()
	}
	if _, err := s.bans.Create(ctx, encodeKey(b.ID), encode(toBanRecord(b))); err != nil {
		return store.Ban{}, mapErr(err)
	}
	return b, nil
}

// RemoveBan implements store.Bans. Safe for concurrent use.
func (s *Store) RemoveBan(ctx context.Context, id string) error {
	if id == "" {
		return store.ErrNotFound
	}
	e, err := s.bans.Get(ctx, encodeKey(id))
	if err != nil {
		return mapErr(err)
	}
	return deleteRev(ctx, s.bans, encodeKey(id), e.Revision())
}

// ListBans implements store.Bans. Safe for concurrent use.
func (s *Store) ListBans(ctx context.Context) ([]store.Ban, error) {
	entries, err := listValues(ctx, s.bans)
	if err != nil {
		return nil, err
	}
	out := make([]store.Ban, 0, len(entries))
	for _, e := range entries {
		b, err := decodeBan(e.Value())
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// WatchBans implements store.Bans. The watch also ends when the store closes. Safe for
// concurrent use.
func (s *Store) WatchBans(ctx context.Context) (<-chan store.BanEvent, error) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.done, cancel)
	w, err := s.bans.WatchAll(ctx)
	if err != nil {
		stop()
		cancel()
		return nil, err
	}
	out := make(chan store.BanEvent)
	s.watches.Add(1)
	go func() {
		defer s.watches.Done()
		defer close(out)
		defer cancel()
		defer stop()
		defer w.Stop()
		forwardBans(ctx, w.Updates(), out)
	}()
	return out, nil
}

// forwardBans turns KV entries into ban events until ctx ends or the watch closes. Before the
// nil entry that ends the initial values, deletions are skipped: the consumer never saw those
// bans.
func forwardBans(ctx context.Context, updates <-chan jetstream.KeyValueEntry, out chan<- store.BanEvent) {
	initial := true
	for {
		var e jetstream.KeyValueEntry
		select {
		case <-ctx.Done():
			return
		case u, ok := <-updates:
			if !ok {
				return
			}
			e = u
		}
		if e == nil {
			initial = false
			continue
		}
		ev, ok := banEvent(e, initial)
		if !ok {
			continue
		}
		select {
		case out <- ev:
		case <-ctx.Done():
			return
		}
	}
}

// banEvent converts one entry; ok is false for entries to skip (unreadable records, deletions
// during the initial values).
func banEvent(e jetstream.KeyValueEntry, initial bool) (store.BanEvent, bool) {
	if e.Operation() != jetstream.KeyValuePut {
		id, err := decodeKey(e.Key())
		if initial || err != nil {
			return store.BanEvent{}, false
		}
		return store.BanEvent{Op: store.BanRemoved, Ban: store.Ban{ID: id}}, true
	}
	b, err := decodeBan(e.Value())
	if err != nil {
		return store.BanEvent{}, false // a record from a newer version: not ours to enforce
	}
	return store.BanEvent{Op: store.BanAdded, Ban: b}, true
}
