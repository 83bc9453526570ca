package ircmsg

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that what it returns obeys the
// Message invariants, that it does not alias its input, and that Append
// followed by Parse gives the same Message back.
func FuzzParse(f *testing.F) {
	for _, line := range seedLines {
		f.Add([]byte(line))
	}
	for _, line := range []string{"", "   ", "@a=b", ":src", ": CMD", "@;; CMD", "@a=\\ CMD", "CMD\x00",
		"@a=1;a=2;b CMD :x", "PRIVMSG #c :\xff\xfe", "@k=\xc3 X", ":s :: ::", "cmd a\tb :\x01"} {
		f.Add([]byte(line))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		orig := bytes.Clone(line)
		m, err := Parse(line, DefaultLimits)
		if err != nil {
			return
		}
		checkInvariants(t, &m)
		for i := range line {
			line[i] = 'Z'
		}
		if again, _ := Parse(orig, DefaultLimits); !reflect.DeepEqual(m, again) {
			t.Fatalf("message changed when its input buffer was reused: %#v", m)
		}
		wire := m.Append(nil)
		back, err := Parse(wire, Limits{})
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its re-encoding %q fails: %v", orig, wire, err)
		}
		if !reflect.DeepEqual(m, back) {
			t.Fatalf("round trip of %q via %q\n got %#v\nwant %#v", orig, wire, back, m)
		}
	})
}

func checkInvariants(t *testing.T, m *Message) {
	t.Helper()
	if m.Command == "" || strings.ContainsFunc(m.Command, func(r rune) bool { return r < 0x21 }) {
		t.Fatalf("bad command %q", m.Command)
	}
	if strings.IndexFunc(m.Command, func(r rune) bool { return 'a' <= r && r <= 'z' }) >= 0 {
		t.Fatalf("command %q not upper-cased", m.Command)
	}
	if strings.ContainsAny(m.Source, " \x00\r\n") {
		t.Fatalf("bad source %q", m.Source)
	}
	if m.Tags != nil && len(m.Tags) == 0 || m.Params != nil && len(m.Params) == 0 {
		t.Fatalf("empty but non-nil slice in %#v", m)
	}
	seen := map[string]bool{}
	for _, tag := range m.Tags {
		if !ValidTagKey(tag.Key) || seen[tag.Key] {
			t.Fatalf("bad or duplicate tag key %q", tag.Key)
		}
		seen[tag.Key] = true
	}
	for i, p := range m.Params {
		if i < len(m.Params)-1 && needsTrailing(p) {
			t.Fatalf("middle param %d = %q", i, p)
		}
	}
}

// FuzzTagValue checks that unescaping undoes escaping, and that an escaped
// value never holds a byte that would end a tag or the line.
func FuzzTagValue(f *testing.F) {
	for _, s := range []string{"", "plain", `raw+:=,escaped; \`, "a\r\nb", `\`, "é;é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := EscapeTagValue(s)
		if strings.ContainsAny(e, "; \r\n\x00") {
			t.Fatalf("EscapeTagValue(%q) = %q", s, e)
		}
		want := strings.ReplaceAll(s, "\x00", "")
		if got := UnescapeTagValue(e); got != want {
			t.Fatalf("UnescapeTagValue(EscapeTagValue(%q)) = %q", s, got)
		}
		_ = UnescapeTagValue(s) // must not panic on arbitrary input
	})
}
