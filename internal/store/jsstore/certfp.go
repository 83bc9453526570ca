package jsstore

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/store"
)

// claimGrace is how long a fresh index entry is honoured even though its account does not list
// the fingerprint yet: the account write that follows the claim lands well within it. Older
// unlisted entries are left-overs of failed writes and may be taken over.
const claimGrace = time.Minute

// certfpOwner returns the encoded account key the index holds for fp, and the entry.
func (s *Store) certfpOwner(ctx context.Context, fp string) (string, jetstream.KeyValueEntry, error) {
	e, err := s.certfps.Get(ctx, encodeKey(fp))
	if err != nil {
		return "", nil, mapErr(err)
	}
	var r certfpRecord
	if err := decode(e.Value(), &r, func() int { return r.V }); err != nil {
		return "", nil, err
	}
	return r.Account, e, nil
}

// claim is an index entry written by claimCertfps, for undoing it.
type claim struct {
	fp  string
	rev uint64
}

// claimCertfps points the index entries of fps at the account key, failing with ErrExists when
// another account holds one of them. It returns the entries it wrote, for unclaim; on error it
// has undone them itself.
func (s *Store) claimCertfps(ctx context.Context, key string, fps []string) ([]claim, error) {
	var claims []claim
	for _, fp := range fps {
		c, err := s.claimOne(ctx, key, fp)
		if err != nil {
			s.unclaim(ctx, claims)
			return nil, err
		}
		if c.rev != 0 {
			claims = append(claims, c)
		}
	}
	return claims, nil
}

// claimOne claims fp for key; the claim's rev is 0 when key already held it.
func (s *Store) claimOne(ctx context.Context, key, fp string) (claim, error) {
	value := encode(certfpRecord{V: recordVersion, Account: key})
	rev, err := s.certfps.Create(ctx, encodeKey(fp), value)
	if err = mapErr(err); !errors.Is(err, store.ErrExists) {
		return claim{fp, rev}, err
	}
	owner, e, err := s.certfpOwner(ctx, fp)
	if err != nil {
		return claim{}, err // ErrNotFound: released meanwhile; the caller may retry
	}
	if owner == key {
		return claim{}, nil
	}
	held, err := s.holds(ctx, owner, fp, e.Created())
	if err != nil {
		return claim{}, err
	}
	if held {
		return claim{}, store.ErrExists
	}
	rev, err = s.certfps.Update(ctx, encodeKey(fp), value, e.Revision())
	return claim{fp, rev}, mapErr(err)
}

// unclaim deletes entries claimCertfps wrote, unless they changed since. Best effort: an entry
// left behind is ignored once claimGrace has passed.
func (s *Store) unclaim(ctx context.Context, claims []claim) {
	for _, c := range claims {
		_ = s.certfps.Delete(ctx, encodeKey(c.fp), jetstream.LastRevision(c.rev))
	}
}

// holds reports whether account owner still holds fp: its account lists it, or the claim is
// recent enough that the account write following it may still be on its way.
func (s *Store) holds(ctx context.Context, owner, fp string, claimed time.Time) (bool, error) {
	a, err := s.accountByKey(ctx, owner)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	listed := err == nil && slices.Contains(a.Certfps, fp)
	return listed || time.Since(claimed) < claimGrace, nil
}

// releaseCertfps deletes the index entries of the fingerprints in old that are not in keep and
// still point at key. It is best effort: the account write has already happened, and an entry
// left behind is ignored by lookups because the account no longer lists it.
func (s *Store) releaseCertfps(ctx context.Context, key string, old, keep []string) {
	for _, fp := range old {
		if slices.Contains(keep, fp) {
			continue
		}
		owner, e, err := s.certfpOwner(ctx, fp)
		if err == nil && owner == key {
			_ = s.certfps.Delete(ctx, encodeKey(fp), jetstream.LastRevision(e.Revision()))
		}
	}
}

// deleteRev deletes key if its revision is still rev: ErrConflict if it changed, ErrNotFound if
// it is gone.
func deleteRev(ctx context.Context, kv jetstream.KeyValue, key string, rev uint64) error {
	err := kv.Delete(ctx, key, jetstream.LastRevision(rev))
	if err == nil {
		return nil
	}
	err = mapErr(err)
	if errors.Is(err, store.ErrExists) {
		return store.ErrConflict // LastRevision mismatch surfaces as wrong-last-sequence
	}
	return err
}
