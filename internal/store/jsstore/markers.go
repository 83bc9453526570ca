package jsstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parleychat/parley/internal/store"
)

// SetReadMarker implements store.ReadMarkers with a compare-and-swap loop, so concurrent
// setters (a user's several clients, on several nodes) can only move the marker forward. Safe
// for concurrent use.
func (s *Store) SetReadMarker(ctx context.Context, account, target string, t time.Time) (time.Time, error) {
	key, err := s.markerKey(account, target)
	if err != nil {
		return time.Time{}, err
	}
	value := encode(markerRecord{V: recordVersion, T: t})
	for {
		old, rev, err := s.readMarker(ctx, key)
		switch {
		case errors.Is(err, store.ErrNotFound):
			_, err = s.markers.Create(ctx, key, value)
		case err != nil:
			return time.Time{}, err
		case !t.After(old):
			return old, nil
		default:
			_, err = s.markers.Update(ctx, key, value, rev)
		}
		err = mapErr(err)
		if err == nil {
			return t, nil
		}
		if !errors.Is(err, store.ErrExists) && !errors.Is(err, store.ErrConflict) {
			return time.Time{}, err
		}
		// Another setter won the race: read its value and compare again.
		if ctx.Err() != nil {
			return time.Time{}, ctx.Err()
		}
	}
}

// ReadMarker implements store.ReadMarkers. Safe for concurrent use.
func (s *Store) ReadMarker(ctx context.Context, account, target string) (time.Time, error) {
	key, err := s.markerKey(account, target)
	if err != nil {
		return time.Time{}, err
	}
	t, _, err := s.readMarker(ctx, key)
	return t, err
}

func (s *Store) readMarker(ctx context.Context, key string) (time.Time, uint64, error) {
	e, err := s.markers.Get(ctx, key)
	if err != nil {
		return time.Time{}, 0, mapErr(err)
	}
	var r markerRecord
	if err := decode(e.Value(), &r, func() int { return r.V }); err != nil {
		return time.Time{}, 0, err
	}
	return r.T, e.Revision(), nil
}

func (s *Store) markerKey(account, target string) (string, error) {
	a, t := s.fold(account), s.fold(target)
	if a == "" || t == "" {
		return "", fmt.Errorf("%w: read marker needs an account and a target", store.ErrInvalid)
	}
	return markerKey(a, t), nil
}
