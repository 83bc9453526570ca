package jsstore

import (
	"context"
	"slices"

	"github.com/parleychat/parley/internal/store"
)

// CreateAccount implements store.Accounts. Safe for concurrent use.
func (s *Store) CreateAccount(ctx context.Context, a store.Account) error {
	key, err := s.key(a.Name)
	if err != nil {
		return err
	}
	a.Certfps = store.NormalizeCertfps(a.Certfps)
	// Claim the fingerprints first, so two accounts cannot both list one; undo the claims if the
	// account write fails.
	claims, err := s.claimCertfps(ctx, key, a.Certfps)
	if err != nil {
		return err
	}
	if _, err = s.accounts.Create(ctx, key, encode(toAccountRecord(a))); err != nil {
		s.unclaim(ctx, claims)
		return mapErr(err)
	}
	return nil
}

// Account implements store.Accounts. Safe for concurrent use.
func (s *Store) Account(ctx context.Context, name string) (store.Account, error) {
	key, err := s.key(name)
	if err != nil {
		return store.Account{}, err
	}
	return s.accountByKey(ctx, key)
}

func (s *Store) accountByKey(ctx context.Context, key string) (store.Account, error) {
	e, err := s.accounts.Get(ctx, key)
	if err != nil {
		return store.Account{}, mapErr(err)
	}
	return decodeAccount(e.Value(), e.Revision())
}

// UpdateAccount implements store.Accounts. Safe for concurrent use.
func (s *Store) UpdateAccount(ctx context.Context, a store.Account) (store.Account, error) {
	key, err := s.key(a.Name)
	if err != nil {
		return store.Account{}, err
	}
	old, err := s.accountByKey(ctx, key)
	if err != nil {
		return store.Account{}, err
	}
	if old.Revision != a.Revision {
		return store.Account{}, store.ErrConflict
	}
	a.Certfps = store.NormalizeCertfps(a.Certfps)
	claims, err := s.claimCertfps(ctx, key, a.Certfps)
	if err != nil {
		return store.Account{}, err
	}
	rev, err := s.accounts.Update(ctx, key, encode(toAccountRecord(a)), a.Revision)
	if err != nil {
		s.unclaim(ctx, claims)
		return store.Account{}, mapErr(err)
	}
	s.releaseCertfps(ctx, key, old.Certfps, a.Certfps)
	a.Revision = rev
	return a.Clone(), nil
}

// DeleteAccount implements store.Accounts. Safe for concurrent use.
func (s *Store) DeleteAccount(ctx context.Context, name string) error {
	key, err := s.key(name)
	if err != nil {
		return err
	}
	old, err := s.accountByKey(ctx, key)
	if err != nil {
		return err
	}
	if err := deleteRev(ctx, s.accounts, key, old.Revision); err != nil {
		return err
	}
	s.releaseCertfps(ctx, key, old.Certfps, nil)
	return nil
}

// ListAccounts implements store.Accounts. Safe for concurrent use.
func (s *Store) ListAccounts(ctx context.Context) ([]store.Account, error) {
	entries, err := listValues(ctx, s.accounts)
	if err != nil {
		return nil, err
	}
	out := make([]store.Account, 0, len(entries))
	for _, e := range entries {
		a, err := decodeAccount(e.Value(), e.Revision())
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// AccountByCertfp implements store.Accounts. Safe for concurrent use.
func (s *Store) AccountByCertfp(ctx context.Context, fp string) (store.Account, error) {
	fps := store.NormalizeCertfps([]string{fp})
	if len(fps) == 0 {
		return store.Account{}, store.ErrNotFound
	}
	owner, _, err := s.certfpOwner(ctx, fps[0])
	if err != nil {
		return store.Account{}, err
	}
	a, err := s.accountByKey(ctx, owner)
	if err != nil {
		return store.Account{}, err
	}
	if !slices.Contains(a.Certfps, fps[0]) {
		return store.Account{}, store.ErrNotFound // a stale index entry
	}
	return a, nil
}
