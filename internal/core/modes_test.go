package core

import (
	"reflect"
	"testing"
)

func TestParseChannelModes(t *testing.T) {
	tests := []struct {
		modes string
		args  []string
		want  ParsedModes
	}{
		{"+nt", nil, ParsedModes{Changes: []ModeChange{{true, 'n', ""}, {true, 't', ""}}}},
		{"+o-v", []string{"alice", "bob"}, ParsedModes{Changes: []ModeChange{{true, 'o', "alice"}, {false, 'v', "bob"}}}},
		{"+k", []string{"secret"}, ParsedModes{Changes: []ModeChange{{true, 'k', "secret"}}}},
		{"-k", nil, ParsedModes{Changes: []ModeChange{{false, 'k', "*"}}}},
		{"+l", []string{"10"}, ParsedModes{Changes: []ModeChange{{true, 'l', "10"}}}},
		{"-l", []string{"ignored"}, ParsedModes{Changes: []ModeChange{{false, 'l', ""}}}},
		{"b", nil, ParsedModes{Lists: []byte{'b'}}},
		{"+b", []string{"*!*@host"}, ParsedModes{Changes: []ModeChange{{true, 'b', "*!*@host"}}}},
		{"+X", nil, ParsedModes{Unknown: []byte{'X'}}},
		{"+o", nil, ParsedModes{}},
		{"+ooooooo", []string{"a", "b", "c", "d", "e", "f", "g"}, ParsedModes{Changes: []ModeChange{
			{true, 'o', "a"}, {true, 'o', "b"}, {true, 'o', "c"}, {true, 'o', "d"}, {true, 'o', "e"}, {true, 'o', "f"}}}},
	}
	for _, tc := range tests {
		got := ParseChannelModes(tc.modes, tc.args)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseChannelModes(%q, %q) = %+v, want %+v", tc.modes, tc.args, got, tc.want)
		}
	}
}

func TestFormatModeChanges(t *testing.T) {
	got := FormatModeChanges([]ModeChange{{true, 'o', "a"}, {true, 'v', "b"}, {false, 'm', ""}, {true, 'l', "5"}})
	want := []string{"+ov-m+l", "a", "b", "5"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// FuzzParseChannelModes checks that any MODE line parses without panic, that no change carries an
// unknown letter, and that parameter modes never exceed MaxModesPerCommand.
func FuzzParseChannelModes(f *testing.F) {
	f.Add("+ntk", "key")
	f.Add("+o-v+b-b", "a b *!*@x y")
	f.Add("b", "")
	f.Add("+lll", "1 2 3")
	f.Add("-+-+", "")
	f.Fuzz(func(t *testing.T, modes, args string) {
		p := ParseChannelModes(modes, splitSpaces(args))
		withParam := 0
		for _, ch := range p.Changes {
			if classify(ch.Mode) == classUnknown {
				t.Fatalf("unknown mode %q in changes", ch.Mode)
			}
			if ch.Arg != "" && ch.Arg != "*" {
				withParam++
			}
		}
		if withParam > MaxModesPerCommand {
			t.Fatalf("%d parameter modes", withParam)
		}
	})
}

func splitSpaces(s string) []string {
	var out []string
	start := -1
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	return out
}
