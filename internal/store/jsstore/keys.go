package jsstore

import (
	"errors"
	"strings"
)

// NATS KV keys may hold only [-/_=.a-zA-Z0-9] and "." separates subject tokens, while names
// may be any UTF-8. encodeKey keeps ASCII letters, digits and "-" as they are, so the keys of
// most names stay readable in `nats kv ls`, and writes every other byte as "_" and two lower-case
// hex digits ("#chan" -> "_23chan", "zoë" -> "zo_c3_ab"). The result never contains ".", so
// compound keys can join encoded parts with it and stay unambiguous. The mapping is one-to-one.

const hexDigits = "0123456789abcdef"

func keepByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-'
}

// encodeKey returns the key for s (a folded name, a ban ID, a fingerprint). s must not be empty.
func encodeKey(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if keepByte(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('_')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0xf])
	}
	return b.String()
}

var errBadKey = errors.New("jsstore: malformed key")

// decodeKey inverts encodeKey; it rejects anything encodeKey cannot produce.
func decodeKey(k string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		c := k[i]
		if keepByte(c) {
			b.WriteByte(c)
			continue
		}
		if c != '_' || i+2 >= len(k) {
			return "", errBadKey
		}
		hi, lo := strings.IndexByte(hexDigits, k[i+1]), strings.IndexByte(hexDigits, k[i+2])
		if hi < 0 || lo < 0 || keepByte(byte(hi<<4|lo)) {
			return "", errBadKey // keepByte: a kept byte has exactly one encoding
		}
		b.WriteByte(byte(hi<<4 | lo))
		i += 2
	}
	return b.String(), nil
}

// markerKey is the read-marker key of a folded (account, target) pair: "<account>.<target>",
// so one account's markers can be listed with the filter "<account>.>".
func markerKey(account, target string) string {
	return encodeKey(account) + "." + encodeKey(target)
}
