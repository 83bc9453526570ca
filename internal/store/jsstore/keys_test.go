package jsstore

import (
	"regexp"
	"testing"
)

// validKey is the NATS KV key syntax (nats.go jetstream keyValid) minus ".", which we reserve.
var validKey = regexp.MustCompile(`^[-/_=a-zA-Z0-9]+$`)

func TestEncodeKey(t *testing.T) {
	for in, want := range map[string]string{
		"alice":   "alice",
		"#chan":   "_23chan",
		"zoë":     "zo_c3_ab",
		"a.b":     "a_2eb",
		"_x":      "_5fx",
		"Mixed-1": "Mixed-1",
		"a b>*":   "a_20b_3e_2a",
	} {
		if got := encodeKey(in); got != want {
			t.Errorf("encodeKey(%q) = %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"_", "_2", "_zz", "_61", "a.b", "_2E", "é"} {
		if got, err := decodeKey(bad); err == nil {
			t.Errorf("decodeKey(%q) = %q, want an error", bad, got)
		}
	}
}

// FuzzKey holds encodeKey to its promises for any input: a valid KV key without ".", which
// decodes back to the input; and decodeKey accepts only what encodeKey produces.
func FuzzKey(f *testing.F) {
	for _, s := range []string{"alice", "#parley[dev]", "zoë", "名前", "a.b*c>d e", "_5f", "\x00\xff", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s == "" {
			return
		}
		k := encodeKey(s)
		if !validKey.MatchString(k) {
			t.Fatalf("encodeKey(%q) = %q: not a valid key", s, k)
		}
		back, err := decodeKey(k)
		if err != nil || back != s {
			t.Fatalf("decodeKey(encodeKey(%q)) = %q, %v", s, back, err)
		}
		if d, err := decodeKey(s); err == nil && encodeKey(d) != s {
			t.Fatalf("decodeKey(%q) = %q, which encodes to %q", s, d, encodeKey(d))
		}
	})
}
