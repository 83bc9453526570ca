// Package store defines parley's persistent state as small interfaces: accounts, channel
// registrations, bans and read markers. Implementations live in sub-packages: memstore (in
// process, for tests) and jsstore (NATS JetStream key-value buckets).
//
// Names (accounts, channels, read-marker targets) are compared after case folding. The store
// never guesses a casemapping: constructors take the network's fold function, and records keep
// the display form the caller gave.
package store

import "errors"

// Errors every implementation returns, so callers can test with errors.Is.
var (
	ErrNotFound = errors.New("store: not found")
	ErrExists   = errors.New("store: already exists")
	ErrConflict = errors.New("store: revision mismatch") // someone else updated the record first
	ErrInvalid  = errors.New("store: invalid value")     // an empty name, a ban without a pattern
)

// Store is everything parley keeps. Implementations are safe for concurrent use.
type Store interface {
	Accounts
	ChannelRegs
	Bans
	ReadMarkers
	// Close releases the store (and ends its watches); it must not be used afterwards.
	Close() error
}

// Fold maps a name to its canonical form (casemap.Mapping.Fold).
type Fold func(string) string
