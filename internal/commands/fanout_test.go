package commands

import (
	"fmt"
	"sync"
	"testing"

	"github.com/parleychat/parley/internal/casemap"
	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/ircmsg"
)

// recordingOutput keeps every line written to it, as the very slices handed over.
type recordingOutput struct {
	mu    sync.Mutex
	lines [][]byte
}

func (o *recordingOutput) Write(line []byte) {
	o.mu.Lock()
	o.lines = append(o.lines, line)
	o.mu.Unlock()
}
func (o *recordingOutput) Close(string) {}

func (o *recordingOutput) last(t *testing.T) []byte {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.lines) == 0 {
		t.Fatal("nothing written")
	}
	return o.lines[len(o.lines)-1]
}

func newTestServer(cfg Config) *Server {
	net := core.New(core.Options{Casemap: casemap.RFC1459, Settings: core.DefaultSettings()})
	if cfg.ServerName == "" {
		cfg.ServerName = "irc.test"
	}
	return NewServer(net, cfg, func(string, []byte) bool { return true })
}

// run parses and runs lines for c.
func run(t *testing.T, s *Server, c *Client, lines ...string) {
	t.Helper()
	for _, line := range lines {
		m, err := ircmsg.ParseString(line)
		if err != nil {
			t.Fatal(err)
		}
		s.Run(c, &m)
	}
}

func newTestClient(t *testing.T, s *Server, nick string, caps CapSet) (*Client, *recordingOutput) {
	out := &recordingOutput{}
	c := s.NewClient(out, core.UserSpec{User: "u", Host: "127.0.0.1", IP: "127.0.0.1"}, "tcp")
	c.caps.store(caps)
	run(t, s, c, "NICK "+nick, "USER u 0 * :"+nick)
	return c, out
}

// The fan-out encodes once per capability variant: recipients whose relevant capabilities match share
// one []byte, and capabilities irrelevant to the event do not split the variants.
func TestFanoutSharesEncodingPerVariant(t *testing.T) {
	s := newTestServer(Config{})
	sender, _ := newTestClient(t, s, "sender", 0)
	tagged := CapSet(CapMessageTags | CapServerTime)
	variants := []CapSet{
		0,
		CapSet(CapMultiPrefix), // irrelevant to a PRIVMSG: same bytes as no caps
		tagged,
		tagged | CapSet(CapUserhostInNames|CapAwayNotify), // irrelevant extras again
		CapSet(CapServerTime),
	}
	outs := make([]*recordingOutput, len(variants))
	for i, caps := range variants {
		c, out := newTestClient(t, s, fmt.Sprintf("r%d", i), caps)
		outs[i] = out
		run(t, s, c, "JOIN #f")
	}
	run(t, s, sender, "JOIN #f", "PRIVMSG #f :hello")
	got := make([][]byte, len(outs))
	for i, o := range outs {
		got[i] = o.last(t)
	}
	same := func(a, b []byte) bool { return &a[0] == &b[0] }
	if !same(got[0], got[1]) {
		t.Error("clients with the same relevant caps got separate encodings (plain)")
	}
	if !same(got[2], got[3]) {
		t.Error("clients with the same relevant caps got separate encodings (tagged)")
	}
	if same(got[0], got[2]) || same(got[0], got[4]) || same(got[2], got[4]) {
		t.Error("clients with different relevant caps share an encoding")
	}
	if string(got[0]) != ":sender!~u@127.0.0.1 PRIVMSG #f hello\r\n" {
		t.Errorf("plain encoding %q", got[0])
	}
}
