// Package natskey turns names into NATS subject tokens and key-value keys and back.
//
// NATS KV keys may hold only [-/_=.a-zA-Z0-9], "." separates subject tokens, and "*", ">" and
// white space are wildcards or separators, while nicks, channels, accounts and client ids may be
// any UTF-8. Encode keeps ASCII letters, digits and "-" as they are, so most names stay readable
// in `nats kv ls` and `nats stream subjects`, and writes every other byte as "_" and two
// lower-case hex digits ("#chan" -> "_23chan", "zoë" -> "zo_c3_ab"). The result is one token:
// it never contains ".", so compound keys join encoded parts with "." unambiguously. The mapping
// is one-to-one, and Decode rejects anything Encode cannot produce.
//
// Every package that names things in NATS (the store's buckets, the history stream, the cluster
// directory) uses this one scheme, so a key written by one can be read by any other.
package natskey

import (
	"errors"
	"strings"
)

// ErrMalformed is returned by Decode for a token Encode cannot produce.
var ErrMalformed = errors.New("natskey: malformed key")

const hexDigits = "0123456789abcdef"

func plain(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-'
}

// Encode returns the token for s. An empty s gives an empty token, which is not a valid key:
// callers reject empty names first.
func Encode(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		if c := s[i]; plain(c) {
			b.WriteByte(c)
		} else {
			b.WriteByte('_')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&0xf])
		}
	}
	return b.String()
}

// Decode inverts Encode. It fails with ErrMalformed on an empty token, a bad escape, or an escape
// of a byte Encode keeps as it is (so every name has exactly one token).
func Decode(tok string) (string, error) {
	if tok == "" {
		return "", ErrMalformed
	}
	var b strings.Builder
	b.Grow(len(tok))
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		if plain(c) {
			b.WriteByte(c)
			continue
		}
		if c != '_' || i+2 >= len(tok) {
			return "", ErrMalformed
		}
		hi, lo := strings.IndexByte(hexDigits, tok[i+1]), strings.IndexByte(hexDigits, tok[i+2])
		if hi < 0 || lo < 0 || plain(byte(hi<<4|lo)) {
			return "", ErrMalformed
		}
		b.WriteByte(byte(hi<<4 | lo))
		i += 2
	}
	return b.String(), nil
}
