package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/parleychat/parley/internal/passhash"
	"github.com/parleychat/parley/internal/store"
)

// Password length bounds, in bytes. The upper bound only keeps hashing affordable; any UTF-8 (or
// other bytes) is accepted in between.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 4096
	MaxAccountLen  = 64
)

// Errors of account changes; compare with errors.Is.
var (
	ErrBadAccountName = errors.New("auth: invalid account name")
	ErrWeakPassword   = errors.New("auth: password too short")
	ErrLongPassword   = errors.New("auth: password too long")
)

// CheckPassword reports whether password matches the account's stored hash. Safe for concurrent use.
func CheckPassword(acct store.Account, password []byte) bool {
	return acct.Password != "" && passhash.Verify(acct.Password, password)
}

// CheckAccountName validates a new account's name: 1 to MaxAccountLen bytes of UTF-8 with no
// spaces, control characters or characters with a meaning in IRC masks and parameters. Safe
// for concurrent use.
func CheckAccountName(name string) error {
	if name == "" || len(name) > MaxAccountLen || !utf8.ValidString(name) || name[0] == ':' ||
		name[0] == '#' || name[0] == '&' || name[0] == '$' {
		return ErrBadAccountName
	}
	for _, r := range name {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(",*?!@", r) {
			return ErrBadAccountName
		}
	}
	return nil
}

// CheckPasswordStrength refuses passwords shorter than MinPasswordLen or longer than
// MaxPasswordLen bytes. Safe for concurrent use.
func CheckPasswordStrength(password []byte) error {
	switch {
	case len(password) < MinPasswordLen:
		return fmt.Errorf("%w: at least %d bytes are needed", ErrWeakPassword, MinPasswordLen)
	case len(password) > MaxPasswordLen:
		return fmt.Errorf("%w: at most %d bytes are allowed", ErrLongPassword, MaxPasswordLen)
	}
	return nil
}

// SetCredentials stores a new password in acct: its hash and the SCRAM-SHA-256 keys derived
// from it. It checks the password's strength first. Safe for concurrent use.
func SetCredentials(acct *store.Account, password []byte) error {
	if err := CheckPasswordStrength(password); err != nil {
		return err
	}
	hash, err := passhash.Hash(password)
	if err != nil {
		return err
	}
	sc, err := ScramCredentials(password)
	if err != nil {
		return err
	}
	acct.Password, acct.Scram = hash, sc
	return nil
}

// CreateAccount checks the name and password and stores a new, verified account. It returns
// store.ErrExists when the name is taken. Safe for concurrent use.
func CreateAccount(ctx context.Context, st store.Accounts, name, email string, password []byte) (store.Account, error) {
	if err := CheckAccountName(name); err != nil {
		return store.Account{}, err
	}
	acct := store.Account{Name: name, Email: email, Verified: true, Created: time.Now().UTC()}
	if err := SetCredentials(&acct, password); err != nil {
		return store.Account{}, err
	}
	if err := st.CreateAccount(ctx, acct); err != nil {
		return store.Account{}, err
	}
	return acct, nil
}

// ChangePassword replaces an account's password, retrying when another writer updated the
// account in between. It returns store.ErrNotFound when there is no such account. Safe for
// concurrent use.
func ChangePassword(ctx context.Context, st store.Accounts, name string, password []byte) error {
	if err := CheckPasswordStrength(password); err != nil {
		return err
	}
	var creds store.Account
	if err := SetCredentials(&creds, password); err != nil {
		return err
	}
	return Update(ctx, st, name, func(a *store.Account) error {
		a.Password, a.Scram = creds.Password, creds.Scram
		return nil
	})
}

// Update applies change to the account and stores it, re-reading and retrying on a revision
// conflict. change may be called more than once and must not keep a. Safe for concurrent use.
func Update(ctx context.Context, st store.Accounts, name string, change func(a *store.Account) error) error {
	for range 5 {
		a, err := st.Account(ctx, name)
		if err != nil {
			return err
		}
		if err := change(&a); err != nil {
			return err
		}
		_, err = st.UpdateAccount(ctx, a)
		if !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	return store.ErrConflict
}

// sameName compares account names as the store does not expose its folding here: the store
// already matched the certificate, so a case-insensitive comparison of the authzid is enough.
func sameName(a, b string) bool { return strings.EqualFold(a, b) }
