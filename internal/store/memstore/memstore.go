// Package memstore keeps parley's state in memory: for unit tests, and as the reference the
// store contract tests hold every implementation to. Nothing survives the process.
package memstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/parleychat/parley/internal/store"
)

var errClosed = errors.New("memstore: closed")

// Store is an in-memory store.Store. It is safe for concurrent use.
type Store struct {
	fold store.Fold

	mu       sync.Mutex // guards everything below; never held while sending to a watcher
	closed   bool
	rev      uint64                      // last revision handed out
	accounts map[string]store.Account    // folded name -> account
	certfps  map[string]string           // certfp -> folded account name
	channels map[string]store.ChannelReg // folded name -> registration
	bans     map[string]store.Ban        // ID -> ban
	markers  map[[2]string]time.Time     // folded account, folded target -> time
	watchers map[*watcher]struct{}
}

var _ store.Store = (*Store)(nil)

// New returns an empty store that compares names after fold.
func New(fold store.Fold) *Store {
	return &Store{
		fold:     fold,
		accounts: map[string]store.Account{},
		certfps:  map[string]string{},
		channels: map[string]store.ChannelReg{},
		bans:     map[string]store.Ban{},
		markers:  map[[2]string]time.Time{},
		watchers: map[*watcher]struct{}{},
	}
}

// Close makes later calls fail. Safe to call from any goroutine, more than once.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// lock takes s.mu and folds name; on error s.mu is not held.
func (s *Store) lock(name string) (string, error) {
	key := s.fold(name)
	if key == "" {
		return "", fmt.Errorf("%w: empty name", store.ErrInvalid)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return "", errClosed
	}
	return key, nil
}

// SetReadMarker implements store.ReadMarkers. Safe for concurrent use.
func (s *Store) SetReadMarker(ctx context.Context, account, target string, t time.Time) (time.Time, error) {
	k, err := s.markerKey(account, target)
	if err != nil {
		return time.Time{}, err
	}
	defer s.mu.Unlock()
	if old, ok := s.markers[k]; ok && !t.After(old) {
		return old, nil
	}
	s.markers[k] = t
	return t, nil
}

// ReadMarker implements store.ReadMarkers. Safe for concurrent use.
func (s *Store) ReadMarker(ctx context.Context, account, target string) (time.Time, error) {
	k, err := s.markerKey(account, target)
	if err != nil {
		return time.Time{}, err
	}
	defer s.mu.Unlock()
	t, ok := s.markers[k]
	if !ok {
		return time.Time{}, store.ErrNotFound
	}
	return t, nil
}

// markerKey takes s.mu (on success) and returns the folded pair.
func (s *Store) markerKey(account, target string) ([2]string, error) {
	tk := s.fold(target)
	if tk == "" {
		return [2]string{}, fmt.Errorf("%w: empty target", store.ErrInvalid)
	}
	ak, err := s.lock(account)
	return [2]string{ak, tk}, err
}

// sortedValues returns m's values; order does not matter to callers, but a stable one keeps
// test failures readable.
func sortedValues[V any](m map[string]V) []V {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]V, 0, len(keys))
	for _, k := range keys {
		out = append(out, m[k])
	}
	return out
}
