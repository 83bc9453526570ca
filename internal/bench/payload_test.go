package bench

import (
	"bytes"
	"testing"
)

func TestAppendMessageRoundTrip(t *testing.T) {
	for _, size := range []int{0, 10, 140, maxSize} {
		line := appendMessage(nil, "#bench-fanout", "00c0ffee", 4242, 17, 1_700_000_000_123_456_789, size)
		if !bytes.HasPrefix(line, []byte("PRIVMSG #bench-fanout :pbm 00c0ffee 4242 17 1700000000123456789")) ||
			!bytes.HasSuffix(line, []byte("\r\n")) {
			t.Fatalf("size %d: line %q", size, line)
		}
		text := line[bytes.Index(line, []byte(" :"))+2 : len(line)-2]
		if size >= 45 && len(text) != size {
			t.Errorf("size %d: text is %d bytes", size, len(text))
		}
		// What a receiver sees: the server adds a source prefix.
		got := append([]byte(":pb1!u@host "), line[:len(line)-2]...)
		m := newMarker("00c0ffee")
		i := bytes.Index(got, m)
		if i < 0 {
			t.Fatalf("marker not found in %q", got)
		}
		sid, seq, ts, ok := parsePayload(got[i+len(m):])
		if !ok || sid != 4242 || seq != 17 || ts != 1_700_000_000_123_456_789 {
			t.Errorf("parsePayload = %d %d %d %v", sid, seq, ts, ok)
		}
	}
}

func TestParsePayloadRejects(t *testing.T) {
	for _, in := range []string{"", " 1 2", "1 2", "1", "x 2 3", "1 2 3x", "4294967296 1 1",
		"1 1 9223372036854775808", "1 99999999999999999999 1"} {
		if _, _, _, ok := parsePayload([]byte(in)); ok {
			t.Errorf("parsePayload(%q) accepted", in)
		}
	}
}

func TestSplitLine(t *testing.T) {
	for _, tc := range []struct{ in, cmd, rest string }{
		{"PING :abc", "PING", ":abc"},
		{":irc.example 001 pb0 :Welcome", "001", "pb0 :Welcome"},
		{"@time=2024-01-01T00:00:00Z :n!u@h PRIVMSG #c :hi", "PRIVMSG", "#c :hi"},
		{"ERROR :Closing link", "ERROR", ":Closing link"},
		{"QUIT", "QUIT", ""},
		{":only-source", "", ""},
	} {
		cmd, rest := splitLine([]byte(tc.in))
		if string(cmd) != tc.cmd || string(rest) != tc.rest {
			t.Errorf("splitLine(%q) = %q, %q; want %q, %q", tc.in, cmd, rest, tc.cmd, tc.rest)
		}
	}
	if p, tail := firstParam([]byte("pb0 :Welcome")); string(p) != "pb0" || string(tail) != ":Welcome" {
		t.Errorf("firstParam = %q %q", p, tail)
	}
	for in, want := range map[string]string{
		"pb0 :Welcome to it": "Welcome to it", ":text": "text", "a b": "b", "single": "single",
	} {
		if got := trailing([]byte(in)); string(got) != want {
			t.Errorf("trailing(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzPayload checks that the line scanner never panics on server input and
// that whatever parsePayload accepts re-encodes to the same numbers.
func FuzzPayload(f *testing.F) {
	for _, s := range []string{
		":pb1!u@h PRIVMSG #bench-fanout :pbm 00c0ffee 3 9 1700000000000000000 xxxx",
		":pb1!u@h PRIVMSG #c :pbm 00c0ffee 4294967295 18446744073709551615 9223372036854775807",
		"@a=b;c :s 001 pb0 :Welcome",
		"PING :token",
		":pbm 00c0ffee ",
		"",
		"@",
		": :",
	} {
		f.Add([]byte(s))
	}
	m := newMarker("00c0ffee")
	f.Fuzz(func(t *testing.T, line []byte) {
		splitLine(line)
		trailing(line)
		firstParam(line)
		i := bytes.Index(line, m)
		if i < 0 {
			return
		}
		sid, seq, ts, ok := parsePayload(line[i+len(m):])
		if !ok {
			return
		}
		if ts < 0 {
			t.Fatalf("negative timestamp %d accepted", ts)
		}
		re := appendMessage(nil, "#c", "00c0ffee", sid, seq, ts, 0)
		j := bytes.Index(re, m)
		s2, q2, t2, ok2 := parsePayload(bytes.TrimSuffix(re[j+len(m):], []byte("\r\n")))
		if !ok2 || s2 != sid || q2 != seq || t2 != ts {
			t.Fatalf("re-encoding %d %d %d gave %d %d %d %v", sid, seq, ts, s2, q2, t2, ok2)
		}
	})
}
