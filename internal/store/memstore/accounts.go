package memstore

import (
	"context"
	"slices"

	"github.com/parleychat/parley/internal/store"
)

// CreateAccount implements store.Accounts. Safe for concurrent use.
func (s *Store) CreateAccount(ctx context.Context, a store.Account) error {
	key, err := s.lock(a.Name)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.accounts[key]; ok {
		return store.ErrExists
	}
	a = a.Clone()
	a.Certfps = store.NormalizeCertfps(a.Certfps)
	if err := s.claimCertfps(key, a.Certfps); err != nil {
		return err
	}
	s.rev++
	a.Revision = s.rev
	s.accounts[key] = a
	return nil
}

// Account implements store.Accounts. Safe for concurrent use.
func (s *Store) Account(ctx context.Context, name string) (store.Account, error) {
	key, err := s.lock(name)
	if err != nil {
		return store.Account{}, err
	}
	defer s.mu.Unlock()
	a, ok := s.accounts[key]
	if !ok {
		return store.Account{}, store.ErrNotFound
	}
	return a.Clone(), nil
}

// UpdateAccount implements store.Accounts. Safe for concurrent use.
func (s *Store) UpdateAccount(ctx context.Context, a store.Account) (store.Account, error) {
	key, err := s.lock(a.Name)
	if err != nil {
		return store.Account{}, err
	}
	defer s.mu.Unlock()
	old, ok := s.accounts[key]
	if !ok {
		return store.Account{}, store.ErrNotFound
	}
	if old.Revision != a.Revision {
		return store.Account{}, store.ErrConflict
	}
	a = a.Clone()
	a.Certfps = store.NormalizeCertfps(a.Certfps)
	if err := s.claimCertfps(key, a.Certfps); err != nil {
		return store.Account{}, err
	}
	s.releaseCertfps(key, old.Certfps, a.Certfps)
	s.rev++
	a.Revision = s.rev
	s.accounts[key] = a
	return a.Clone(), nil
}

// DeleteAccount implements store.Accounts. Safe for concurrent use.
func (s *Store) DeleteAccount(ctx context.Context, name string) error {
	key, err := s.lock(name)
	if err != nil {
		return err
	}
	defer s.mu.Unlock()
	old, ok := s.accounts[key]
	if !ok {
		return store.ErrNotFound
	}
	s.releaseCertfps(key, old.Certfps, nil)
	delete(s.accounts, key)
	return nil
}

// ListAccounts implements store.Accounts. Safe for concurrent use.
func (s *Store) ListAccounts(ctx context.Context) ([]store.Account, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errClosed
	}
	out := sortedValues(s.accounts)
	for i := range out {
		out[i] = out[i].Clone()
	}
	return out, nil
}

// AccountByCertfp implements store.Accounts. Safe for concurrent use.
func (s *Store) AccountByCertfp(ctx context.Context, fp string) (store.Account, error) {
	fps := store.NormalizeCertfps([]string{fp})
	if len(fps) == 0 {
		return store.Account{}, store.ErrNotFound
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return store.Account{}, errClosed
	}
	key, ok := s.certfps[fps[0]]
	if !ok {
		return store.Account{}, store.ErrNotFound
	}
	return s.accounts[key].Clone(), nil
}

// claimCertfps records fps as key's, or fails with ErrExists, claiming none, when another
// account holds one of them. s.mu is held.
func (s *Store) claimCertfps(key string, fps []string) error {
	for _, fp := range fps {
		if owner, ok := s.certfps[fp]; ok && owner != key {
			return store.ErrExists
		}
	}
	for _, fp := range fps {
		s.certfps[fp] = key
	}
	return nil
}

// releaseCertfps forgets the fingerprints in old that are not in keep. s.mu is held.
func (s *Store) releaseCertfps(key string, old, keep []string) {
	for _, fp := range old {
		if s.certfps[fp] == key && !slices.Contains(keep, fp) {
			delete(s.certfps, fp)
		}
	}
}
