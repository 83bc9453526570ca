package core

import (
	"strings"
	"testing"
)

// FuzzChannelModes drives the mode parser and the list-entry normaliser with arbitrary input: no
// panic, at most MaxModesPerCommand parameter changes, and a normalised entry normalises to itself
// (so that removing an entry by its listed form always works).
func FuzzChannelModes(f *testing.F) {
	for _, seed := range []struct{ modes, arg string }{
		{"+b", "a:alice"}, {"+b", "m:*!*@*"}, {"+e", "a:*"}, {"+I", "m:x"}, {"+b", "*!*@192.0.2.0/24"},
		{"+b", "*!*@2001:db8::/32"}, {"-b+e", "x:y"}, {"+beI", "a:"}, {"+C-k+l", "12"}, {"+b", "a:b:c"},
		{"+b", ":"}, {"+b", "nick!user@host/99"}, {"+MR-imnst+ov", "alice"},
	} {
		f.Add(seed.modes, seed.arg)
	}
	f.Fuzz(func(t *testing.T, modes, arg string) {
		args := []string{arg, arg, arg, arg, arg, arg, arg, arg}
		p := ParseChannelModes(modes, args)
		withParam := 0
		for _, ch := range p.Changes {
			if ch.Arg != "" && ch.Arg != "*" {
				withParam++
			}
		}
		if withParam > MaxModesPerCommand {
			t.Fatalf("%q: %d parameter changes", modes, withParam)
		}
		for _, mode := range []byte{'b', 'e', 'I'} {
			norm, ok := normalizeListMask(mode, arg)
			if !ok {
				continue
			}
			if strings.ContainsAny(norm, " ,") {
				t.Fatalf("%q -> %q holds a separator", arg, norm)
			}
			if again, ok := normalizeListMask(mode, norm); !ok || again != norm {
				t.Fatalf("%c %q -> %q -> %q (%v)", mode, arg, norm, again, ok)
			}
		}
	})
}

func TestListMaskNormalisation(t *testing.T) {
	for _, tc := range []struct {
		mode    byte
		in, out string
		ok      bool
	}{
		{'b', "bob", "bob!*@*", true},
		{'b', "a:acct", "a:acct", true},
		{'b', "a:", "", false},
		{'b', "m:bob", "m:bob!*@*", true},
		{'e', "m:*!*@host", "m:*!*@host", true},
		{'I', "m:bob", "", false},
		{'b', "z:thing", "", false},
		{'b', "*!*@192.0.2.0/24", "*!*@192.0.2.0/24", true},
	} {
		got, ok := normalizeListMask(tc.mode, tc.in)
		if ok != tc.ok || got != tc.out {
			t.Errorf("%c %q: %q %v, want %q %v", tc.mode, tc.in, got, ok, tc.out, tc.ok)
		}
	}
}

func TestIsCTCP(t *testing.T) {
	for text, want := range map[string]bool{
		"\x01VERSION\x01": true, "\x01PING 1\x01": true, "\x01ACTION waves\x01": false,
		"\x01ACTION\x01": false, "\x01ACTIONS\x01": true, "hello": false, "\x01": false,
	} {
		if got := isCTCP(text); got != want {
			t.Errorf("isCTCP(%q) = %v", text, got)
		}
	}
}
