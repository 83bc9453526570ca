package jshistory

import (
	"errors"
	"strings"

	"github.com/parleychat/parley/internal/natskey"

	"github.com/parleychat/parley/internal/store"
)

// Subjects: parley.<network>.hist.chan.<channel> and parley.<network>.hist.pm.<account>.<peer>,
// each name folded and encoded so that it is one subject token. A private conversation lives under
// its owner's account token, so DeleteAccount is one purge of parley.<network>.hist.pm.<account>.>
// and JetStream's per-subject limit (history.max_per_target) applies per conversation.
//
// Tokens are natskey encodings: never ".", "*", ">" or white space, one-to-one with names.

var errBadSubject = errors.New("jshistory: subject outside the history layout")

// encodeToken is natskey.Encode, the scheme every NATS name of parley uses.
var encodeToken = natskey.Encode

func decodeToken(tok string) (string, error) {
	s, err := natskey.Decode(tok)
	if err != nil {
		return "", errBadSubject
	}
	return s, nil
}

// subjects builds and parses the subjects of one network's history.
type subjects struct {
	prefix string // "parley.<network>.hist."
}

func newSubjects(network string) subjects {
	return subjects{prefix: "parley." + encodeToken(network) + ".hist."}
}

// of returns the subject of a folded target.
func (s subjects) of(t store.Target) string {
	if t.IsChannel() {
		return s.prefix + "chan." + encodeToken(t.Name)
	}
	return s.prefix + "pm." + encodeToken(t.Account) + "." + encodeToken(t.Name)
}

// account returns the filter matching every private conversation of a folded account.
func (s subjects) account(account string) string {
	return s.prefix + "pm." + encodeToken(account) + ".>"
}

// all returns the filter matching the network's whole history.
func (s subjects) all() string { return s.prefix + ">" }

// target parses a subject back into its (folded) target.
func (s subjects) target(subject string) (store.Target, error) {
	rest, ok := strings.CutPrefix(subject, s.prefix)
	if !ok {
		return store.Target{}, errBadSubject
	}
	parts := strings.Split(rest, ".")
	switch {
	case len(parts) == 2 && parts[0] == "chan":
		name, err := decodeToken(parts[1])
		return store.Target{Name: name}, err
	case len(parts) == 3 && parts[0] == "pm":
		account, err := decodeToken(parts[1])
		if err != nil {
			return store.Target{}, err
		}
		peer, err := decodeToken(parts[2])
		return store.Target{Account: account, Name: peer}, err
	}
	return store.Target{}, errBadSubject
}
