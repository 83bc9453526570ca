package store

import (
	"context"
	"time"
)

// Account is a registered user account.
type Account struct {
	Name     string // display form; the key is the folded name
	Password string // hash (internal/passhash); never log it
	Email    string
	Verified bool
	Created  time.Time
	Certfps  []string    // SHA-256 fingerprints (lower hex) of TLS client certs, for SASL EXTERNAL
	Scram    *ScramCreds // SCRAM-SHA-256 credentials; nil when not derived yet
	Revision uint64      // set by the store; UpdateAccount succeeds only if it is still current
}

// ScramCreds are the stored SCRAM-SHA-256 credentials (RFC 5802 §3), the fields of
// xdg-go/scram's StoredCredentials.
type ScramCreds struct {
	Salt      string // as used by the SCRAM exchange
	Iters     int
	StoredKey []byte
	ServerKey []byte
}

// Accounts stores user accounts. A certfp belongs to at most one account. Safe for concurrent use.
type Accounts interface {
	// CreateAccount stores a new account; ErrExists when the folded name or one of its certfps
	// is taken.
	CreateAccount(ctx context.Context, a Account) error
	// Account returns the account with this (unfolded) name, or ErrNotFound.
	Account(ctx context.Context, name string) (Account, error)
	// UpdateAccount replaces the account if a.Revision is current (ErrConflict otherwise; re-read
	// and retry) and returns it with its new revision. ErrNotFound if it was deleted; ErrExists
	// when a new certfp belongs to another account.
	UpdateAccount(ctx context.Context, a Account) (Account, error)
	// DeleteAccount removes the account; ErrNotFound if there is none.
	DeleteAccount(ctx context.Context, name string) error
	// ListAccounts returns every account, in no particular order.
	ListAccounts(ctx context.Context) ([]Account, error)
	// AccountByCertfp returns the account holding this fingerprint, or ErrNotFound.
	AccountByCertfp(ctx context.Context, fp string) (Account, error)
}
