package casemap

import (
	"strings"
	"testing"
)

func TestParseAndString(t *testing.T) {
	for _, tt := range []struct {
		name string
		want Mapping
	}{{"ascii", ASCII}, {"rfc1459", RFC1459}, {"rfc1459-strict", RFC1459Strict}, {"RFC1459", RFC1459}} {
		got, err := Parse(tt.name)
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %v, %v; want %v", tt.name, got, err, tt.want)
		}
		if !strings.EqualFold(got.String(), tt.name) {
			t.Errorf("%v.String() = %q", got, got.String())
		}
	}
	for _, bad := range []string{"", "precis", "rfc1459 ", "strict-rfc1459"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
	if s := Mapping(7).String(); s != "Mapping(7)" {
		t.Errorf("Mapping(7).String() = %q", s)
	}
}

func TestFold(t *testing.T) {
	tests := []struct {
		m       Mapping
		in, out string
	}{
		{ASCII, "Alice[m]~\\", "alice[m]~\\"},
		{RFC1459, "Alice[m]~\\", "alice{m}^|"},
		{RFC1459Strict, "Alice[m]~\\", "alice{m}~|"},
		{RFC1459, "#Chan{}|^", "#chan{}|^"},
		{RFC1459, "ÉCOLE", "École"}, // only ASCII letters fold
		{ASCII, "", ""},
		{Mapping(-1), "ABC[", "abc["}, // out of range folds like ascii
	}
	for _, tt := range tests {
		if got := tt.m.Fold(tt.in); got != tt.out {
			t.Errorf("%v.Fold(%q) = %q, want %q", tt.m, tt.in, got, tt.out)
		}
		if !tt.m.Equal(tt.in, tt.out) {
			t.Errorf("%v.Equal(%q, %q) = false", tt.m, tt.in, tt.out)
		}
	}
}

func TestFoldByte(t *testing.T) {
	for c := range 256 {
		b := byte(c)
		want := b
		if 'A' <= b && b <= 'Z' {
			want = b + 'a' - 'A'
		}
		if got := ASCII.FoldByte(b); got != want {
			t.Errorf("ASCII.FoldByte(%q) = %q, want %q", b, got, want)
		}
		strict := map[byte]byte{'[': '{', ']': '}', '\\': '|'}
		if w, ok := strict[b]; ok {
			want = w
		}
		if got := RFC1459Strict.FoldByte(b); got != want {
			t.Errorf("RFC1459Strict.FoldByte(%q) = %q, want %q", b, got, want)
		}
		if b == '~' {
			want = '^'
		}
		if got := RFC1459.FoldByte(b); got != want {
			t.Errorf("RFC1459.FoldByte(%q) = %q, want %q", b, got, want)
		}
	}
}

func TestEqual(t *testing.T) {
	tests := []struct {
		m    Mapping
		a, b string
		want bool
	}{
		{ASCII, "Nick", "nICK", true},
		{ASCII, "a[", "A{", false},
		{RFC1459, "a[", "A{", true},
		{RFC1459, "x~", "X^", true},
		{RFC1459Strict, "x~", "X^", false},
		{RFC1459, "ab", "abc", false},
		{RFC1459, "é", "É", false},
	}
	for _, tt := range tests {
		if got := tt.m.Equal(tt.a, tt.b); got != tt.want {
			t.Errorf("%v.Equal(%q, %q) = %v", tt.m, tt.a, tt.b, got)
		}
	}
}

func TestNoAllocations(t *testing.T) {
	folded := "alice{away}"
	n := testing.AllocsPerRun(100, func() {
		if RFC1459.Fold(folded) != folded {
			t.Fatal("Fold changed a folded string")
		}
		_ = RFC1459.Equal("Alice[Away]", folded)
		_ = RFC1459.Match("*!*@*.Example.COM", "nick!user@host.example.com")
	})
	if n != 0 {
		t.Errorf("allocs = %v, want 0", n)
	}
}
