package jsstore

import (
	"context"
	"errors"

	"github.com/parleychat/parley/internal/store"
)

// RegisterChannel implements store.ChannelRegs. Safe for concurrent use.
func (s *Store) RegisterChannel(ctx context.Context, c store.ChannelReg) error {
	key, err := s.key(c.Name)
	if err != nil {
		return err
	}
	rev, err := s.channels.Create(ctx, key, encode(toChannelRecord(c)))
	if err != nil {
		return mapErr(err)
	}
	c.Revision = rev
	s.chans.put(key, c)
	return nil
}

// Channel implements store.ChannelRegs. Safe for concurrent use.
func (s *Store) Channel(ctx context.Context, name string) (store.ChannelReg, error) {
	key, err := s.key(name)
	if err != nil {
		return store.ChannelReg{}, err
	}
	return s.cachedChannel(ctx, key)
}

// UpdateChannel implements store.ChannelRegs. Safe for concurrent use.
func (s *Store) UpdateChannel(ctx context.Context, c store.ChannelReg) (store.ChannelReg, error) {
	key, err := s.key(c.Name)
	if err != nil {
		return store.ChannelReg{}, err
	}
	if c.Revision == 0 {
		// Revision 0 would make the update a create; no stored record has it.
		if _, err := s.channels.Get(ctx, key); err != nil {
			return store.ChannelReg{}, mapErr(err)
		}
		return store.ChannelReg{}, store.ErrConflict
	}
	rev, err := s.channels.Update(ctx, key, encode(toChannelRecord(c)), c.Revision)
	if err != nil {
		err = mapErr(err)
		// A mismatch on a dropped channel is "not found", as the interface promises.
		if _, gerr := s.channels.Get(ctx, key); errors.Is(mapErr(gerr), store.ErrNotFound) {
			return store.ChannelReg{}, store.ErrNotFound
		}
		return store.ChannelReg{}, err
	}
	c.Revision = rev
	s.chans.put(key, c)
	return c.Clone(), nil
}

// DropChannel implements store.ChannelRegs. Safe for concurrent use.
func (s *Store) DropChannel(ctx context.Context, name string) error {
	key, err := s.key(name)
	if err != nil {
		return err
	}
	e, err := s.channels.Get(ctx, key)
	if err != nil {
		return mapErr(err)
	}
	if err := deleteRev(ctx, s.channels, key, e.Revision()); err != nil {
		return err
	}
	// The delete marker's revision is newer than the record's: anything at or below it goes.
	s.chans.remove(key, e.Revision()+1)
	return nil
}

// ListChannels implements store.ChannelRegs. Safe for concurrent use.
func (s *Store) ListChannels(ctx context.Context) ([]store.ChannelReg, error) {
	entries, err := listValues(ctx, s.channels)
	if err != nil {
		return nil, err
	}
	out := make([]store.ChannelReg, 0, len(entries))
	for _, e := range entries {
		c, err := decodeChannel(e.Value(), e.Revision())
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}
