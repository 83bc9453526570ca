package natskey

import (
	"errors"
	"strings"
	"testing"
)

func TestEncode(t *testing.T) {
	for in, want := range map[string]string{
		"alice": "alice", "#chan": "_23chan", "zoë": "zo_c3_ab", "a.b": "a_2eb", "a b*>": "a_20b_2a_3e",
		"_": "_5f", "Node-1": "Node-1",
	} {
		if got := Encode(in); got != want {
			t.Errorf("Encode(%q) = %q, want %q", in, got, want)
		}
		if back, err := Decode(want); err != nil || back != in {
			t.Errorf("Decode(%q) = %q, %v", want, back, err)
		}
	}
	for _, bad := range []string{"", "_", "_2", "_zz", "_61", "a.b", "_2E"} {
		if _, err := Decode(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("Decode(%q) accepted", bad)
		}
	}
}

// FuzzKey checks that Decode inverts Encode, that tokens hold only key-safe bytes, and that
// Decode accepts only what Encode produces.
func FuzzKey(f *testing.F) {
	for _, s := range []string{"alice", "#chan", "zoë", "a.b", "_23", "\x00\xff", "*>", "#Ω.x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s != "" {
			tok := Encode(s)
			if strings.ContainsAny(tok, ".*> \t\r\n") {
				t.Fatalf("Encode(%q) = %q holds a separator", s, tok)
			}
			if back, err := Decode(tok); err != nil || back != s {
				t.Fatalf("Decode(Encode(%q)) = %q, %v", s, back, err)
			}
		}
		if dec, err := Decode(s); err == nil && Encode(dec) != s {
			t.Fatalf("Decode(%q) = %q, which encodes to %q", s, dec, Encode(dec))
		}
	})
}
