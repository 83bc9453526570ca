package api

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzSplitText checks that whatever a client posts, what reaches IRC is well-formed lines: no
// CR, LF or NUL, valid UTF-8, within the room given, at most maxLines of them, none empty.
func FuzzSplitText(f *testing.F) {
	for _, seed := range []string{"hello", "a\r\nb\n\nc", "\r", "a\rb", "\x00", "\xff\xfe", strings.Repeat("é", 300),
		strings.Repeat("x\n", 25), "\n\n\n", "trailing\r\n"} {
		f.Add(seed, 40)
	}
	f.Fuzz(func(t *testing.T, text string, room int) {
		if room < 1 || room > 600 {
			return
		}
		lines, err := splitText(text, room)
		if err != nil {
			if lines != nil {
				t.Fatalf("lines %q with error %v", lines, err)
			}
			return
		}
		if len(lines) == 0 || len(lines) > maxLines {
			t.Fatalf("%d lines", len(lines))
		}
		for _, l := range lines {
			if l == "" || len(l) > room || strings.ContainsAny(l, "\r\n\x00") || !utf8.ValidString(l) {
				t.Fatalf("bad line %q (room %d)", l, room)
			}
		}
	})
}
