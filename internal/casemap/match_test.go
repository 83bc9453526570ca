package casemap

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		m       Mapping
		mask, s string
		want    bool
	}{
		{ASCII, "", "", true},
		{ASCII, "", "a", false},
		{ASCII, "*", "", true},
		{ASCII, "*", "anything at all", true},
		{ASCII, "?", "", false},
		{ASCII, "?", "a", true},
		{ASCII, "?", "ab", false},
		{ASCII, "a*", "a", true},
		{ASCII, "a*b", "ab", true},
		{ASCII, "a*b", "axxb", true},
		{ASCII, "a*b", "axxbc", false},
		{ASCII, "a*b*c", "abxbxc", true},
		{ASCII, "*a*a*a*", "aXaXa", true},
		{ASCII, "*a*a*a*", "aXaX", false},
		{ASCII, "**?**", "x", true},
		{ASCII, "*!*@*.example.com", "Nick!User@Host.EXAMPLE.com", true},
		{ASCII, "*!*@*.example.com", "nick!user@example.com", false},
		{ASCII, "nick!*@*", "NICK!u@h", true},
		{ASCII, "a[b]", "A{B}", false},
		{RFC1459, "a[b]", "A{B}", true},
		{RFC1459, "x~*", "X^y", true},
		{RFC1459Strict, "x~*", "X^y", false},
		{ASCII, "#chan?", "#chan1", true},
		{ASCII, "#ch?n", "#chön", true}, // '?' is one character, not one byte
		{ASCII, "#ch??n", "#chön", false},
		{ASCII, "*ö*", "Schön", true},
		{ASCII, "*Ö*", "schön", false}, // only ASCII folds
		{ASCII, "\xff?", "\xff\xfe", true},
		{ASCII, "\xc3", "é", false}, // a stray lead byte is not part of "é"
	}
	for _, tt := range tests {
		if got := tt.m.Match(tt.mask, tt.s); got != tt.want {
			t.Errorf("%v.Match(%q, %q) = %v, want %v", tt.m, tt.mask, tt.s, got, tt.want)
		}
		if got := refMatch(tt.m, tt.mask, tt.s); got != tt.want {
			t.Errorf("reference %v.Match(%q, %q) = %v, want %v", tt.m, tt.mask, tt.s, got, tt.want)
		}
	}
}

// TestMatchPathological checks that masks which make naive recursive
// matchers take exponential time finish quickly.
func TestMatchPathological(t *testing.T) {
	mask := strings.Repeat("*a", 50) + "*b"
	s := strings.Repeat("a", 5000)
	if ASCII.Match(mask, s) {
		t.Fatal("matched")
	}
	if !ASCII.Match(mask, s+"b") {
		t.Fatal("did not match")
	}
}

// chars splits s into characters the way Match does: valid UTF-8 sequences,
// or single bytes.
func chars(s string) []string {
	var out []string
	for s != "" {
		_, n := utf8.DecodeRuneInString(s)
		out = append(out, s[:n])
		s = s[n:]
	}
	return out
}

// refMatch is a plain dynamic-programming matcher used as the reference in
// tests: ok[i][j] tells whether mask[i:] matches s[j:].
func refMatch(m Mapping, mask, s string) bool {
	mc, sc := chars(mask), chars(s)
	ok := make([][]bool, len(mc)+1)
	for i := range ok {
		ok[i] = make([]bool, len(sc)+1)
	}
	ok[len(mc)][len(sc)] = true
	for i := len(mc) - 1; i >= 0; i-- {
		for j := len(sc); j >= 0; j-- {
			switch {
			case mc[i] == "*":
				ok[i][j] = ok[i+1][j] || j < len(sc) && ok[i][j+1]
			case j == len(sc):
				ok[i][j] = false
			case mc[i] == "?":
				ok[i][j] = ok[i+1][j+1]
			default:
				ok[i][j] = foldedEqual(m, mc[i], sc[j]) && ok[i+1][j+1]
			}
		}
	}
	return ok[0][0]
}

func foldedEqual(m Mapping, a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if m.FoldByte(a[i]) != m.FoldByte(b[i]) {
			return false
		}
	}
	return true
}

func FuzzMatch(f *testing.F) {
	seeds := [][2]string{
		{"*!*@*.example.com", "nick!user@host.example.com"},
		{"a*b?c", "AxxBzC"},
		{"*[*]*", "x{y}z"},
		{"#ch?n", "#chön"},
		{"**??*", "\xff\xc3é"},
		{"~*", "^x"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, mask, s string) {
		if len(mask) > 64 || len(s) > 256 {
			return // keep the quadratic reference cheap
		}
		for _, m := range []Mapping{ASCII, RFC1459, RFC1459Strict} {
			got, want := m.Match(mask, s), refMatch(m, mask, s)
			if got != want {
				t.Fatalf("%v.Match(%q, %q) = %v, reference says %v", m, mask, s, got, want)
			}
			if m.Equal(mask, s) != (m.Fold(mask) == m.Fold(s)) {
				t.Fatalf("%v: Equal(%q, %q) disagrees with Fold", m, mask, s)
			}
			if f := m.Fold(s); m.Fold(f) != f {
				t.Fatalf("%v: Fold(%q) is not idempotent", m, s)
			}
		}
	})
}
