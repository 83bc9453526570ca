package commands

import (
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/ircmsg"
)

func lines(o *recordingOutput) []ircmsg.Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []ircmsg.Message
	for _, l := range o.lines {
		m, err := ircmsg.ParseString(strings.TrimRight(string(l), "\r\n"))
		if err == nil {
			out = append(out, m)
		}
	}
	o.lines = nil
	return out
}

func TestSTSValue(t *testing.T) {
	s := newTestServer(Config{STS: &STSPolicy{Port: 6697, Duration: 30 * 24 * time.Hour}})
	cases := []struct {
		secure bool
		want   string
	}{
		{false, "port=6697,duration=2592000"},
		{true, "duration=2592000"},
	}
	for _, tc := range cases {
		v, ok := stsValue(s, tc.secure)
		if !ok || v != tc.want {
			t.Errorf("secure=%v: %q %v, want %q", tc.secure, v, ok, tc.want)
		}
	}
	s.SetConfig(Config{ServerName: "irc.test", STS: &STSPolicy{Port: 6697, Duration: time.Hour, Preload: true}})
	if v, _ := stsValue(s, true); v != "duration=3600,preload" {
		t.Errorf("preload value %q", v)
	}
	s.SetConfig(Config{ServerName: "irc.test"})
	if _, ok := stsValue(s, false); ok {
		t.Error("sts offered without a policy")
	}
}

func TestCapLSMultiline(t *testing.T) {
	s := newTestServer(Config{})
	c, out := newTestClient(t, s, "alice", 0)
	c.capVersion.Store(302)
	lines(out)
	entries := make([]string, 60)
	for i := range entries {
		entries[i] = "vendor.example/capability-" + strings.Repeat("x", i%7)
	}
	rb := newReplyBuffer(c, "")
	s.capList(c, rb, "LS", entries)
	rb.Flush()
	got := lines(out)
	if len(got) < 2 {
		t.Fatalf("%d lines for %d entries", len(got), len(entries))
	}
	var seen []string
	for i, m := range got {
		last := i == len(got)-1
		if (len(m.Params) == 4) == last || (!last && m.Param(2) != "*") {
			t.Fatalf("line %d: %q", i, m.String())
		}
		if len(m.String()) > 510 {
			t.Fatalf("line %d is %d bytes", i, len(m.String()))
		}
		seen = append(seen, strings.Fields(m.Params[len(m.Params)-1])...)
	}
	if strings.Join(seen, " ") != strings.Join(entries, " ") {
		t.Fatal("entries lost or reordered across lines")
	}
}

func TestNotifyCapsChanged(t *testing.T) {
	s := newTestServer(Config{})
	notified, nOut := newTestClient(t, s, "modern", 0)
	run(t, s, notified, "CAP LS 302")
	old, oOut := newTestClient(t, s, "old", 0)
	run(t, s, old, "CAP LS")
	secure, sOut := newTestClient(t, s, "secure", 0)
	secure.Secure = true
	run(t, s, secure, "CAP LS 302")
	lines(nOut)
	lines(oOut)
	lines(sOut)

	s.SetConfig(Config{ServerName: "irc.test", STS: &STSPolicy{Port: 6697, Duration: time.Minute}})
	if got := lines(nOut); len(got) != 1 || !params(got[0], "CAP", "modern", "NEW", "sts=port=6697,duration=60") {
		t.Fatalf("CAP NEW to a 302 client: %v", got)
	}
	if got := lines(sOut); len(got) != 1 || !params(got[0], "CAP", "secure", "NEW", "sts=duration=60") {
		t.Fatalf("CAP NEW to a secure client: %v", got)
	}
	if got := lines(oOut); len(got) != 0 {
		t.Fatalf("client without cap-notify told: %v", got)
	}
	// The same config again changes nothing and says nothing.
	s.SetConfig(Config{ServerName: "irc.test", STS: &STSPolicy{Port: 6697, Duration: time.Minute}})
	if got := lines(nOut); len(got) != 0 {
		t.Fatalf("unchanged caps announced: %v", got)
	}
	s.SetConfig(Config{ServerName: "irc.test"})
	if got := lines(nOut); len(got) != 1 || !params(got[0], "CAP", "modern", "DEL", "sts") {
		t.Fatalf("CAP DEL: %v", got)
	}
}

// params reports whether m is command with exactly these parameters.
func params(m ircmsg.Message, command string, p ...string) bool {
	return m.Command == command && strings.Join(m.Params, "\x00") == strings.Join(p, "\x00")
}

func TestPackWords(t *testing.T) {
	if got := packWords(nil, 10); len(got) != 1 || got[0] != "" {
		t.Fatalf("empty: %q", got)
	}
	got := packWords([]string{"aaaa", "bbbb", "cccc", "toolongword"}, 9)
	if strings.Join(got, "|") != "aaaa bbbb|cccc|toolongword" {
		t.Fatalf("%q", got)
	}
}

func TestStandardReplies(t *testing.T) {
	s := newTestServer(Config{})
	c, out := newTestClient(t, s, "alice", 0)
	lines(out)
	rb := newReplyBuffer(c, "")
	rb.Fail("CMD", "CODE", "ctx", "failed")
	rb.Warn("CMD", "CODE", "warned")
	rb.Note("*", "CODE", "noted")
	rb.Flush()
	got := lines(out)
	wantLines := []string{
		":irc.test FAIL CMD CODE ctx failed",
		":irc.test WARN CMD CODE warned",
		":irc.test NOTE * CODE noted",
	}
	for i, w := range wantLines {
		if i >= len(got) || got[i].String() != w {
			t.Fatalf("got %v, want %v", got, wantLines)
		}
	}
}
