package jsstore

import (
	"errors"

	"github.com/parleychat/parley/internal/natskey"
)

// Keys are names encoded with natskey: ASCII letters, digits and "-" kept, every other byte as
// "_" and two hex digits ("#chan" -> "_23chan"); one token, never containing ".", so compound keys
// join encoded parts with "." unambiguously. The cluster directory and the history use it too.
var encodeKey = natskey.Encode

var errBadKey = errors.New("jsstore: malformed key")

// decodeKey inverts encodeKey; it rejects anything encodeKey cannot produce.
func decodeKey(k string) (string, error) {
	s, err := natskey.Decode(k)
	if err != nil {
		return "", errBadKey
	}
	return s, nil
}

// markerKey is the read-marker key of a folded (account, target) pair: "<account>.<target>",
// so one account's markers can be listed with the filter "<account>.>".
func markerKey(account, target string) string {
	return encodeKey(account) + "." + encodeKey(target)
}
