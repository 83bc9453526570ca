package ircmsg

import (
	"reflect"
	"testing"
)

func TestAppend(t *testing.T) {
	tests := []struct {
		name string
		m    Message
		want string
	}{
		{"command only", Message{Command: "PING"}, "PING"},
		{"bare last param", New("n!u@h", "JOIN", "#c"), ":n!u@h JOIN #c"},
		{"last param with space", New("s", "PRIVMSG", "#c", "hi there"), ":s PRIVMSG #c :hi there"},
		{"empty last param", New("", "TOPIC", "#c", ""), "TOPIC #c :"},
		{"last param starting with ':'", New("", "PRIVMSG", "#c", ":)"), "PRIVMSG #c ::)"},
		{"numeric", New("irc.example", RPL_WELCOME, "nick", "Welcome to parley"),
			":irc.example 001 nick :Welcome to parley"},
		{"tags", Message{
			Tags:    []Tag{{"time", "2024-01-02T03:04:05.678Z"}, {"+draft/reply", ""}, {"a", "x; y\\"}},
			Command: "TAGMSG", Params: []string{"#c"}},
			`@time=2024-01-02T03:04:05.678Z;+draft/reply;a=x\:\sy\\ TAGMSG #c`},
		{"invalid tag keys left out", Message{
			Tags: []Tag{{"bad key", "1"}, {"ok", "2"}, {"", "3"}}, Command: "CMD"}, "@ok=2 CMD"},
		{"only invalid tag keys", Message{Tags: []Tag{{"a;b", "1"}}, Command: "CMD"}, "CMD"},
		{"empty tags slice", Message{Tags: []Tag{}, Command: "CMD"}, "CMD"},
		// Programming errors still give a parseable line.
		{"middle param with space", New("", "CMD", "a b", "c", "d e"), "CMD :a b c d e"},
		{"empty middle param", New("", "CMD", "", "c"), "CMD : c"},
		{"middle param starting with ':'", New("", "CMD", "x", ":y", "z"), "CMD x ::y z"},
		{"CRLF injection in text", New("s", "PRIVMSG", "#c", "hi\r\nQUIT :x"), ":s PRIVMSG #c :hi  QUIT :x"},
		{"CRLF injection in middle", New("", "CMD", "a\nb", "c"), "CMD :a b c"},
		{"NUL in text", New("", "PRIVMSG", "#c", "a\x00b"), "PRIVMSG #c :a b"},
		{"bad source and command", New("a b\r", "PRIV MSG\n", "x"), ":a_b_ PRIV_MSG_ x"},
	}
	for _, tt := range tests {
		got := string(tt.m.Append([]byte("prefix|")))
		if got != "prefix|"+tt.want+"\r\n" {
			t.Errorf("%s: Append = %q, want %q", tt.name, got, "prefix|"+tt.want+"\r\n")
		}
		if s := tt.m.String(); s != tt.want {
			t.Errorf("%s: String = %q, want %q", tt.name, s, tt.want)
		}
		if _, err := ParseString(tt.want); err != nil {
			t.Errorf("%s: the output does not parse: %v", tt.name, err)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, line := range seedLines {
		m, err := ParseString(line)
		if err != nil {
			t.Errorf("ParseString(%q): %v", line, err)
			continue
		}
		again, err := ParseString(m.String())
		if err != nil {
			t.Errorf("re-parse of %q (from %q): %v", m.String(), line, err)
			continue
		}
		if !reflect.DeepEqual(m, again) {
			t.Errorf("round trip of %q\n got %#v\nwant %#v", line, again, m)
		}
	}
}

func TestAppendDoesNotAllocate(t *testing.T) {
	m := Message{
		Tags:    []Tag{{"time", "2024-01-02T03:04:05.678Z"}, {"msgid", "x y"}},
		Source:  "nick!user@host",
		Command: "PRIVMSG",
		Params:  []string{"#chan", "hello there\r\n"},
	}
	buf := make([]byte, 0, 512)
	if n := testing.AllocsPerRun(100, func() { buf = m.Append(buf[:0]) }); n != 0 {
		t.Errorf("Append allocated %v times with a large enough buffer", n)
	}
}
