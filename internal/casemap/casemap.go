// Package casemap implements the IRC case mappings that decide when two
// nicknames or channel names are the same: "ascii", "rfc1459" and
// "rfc1459-strict", as advertised by the CASEMAPPING token of RPL_ISUPPORT
// (modern.ircdocs.horse, "CASEMAPPING Parameter").
//
// A Mapping is an immutable value; all its methods are safe to call from any
// goroutine.
package casemap

import (
	"fmt"
	"strings"
)

// Mapping is one case mapping.
type Mapping int

// The supported mappings.
const (
	// ASCII folds A-Z to a-z.
	ASCII Mapping = iota
	// RFC1459 folds A-Z to a-z and []\~ to {}|^ (RFC 1459 section 2.2,
	// where these are the upper-case forms of the Scandinavian letters).
	RFC1459
	// RFC1459Strict is RFC1459 without ~ -> ^.
	RFC1459Strict
)

var names = [...]string{ASCII: "ascii", RFC1459: "rfc1459", RFC1459Strict: "rfc1459-strict"}

// tables holds one folding table per mapping, built once at start-up, so
// that folding a byte is one array load.
var tables = func() (t [len(names)][256]byte) {
	for m := range t {
		for c := range 256 {
			t[m][c] = byte(c)
		}
		for c := 'A'; c <= 'Z'; c++ {
			t[m][c] = byte(c - 'A' + 'a')
		}
		if Mapping(m) == RFC1459 || Mapping(m) == RFC1459Strict {
			t[m]['['], t[m][']'], t[m]['\\'] = '{', '}', '|'
		}
		if Mapping(m) == RFC1459 {
			t[m]['~'] = '^'
		}
	}
	return t
}()

// Parse returns the mapping named by an ISUPPORT CASEMAPPING token. Names are
// matched without regard to case.
// It is safe to call from any goroutine.
func Parse(name string) (Mapping, error) {
	for m, n := range names {
		if strings.EqualFold(name, n) {
			return Mapping(m), nil
		}
	}
	return 0, fmt.Errorf("casemap: unknown case mapping %q (want ascii, rfc1459 or rfc1459-strict)", name)
}

// String returns the ISUPPORT CASEMAPPING token of m.
// It is safe to call from any goroutine.
func (m Mapping) String() string {
	if m.valid() {
		return names[m]
	}
	return fmt.Sprintf("Mapping(%d)", int(m))
}

func (m Mapping) valid() bool { return m >= 0 && int(m) < len(names) }

// table returns the folding table of m; an out-of-range Mapping folds like
// ASCII rather than panic.
func (m Mapping) table() *[256]byte {
	if !m.valid() {
		return &tables[ASCII]
	}
	return &tables[m]
}

// FoldByte returns the canonical (lower-case) form of b under m. Bytes of
// multi-byte UTF-8 sequences are left alone.
// It is safe to call from any goroutine.
func (m Mapping) FoldByte(b byte) byte { return m.table()[b] }

// Fold returns the canonical form of s under m, used as the key of nick and
// channel maps. It returns s itself, without allocating, when s is already
// folded.
// It is safe to call from any goroutine.
func (m Mapping) Fold(s string) string {
	t := m.table()
	i := 0
	for i < len(s) && t[s[i]] == s[i] {
		i++
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, len(s))
	copy(b, s[:i])
	for ; i < len(s); i++ {
		b[i] = t[s[i]]
	}
	return string(b)
}

// Equal reports whether a and b are the same name under m. It does not
// allocate.
// It is safe to call from any goroutine.
func (m Mapping) Equal(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	t := m.table()
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] && t[a[i]] != t[b[i]] {
			return false
		}
	}
	return true
}
