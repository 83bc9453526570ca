package memstore

import (
	"context"
	"time"

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
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.Ban{}, errClosed
	}
	if _, ok := s.bans[b.ID]; ok {
		return store.Ban{}, store.ErrExists
	}
	s.bans[b.ID] = b
	s.notify(store.BanEvent{Op: store.BanAdded, Ban: b})
	return b, nil
}

// RemoveBan implements store.Bans. Safe for concurrent use.
func (s *Store) RemoveBan(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed
	}
	if _, ok := s.bans[id]; !ok {
		return store.ErrNotFound
	}
	delete(s.bans, id)
	s.notify(store.BanEvent{Op: store.BanRemoved, Ban: store.Ban{ID: id}})
	return nil
}

// ListBans implements store.Bans. Safe for concurrent use.
func (s *Store) ListBans(ctx context.Context) ([]store.Ban, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errClosed
	}
	return sortedValues(s.bans), nil
}

// WatchBans implements store.Bans. Safe for concurrent use.
func (s *Store) WatchBans(ctx context.Context) (<-chan store.BanEvent, error) {
	w := &watcher{wake: make(chan struct{}, 1)}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, errClosed
	}
	// Queue the current bans and register under one lock hold, so no change falls between them.
	for _, b := range sortedValues(s.bans) {
		w.push(store.BanEvent{Op: store.BanAdded, Ban: b})
	}
	s.watchers[w] = struct{}{}
	s.mu.Unlock()

	out := make(chan store.BanEvent)
	go func() {
		defer close(out)
		w.run(ctx, out)
		s.mu.Lock()
		delete(s.watchers, w)
		s.mu.Unlock()
	}()
	return out, nil
}

// notify queues ev for every watcher. s.mu is held; queuing never blocks.
func (s *Store) notify(ev store.BanEvent) {
	for w := range s.watchers {
		w.push(ev)
	}
}
