package ircmsg

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		line string
		want Message
	}{
		{"PING", Message{Command: "PING"}},
		{"ping :x", Message{Command: "PING", Params: []string{"x"}}},
		{"privMsg #c hi", Message{Command: "PRIVMSG", Params: []string{"#c", "hi"}}},
		{"001 nick :Welcome home", Message{Command: "001", Params: []string{"nick", "Welcome home"}}},
		{":irc.example.com 005 n A=1 B :are supported", Message{
			Source: "irc.example.com", Command: "005", Params: []string{"n", "A=1", "B", "are supported"}}},
		{":nick!user@host PRIVMSG #chan :hello there", Message{
			Source: "nick!user@host", Command: "PRIVMSG", Params: []string{"#chan", "hello there"}}},
		// The trailing parameter may be empty, start with ':' or hold spaces.
		{"TOPIC #c :", Message{Command: "TOPIC", Params: []string{"#c", ""}}},
		{"PRIVMSG #c ::-)", Message{Command: "PRIVMSG", Params: []string{"#c", ":-)"}}},
		{"PRIVMSG #c :  two  spaces ", Message{Command: "PRIVMSG", Params: []string{"#c", "  two  spaces "}}},
		// A ':' inside a middle parameter is ordinary.
		{"MODE #c +b a:b", Message{Command: "MODE", Params: []string{"#c", "+b", "a:b"}}},
		// Runs of spaces, leading and trailing spaces are tolerated.
		{"  :src   PRIVMSG   #c   x   ", Message{Source: "src", Command: "PRIVMSG", Params: []string{"#c", "x"}}},
		{"@a=b    :src   CMD", Message{Tags: []Tag{{"a", "b"}}, Source: "src", Command: "CMD"}},
		// A trailing CR, LF or CRLF is stripped.
		{"PING x\r\n", Message{Command: "PING", Params: []string{"x"}}},
		{"PING x\n", Message{Command: "PING", Params: []string{"x"}}},
		{"PING x\r", Message{Command: "PING", Params: []string{"x"}}},
		// Tags.
		{"@time=2024-01-02T03:04:05.678Z;msgid=abc :n!u@h PRIVMSG #c :hi", Message{
			Tags:   []Tag{{"time", "2024-01-02T03:04:05.678Z"}, {"msgid", "abc"}},
			Source: "n!u@h", Command: "PRIVMSG", Params: []string{"#c", "hi"}}},
		{"@a;b=;+c=d;example.com/e=f;+example.com/g TAGMSG #c", Message{
			Tags:    []Tag{{"a", ""}, {"b", ""}, {"+c", "d"}, {"example.com/e", "f"}, {"+example.com/g", ""}},
			Command: "TAGMSG", Params: []string{"#c"}}},
		{`@+example=raw+:=,escaped\:\s\\ NOTICE #c :m`, Message{
			Tags: []Tag{{"+example", `raw+:=,escaped; \`}}, Command: "NOTICE", Params: []string{"#c", "m"}}},
		{`@a=x\r\ny\zz\s;b=trail\ CMD`, Message{
			Tags: []Tag{{"a", "x\r\nyzz "}, {"b", "trail"}}, Command: "CMD"}},
		// Duplicate keys: one tag, at the first position, with the last value.
		{"@a=1;b=2;a=3 CMD", Message{Tags: []Tag{{"a", "3"}, {"b", "2"}}, Command: "CMD"}},
		// Values may hold '=' and any UTF-8.
		{"@a=b=c;d=héllo CMD", Message{Tags: []Tag{{"a", "b=c"}, {"d", "héllo"}}, Command: "CMD"}},
		// More than 15 params are kept.
		{"CMD 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 :17 x", Message{Command: "CMD", Params: []string{
			"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17 x"}}},
		// Unusual commands are the dispatcher's business (421), and so are
		// control characters in parameters (CTCP).
		{"FOO-BAR x", Message{Command: "FOO-BAR", Params: []string{"x"}}},
		{"ünï x", Message{Command: "üNï", Params: []string{"x"}}},
		{":s :weird", Message{Source: "s", Command: ":WEIRD"}},
		{"PRIVMSG n :\x01ACTION\twaves\x01", Message{Command: "PRIVMSG", Params: []string{"n", "\x01ACTION\twaves\x01"}}},
	}
	for _, tt := range tests {
		got, err := ParseString(tt.line)
		if err != nil {
			t.Errorf("ParseString(%q): %v", tt.line, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseString(%q)\n got %#v\nwant %#v", tt.line, got, tt.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		line string
		lim  Limits
		want error
	}{
		{"", DefaultLimits, ErrEmpty},
		{"   ", DefaultLimits, ErrEmpty},
		{"\r\n", DefaultLimits, ErrEmpty},
		{"@a=b", DefaultLimits, ErrNoCommand},
		{"@a=b   ", DefaultLimits, ErrNoCommand},
		{":src", DefaultLimits, ErrNoCommand},
		{"@a :src  ", DefaultLimits, ErrNoCommand},
		{": PRIVMSG #c x", DefaultLimits, ErrMalformed},
		{"PRIVMSG #c :a\x00b", DefaultLimits, ErrMalformed},
		{"PRIVMSG #c :a\rb", DefaultLimits, ErrMalformed},
		{"PRIVMSG #c :a\nb", DefaultLimits, ErrMalformed},
		{"PRIV\tMSG #c", DefaultLimits, ErrMalformed},
		{"\x01 #c", DefaultLimits, ErrMalformed},
		{"@ CMD", DefaultLimits, ErrBadTags},
		{"@a=b; CMD", DefaultLimits, ErrBadTags},
		{"@;a=b CMD", DefaultLimits, ErrBadTags},
		{"@a;;b CMD", DefaultLimits, ErrBadTags},
		{"@=v CMD", DefaultLimits, ErrBadTags},
		{"@+ CMD", DefaultLimits, ErrBadTags},
		{"@a_b CMD", DefaultLimits, ErrBadTags},
		{"@/a CMD", DefaultLimits, ErrBadTags},
		{"@ex!.com/a CMD", DefaultLimits, ErrBadTags},
		{"@example.com/ CMD", DefaultLimits, ErrBadTags},
		{"@a=\xff CMD", DefaultLimits, ErrInvalidUTF8},
		{"@a=\xff CMD", Limits{}, ErrInvalidUTF8},
		{"PRIVMSG #c :\xff", Limits{UTF8Only: true}, ErrInvalidUTF8},
		{"PRIVMSG #c :" + strings.Repeat("x", 499), DefaultLimits, ErrLineTooLong}, // 511 + CRLF
		{"@a=b PRIVMSG #c :" + strings.Repeat("x", 499), DefaultLimits, ErrLineTooLong},
		{" PRIVMSG #c :" + strings.Repeat("x", 498), DefaultLimits, ErrLineTooLong},
		{"@a=" + strings.Repeat("v", 4093) + " CMD", DefaultLimits, ErrClientTagsTooLong}, // 4095 bytes of data
		{"@a=" + strings.Repeat("v", 8188) + " CMD", DefaultLimits, ErrTagsTooLong},       // 8192 with '@' and ' '
		{"@a=" + strings.Repeat("v", 8188), DefaultLimits, ErrTagsTooLong},
		{"@a=" + strings.Repeat("v", 30) + " CMD", Limits{MaxTags: 32}, ErrTagsTooLong},
		// The limit errors come first, whatever else is wrong.
		{"@a;;b PRIVMSG #c :\x00" + strings.Repeat("x", 600), DefaultLimits, ErrLineTooLong},
	}
	for _, tt := range tests {
		m, err := Parse([]byte(tt.line), tt.lim)
		if !errors.Is(err, tt.want) {
			t.Errorf("Parse(%.40q) error = %v, want %v", tt.line, err, tt.want)
		}
		if err != nil && !reflect.DeepEqual(m, Message{}) {
			t.Errorf("Parse(%.40q) returned %#v with an error", tt.line, m)
		}
	}
}

// TestParseLimitsBoundaries checks that each limit accepts its exact maximum.
func TestParseLimitsBoundaries(t *testing.T) {
	ok := []struct {
		name string
		line string
		lim  Limits
	}{
		{"510-byte body", "PRIVMSG #c :" + strings.Repeat("x", 498), DefaultLimits},
		{"510-byte body after tags", "@a=b PRIVMSG #c :" + strings.Repeat("x", 498), DefaultLimits},
		{"4094 bytes of client tag data", "@a=" + strings.Repeat("v", 4092) + " CMD", DefaultLimits},
		{"8191-byte tags section", "@a=" + strings.Repeat("v", 8187) + " CMD", Limits{MaxTags: 8191}},
		{"no limits", "@a=" + strings.Repeat("v", 20000) + " CMD :" + strings.Repeat("x", 20000), Limits{}},
		{"invalid UTF-8 allowed in the body", "PRIVMSG #c :\xff\xfe", DefaultLimits},
	}
	for _, tt := range ok {
		if _, err := Parse([]byte(tt.line), tt.lim); err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
}

// TestParseDoesNotAlias checks that the Message survives reuse of the read
// buffer it was parsed from.
func TestParseDoesNotAlias(t *testing.T) {
	buf := []byte("@a=b :src privmsg #c :hello")
	m, err := Parse(buf, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	for i := range buf {
		buf[i] = 'Z'
	}
	want := Message{Tags: []Tag{{"a", "b"}}, Source: "src", Command: "PRIVMSG", Params: []string{"#c", "hello"}}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("after reuse of the buffer: %#v", m)
	}
}

// TestParseManyDuplicateTags exercises the map used to find duplicates once
// a line holds many tags.
func TestParseManyDuplicateTags(t *testing.T) {
	var b strings.Builder
	b.WriteByte('@')
	for i := range 40 {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(string(rune('a' + i%20)))
		b.WriteString("=")
		b.WriteString(strings.Repeat("v", i))
	}
	b.WriteString(" CMD")
	m, err := ParseString(b.String())
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Tags) != 20 {
		t.Fatalf("got %d tags, want 20", len(m.Tags))
	}
	for i, tag := range m.Tags {
		if tag.Key != string(rune('a'+i)) || len(tag.Value) != 20+i {
			t.Errorf("tag %d = %q=%d bytes, want %c=%d bytes", i, tag.Key, len(tag.Value), 'a'+i, 20+i)
		}
	}
}

func TestMessageAccessors(t *testing.T) {
	m, err := ParseString("@a=1;b :s CMD x :y z")
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := m.Tag("a"); v != "1" || !ok {
		t.Errorf(`Tag("a") = %q, %v`, v, ok)
	}
	if v, ok := m.Tag("b"); v != "" || !ok {
		t.Errorf(`Tag("b") = %q, %v`, v, ok)
	}
	if v, ok := m.Tag("c"); v != "" || ok {
		t.Errorf(`Tag("c") = %q, %v`, v, ok)
	}
	for i, want := range []string{"", "x", "y z", ""} {
		if got := m.Param(i - 1); got != want {
			t.Errorf("Param(%d) = %q, want %q", i-1, got, want)
		}
	}
	n := New("srv", "PONG", "srv", "tok")
	if n.Source != "srv" || n.Command != "PONG" || !reflect.DeepEqual(n.Params, []string{"srv", "tok"}) {
		t.Errorf("New = %#v", n)
	}
}
