package ircmsg

import "testing"

func TestEscapeTagValue(t *testing.T) {
	tests := []struct{ raw, escaped string }{
		{"", ""},
		{"plain", "plain"},
		{"a;b", `a\:b`},
		{"a b", `a\sb`},
		{`a\b`, `a\\b`},
		{"a\rb\nc", `a\rb\nc`},
		{`raw+:=,escaped; \`, `raw+:=,escaped\:\s\\`},
		{"héllo wörld", `héllo\swörld`},
		{"\t\x01", "\t\x01"},
	}
	for _, tt := range tests {
		if got := EscapeTagValue(tt.raw); got != tt.escaped {
			t.Errorf("EscapeTagValue(%q) = %q, want %q", tt.raw, got, tt.escaped)
		}
		if got := string(AppendEscapedTagValue([]byte("x"), tt.raw)); got != "x"+tt.escaped {
			t.Errorf("AppendEscapedTagValue(%q) = %q, want %q", tt.raw, got, "x"+tt.escaped)
		}
		if got := UnescapeTagValue(tt.escaped); got != tt.raw {
			t.Errorf("UnescapeTagValue(%q) = %q, want %q", tt.escaped, got, tt.raw)
		}
	}
}

func TestEscapeTagValueDropsNUL(t *testing.T) {
	if got := EscapeTagValue("a\x00b\x00"); got != "ab" {
		t.Errorf("got %q, want %q", got, "ab")
	}
}

func TestUnescapeTagValueLenient(t *testing.T) {
	tests := []struct{ in, want string }{
		{`test\`, "test"}, // a trailing lone '\' is dropped
		{`\`, ""},
		{`a\bc`, "abc"}, // unknown escape: the character itself
		{`\\\`, `\`},
		{`\\s`, `\s`},
		{`a\é`, "aé"}, // unknown escape of a multi-byte character
		{`\:\s\r\n`, "; \r\n"},
		{`x\:\:`, "x;;"},
		{"no escapes", "no escapes"},
	}
	for _, tt := range tests {
		if got := UnescapeTagValue(tt.in); got != tt.want {
			t.Errorf("UnescapeTagValue(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidTagKey(t *testing.T) {
	valid := []string{"a", "msgid", "time", "+typing", "draft/reply", "+draft/react", "example.com/foo-bar",
		"+example.com/x", "a-b-c", "ABC123", "xn--e1afmkfd.org/foo"}
	invalid := []string{"", "+", "/", "a/", "/a", "+/a", "a_b", "a b", "a;b", "a=b", "ex!.com/a", "a/b/c",
		"++a", "é", "a.b"}
	for _, k := range valid {
		if !ValidTagKey(k) {
			t.Errorf("ValidTagKey(%q) = false, want true", k)
		}
	}
	for _, k := range invalid {
		if ValidTagKey(k) {
			t.Errorf("ValidTagKey(%q) = true, want false", k)
		}
	}
}

func TestEscapeNoAllocWhenClean(t *testing.T) {
	s := "2024-01-02T03:04:05.678Z"
	if n := testing.AllocsPerRun(100, func() { _ = EscapeTagValue(s); _ = UnescapeTagValue(s) }); n != 0 {
		t.Errorf("allocs = %v, want 0", n)
	}
}
