package auth

import (
	"context"
	"errors"

	"github.com/parleychat/parley/internal/store"
)

// external is SASL EXTERNAL (RFC 4422 appendix A): the TLS client certificate proves the
// identity; its SHA-256 fingerprint must be registered to an account. The client message is an
// optional authzid, which must then name that account.
type external struct {
	a    *Authenticator
	peer Peer
}

// Next implements Mechanism.
func (e *external) Next(msg []byte) ([]byte, bool, string, error) {
	if e.peer.Certfp == "" {
		e.a.result(MechExternal, "failure")
		return nil, false, "", ErrNoCert
	}
	if err := e.a.allowed(MechExternal, e.peer.IP, ""); err != nil {
		return nil, false, "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), e.a.timeout)
	defer cancel()
	acct, err := e.a.store.AccountByCertfp(ctx, e.peer.Certfp)
	switch {
	case errors.Is(err, store.ErrNotFound):
		e.a.failed(MechExternal, e.peer.IP, "")
		return nil, false, "", ErrFailed
	case err != nil:
		e.a.log.Warn("certfp lookup failed", "err", err)
		return nil, false, "", ErrUnavailable
	}
	if authzid := string(msg); authzid != "" && !sameName(authzid, acct.Name) {
		e.a.failed(MechExternal, e.peer.IP, authzid)
		return nil, false, "", ErrFailed
	}
	e.a.succeeded(MechExternal, e.peer.IP, acct.Name)
	return nil, true, acct.Name, nil
}
