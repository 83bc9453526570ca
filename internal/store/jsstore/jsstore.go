// Package jsstore keeps parley's state in NATS JetStream key-value buckets, so every node of a
// network reads and writes one copy of it (replicated when the NATS servers are clustered).
//
// Buckets, each created by Open if missing:
//
//	parley_accounts     folded account name -> account
//	parley_certfps      certificate fingerprint -> folded account name (index for SASL EXTERNAL)
//	parley_channels     folded channel name -> registration
//	parley_bans         ban ID -> ban
//	parley_readmarkers  "<folded account>.<folded target>" -> time
//
// Keys are names encoded by encodeKey (ASCII letters, digits and "-" kept, any other byte
// written as "_hh"), so any UTF-8 name is a valid key. Values are JSON objects with a "v":1
// version field; a record with a newer version is refused rather than misread.
//
// Uniqueness (one account per folded name, one registration per channel) rests on KV create,
// and updates are compare-and-swap on the KV revision, so nodes racing for one name cannot both
// win. The certfp index is updated around the account write rather than atomically with it; an
// index entry is trusted only while the account it names still lists the fingerprint.
package jsstore

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/store"
)

// Bucket names.
const (
	BucketAccounts    = "parley_accounts"
	BucketCertfps     = "parley_certfps"
	BucketChannels    = "parley_channels"
	BucketBans        = "parley_bans"
	BucketReadMarkers = "parley_readmarkers"
)

// Options configures Open.
type Options struct {
	Replicas int        // copies of each bucket: 1 for one node (the default), 3 when clustered
	Fold     store.Fold // the network's case folding; required
}

// Store is a store.Store on JetStream KV. It is safe for concurrent use.
type Store struct {
	fold     store.Fold
	accounts jetstream.KeyValue
	certfps  jetstream.KeyValue
	channels jetstream.KeyValue
	bans     jetstream.KeyValue
	markers  jetstream.KeyValue

	// chans is the in-memory copy of the channel registrations.
	chans chanReplica

	// done ends the ban watches when the store closes.
	done      context.Context
	closeDone context.CancelFunc
	watches   sync.WaitGroup
}

var _ store.Store = (*Store)(nil)

// Open returns a store on js, creating the buckets that do not exist yet. It is idempotent, and
// safe to run on several nodes at once: a bucket another node creates first is used as it is.
func Open(ctx context.Context, js jetstream.JetStream, opt Options) (*Store, error) {
	if opt.Fold == nil {
		return nil, errors.New("jsstore: Options.Fold is required")
	}
	if opt.Replicas <= 0 {
		opt.Replicas = 1
	}
	s := &Store{fold: opt.Fold}
	for _, b := range []struct {
		kv   *jetstream.KeyValue
		name string
		desc string
	}{
		{&s.accounts, BucketAccounts, "parley accounts"},
		{&s.certfps, BucketCertfps, "parley certificate fingerprint index"},
		{&s.channels, BucketChannels, "parley channel registrations"},
		{&s.bans, BucketBans, "parley network bans"},
		{&s.markers, BucketReadMarkers, "parley read markers"},
	} {
		kv, err := openBucket(ctx, js, jetstream.KeyValueConfig{
			Bucket: b.name, Description: b.desc, History: 1,
			Storage: jetstream.FileStorage, Replicas: opt.Replicas,
		})
		if err != nil {
			return nil, fmt.Errorf("jsstore: bucket %s: %w", b.name, err)
		}
		*b.kv = kv
	}
	s.done, s.closeDone = context.WithCancel(context.Background())
	if err := s.watchChannels(); err != nil {
		s.closeDone()
		return nil, fmt.Errorf("jsstore: watch %s: %w", BucketChannels, err)
	}
	return s, nil
}

// openBucket creates the bucket, or binds to it when it exists. Creating a stream with the same
// configuration is idempotent in JetStream; ErrBucketExists means another node created it with a
// different one (another replica count), which we keep rather than fight over.
func openBucket(ctx context.Context, js jetstream.JetStream, cfg jetstream.KeyValueConfig) (jetstream.KeyValue, error) {
	kv, err := js.CreateKeyValue(ctx, cfg)
	if errors.Is(err, jetstream.ErrBucketExists) {
		return js.KeyValue(ctx, cfg.Bucket)
	}
	return kv, err
}

// Close ends the ban watches. The JetStream connection is the caller's to close. Safe to call
// more than once, from any goroutine.
func (s *Store) Close() error {
	s.closeDone()
	s.watches.Wait()
	return nil
}

// key folds name and encodes it, or fails with ErrInvalid for a name that folds to nothing.
func (s *Store) key(name string) (string, error) {
	folded := s.fold(name)
	if folded == "" {
		return "", fmt.Errorf("%w: empty name", store.ErrInvalid)
	}
	return encodeKey(folded), nil
}

// mapErr turns KV errors into the store's. Update wraps a revision mismatch in
// ErrKeyRevisionMismatch; the wrapped API error also matches ErrKeyExists, so order matters. A
// bare wrong-last-sequence error comes only from Create (racing another create over a deleted
// key's marker, or on a replicated bucket), where it means the name was taken.
func mapErr(err error) error {
	var apiErr *jetstream.APIError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, jetstream.ErrKeyNotFound), errors.Is(err, jetstream.ErrKeyDeleted):
		return fmt.Errorf("%w (%v)", store.ErrNotFound, err)
	case errors.Is(err, jetstream.ErrKeyRevisionMismatch):
		return fmt.Errorf("%w (%v)", store.ErrConflict, err)
	case errors.Is(err, jetstream.ErrKeyExists):
		return fmt.Errorf("%w (%v)", store.ErrExists, err)
	case errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant):
		return fmt.Errorf("%w (%v)", store.ErrExists, err)
	}
	return err
}

// listValues returns the current value of every key in kv, in one pass over the bucket rather
// than one request per key.
func listValues(ctx context.Context, kv jetstream.KeyValue) ([]jetstream.KeyValueEntry, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w, err := kv.WatchAll(ctx, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, err
	}
	defer w.Stop()
	var out []jetstream.KeyValueEntry
	for {
		select {
		case e, ok := <-w.Updates():
			if !ok {
				return nil, errors.New("jsstore: watch closed while listing")
			}
			if e == nil { // all current values delivered
				return out, nil
			}
			out = append(out, e)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
