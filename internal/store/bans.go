package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

// Ban kinds.
const (
	BanIP      = "ip"      // one address
	BanCIDR    = "cidr"    // a network
	BanMask    = "mask"    // nick!user@host glob
	BanAccount = "account" // an account name
)

// Ban is a network-wide ban (KLINE/DLINE style). The store keeps bans past their expiry;
// enforcement checks Expired, and operators remove them.
type Ban struct {
	ID      string // assigned by AddBan when empty
	Kind    string // BanIP | BanCIDR | BanMask | BanAccount
	Pattern string
	Reason  string
	SetBy   string
	Created time.Time // set by AddBan when zero
	Expires time.Time // zero = never
}

// Expired reports whether the ban no longer applies at now. Safe for concurrent use.
func (b Ban) Expired(now time.Time) bool { return !b.Expires.IsZero() && !now.Before(b.Expires) }

// BanOp says what happened to a ban.
type BanOp int

const (
	BanAdded   BanOp = iota + 1 // Ban is complete
	BanRemoved                  // only Ban.ID is set
)

// BanEvent is one change seen by WatchBans.
type BanEvent struct {
	Op  BanOp
	Ban Ban
}

// Bans stores bans; every node enforces bans added on any node by watching them. Safe for
// concurrent use.
type Bans interface {
	// AddBan stores b, filling ID and Created when empty, and returns what was stored.
	// ErrExists when b.ID is taken; ErrInvalid for an unknown kind or empty pattern.
	AddBan(ctx context.Context, b Ban) (Ban, error)
	// RemoveBan deletes a ban; ErrNotFound if there is none.
	RemoveBan(ctx context.Context, id string) error
	// ListBans returns every stored ban, expired ones included, in no particular order.
	ListBans(ctx context.Context) ([]Ban, error)
	// WatchBans first sends a BanAdded event for every stored ban, then one event per change
	// until ctx ends, when it closes the channel. Events arrive in order and none is dropped; a
	// slow reader delays only its own channel.
	WatchBans(ctx context.Context) (<-chan BanEvent, error)
}

// ValidBanKind reports whether kind is one of the Ban kinds.
func ValidBanKind(kind string) bool {
	switch kind {
	case BanIP, BanCIDR, BanMask, BanAccount:
		return true
	}
	return false
}

// NewBanID returns a fresh random ban ID: 12 lower-case hex digits, short enough to type in an
// operator command. Safe for concurrent use.
func NewBanID() string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// CheckBan returns ErrInvalid when b cannot be stored.
func CheckBan(b Ban) error {
	if !ValidBanKind(b.Kind) {
		return fmt.Errorf("%w: ban kind %q", ErrInvalid, b.Kind)
	}
	if b.Pattern == "" {
		return fmt.Errorf("%w: empty ban pattern", ErrInvalid)
	}
	return nil
}
