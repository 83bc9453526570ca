package auth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"

	"github.com/xdg-go/scram"
	"github.com/xdg-go/stringprep"

	"github.com/parleychat/parley/internal/store"
)

// scramIters is the PBKDF2 iteration count of new SCRAM-SHA-256 keys: RFC 7677 asks for at least
// 4096. Every login costs the client (not the server) this many iterations.
const scramIters = 4096

// ScramCredentials derives the SCRAM-SHA-256 keys stored for a password (RFC 5802 section 3).
// The password is normalised with SASLprep as clients do; a password SASLprep refuses (control
// characters, unassigned code points) is used as it is, which is what clients fall back to.
// Safe to call from any goroutine.
func ScramCredentials(password []byte) (*store.ScramCreds, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	// The salt is kept as ASCII so it survives any record encoding; it is salt all the same.
	kf := scram.KeyFactors{Salt: base64.RawStdEncoding.EncodeToString(salt), Iters: scramIters}
	client, err := scram.SHA256.NewClientUnprepped("", prepPassword(password), "")
	if err != nil {
		return nil, err
	}
	sc, err := client.GetStoredCredentialsWithError(kf)
	if err != nil {
		return nil, err
	}
	return &store.ScramCreds{Salt: sc.Salt, Iters: sc.Iters, StoredKey: sc.StoredKey, ServerKey: sc.ServerKey}, nil
}

func prepPassword(password []byte) string {
	if p, err := stringprep.SASLprep.Prepare(string(password)); err == nil {
		return p
	}
	return string(password)
}

// scramMech is SCRAM-SHA-256 (RFC 7677) over xdg-go/scram's server conversation. The exchange:
// client-first -> server-first, client-final -> server-final (sent as a challenge, since IRC has no
// "additional data with success"), then an empty client message -> done.
type scramMech struct {
	a       *Authenticator
	peer    Peer
	conv    *scram.ServerConversation
	account string
	lookup  error // why the credential lookup failed, if it did
	steps   int
}

func newScram(a *Authenticator, peer Peer) *scramMech {
	m := &scramMech{a: a, peer: peer}
	srv, _ := scram.SHA256.NewServer(m.credentials) // fails only on a nil lookup function
	m.conv = srv.NewConversation()
	return m
}

// credentials is the server's CredentialLookup: the stored keys of the account.
func (m *scramMech) credentials(name string) (scram.StoredCredentials, error) {
	m.account = name
	if err := m.a.allowed(MechScram, m.peer.IP, name); err != nil {
		m.lookup = err
		return scram.StoredCredentials{}, err
	}
	acct, err := m.a.account(name)
	if err == nil && acct.Scram == nil {
		err = ErrNotSupported
	}
	if err != nil {
		m.lookup = err
		return scram.StoredCredentials{}, err
	}
	m.account = acct.Name
	sc := acct.Scram
	return scram.StoredCredentials{
		KeyFactors: scram.KeyFactors{Salt: sc.Salt, Iters: sc.Iters},
		StoredKey:  sc.StoredKey, ServerKey: sc.ServerKey,
	}, nil
}

// Next implements Mechanism.
func (m *scramMech) Next(msg []byte) ([]byte, bool, string, error) {
	m.steps++
	if m.steps == 3 {
		// The client's acknowledgement of server-final: nothing is in it (RFC 4422 section 5).
		if len(msg) != 0 || !m.conv.Valid() {
			return nil, false, "", ErrMalformed
		}
		m.a.succeeded(MechScram, m.peer.IP, m.account)
		return nil, true, m.account, nil
	}
	if m.steps > 3 {
		return nil, false, "", ErrMalformed
	}
	out, err := m.conv.Step(string(msg))
	if err != nil {
		return nil, false, "", m.failure()
	}
	return []byte(out), false, "", nil
}

// failure classifies a failed step: an unknown account or a wrong proof is ErrFailed (and
// counts towards the throttle); a throttled, unavailable or key-less lookup says so; anything
// else is a malformed message.
func (m *scramMech) failure() error {
	switch {
	case errors.Is(m.lookup, ErrFailed), m.lookup == nil && m.steps == 2:
		m.a.failed(MechScram, m.peer.IP, m.account)
		return ErrFailed
	case errors.Is(m.lookup, ErrNotSupported):
		m.a.result(MechScram, "failure")
		return m.lookup
	case m.lookup != nil:
		return m.lookup
	}
	return ErrMalformed
}
