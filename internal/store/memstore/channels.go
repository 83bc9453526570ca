package memstore

import (
	"context"

	"github.com/parleychat/parley/internal/store"
)

// RegisterChannel implements store.ChannelRegs. Safe for concurrent use.
func (s *Store) RegisterChannel(ctx context.Context, c store.ChannelReg) error {
	key, err := s.lock(c.Name)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.channels[key]; ok {
		return store.ErrExists
	}
	s.rev++
	c = c.Clone()
	c.Revision = s.rev
	s.channels[key] = c
	return nil
}

// Channel implements store.ChannelRegs. Safe for concurrent use.
func (s *Store) Channel(ctx context.Context, name string) (store.ChannelReg, error) {
	key, err := s.lock(name)
	if err != nil {
		return store.ChannelReg{}, err
	}
	defer s.mu.Unlock()
	c, ok := s.channels[key]
	if !ok {
		return store.ChannelReg{}, store.ErrNotFound
	}
	return c.Clone(), nil
}

// UpdateChannel implements store.ChannelRegs. Safe for concurrent use.
func (s *Store) UpdateChannel(ctx context.Context, c store.ChannelReg) (store.ChannelReg, error) {
	key, err := s.lock(c.Name)
	if err != nil {
		return store.ChannelReg{}, err
	}
	defer s.mu.Unlock()
	old, ok := s.channels[key]
	if !ok {
		return store.ChannelReg{}, store.ErrNotFound
	}
	if old.Revision != c.Revision {
		return store.ChannelReg{}, store.ErrConflict
	}
	s.rev++
	c = c.Clone()
	c.Revision = s.rev
	s.channels[key] = c
	return c.Clone(), nil
}

// DropChannel implements store.ChannelRegs. Safe for concurrent use.
func (s *Store) DropChannel(ctx context.Context, name string) error {
	key, err := s.lock(name)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.channels[key]; !ok {
		return store.ErrNotFound
	}
	delete(s.channels, key)
	return nil
}

// ListChannels implements store.ChannelRegs. Safe for concurrent use.
func (s *Store) ListChannels(ctx context.Context) ([]store.ChannelReg, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errClosed
	}
	out := sortedValues(s.channels)
	for i := range out {
		out[i] = out[i].Clone()
	}
	return out, nil
}
