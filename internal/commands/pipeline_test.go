package commands

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/store"
)

// gatedHistory acknowledges a submission only when the test releases it.
type gatedHistory struct {
	mu      sync.Mutex
	pending []chan error
}

func (h *gatedHistory) Append(ctx context.Context, entries []store.Entry) error { return nil }
func (h *gatedHistory) Record(entries []store.Entry)                            {}
func (h *gatedHistory) Submit(entries []store.Entry) <-chan error {
	ch := make(chan error, 1)
	h.mu.Lock()
	h.pending = append(h.pending, ch)
	h.mu.Unlock()
	return ch
}

// release acknowledges every submission so far, with err.
func (h *gatedHistory) release(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, ch := range h.pending {
		ch <- err
	}
	h.pending = nil
}

func (o *recordingOutput) text() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var b strings.Builder
	for _, l := range o.lines {
		b.Write(l)
	}
	return b.String()
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestEchoWaitsForHistory: the echo (and everything after it) waits until the message is stored,
// while recipients get the message at once; the reader is never blocked.
func TestEchoWaitsForHistory(t *testing.T) {
	s := newTestServer(Config{})
	h := &gatedHistory{}
	s.Net.SetHistory(h)
	alice, aout := newTestClient(t, s, "alice", CapSet(CapEchoMessage))
	bob, bout := newTestClient(t, s, "bob", 0)
	run(t, s, alice, "JOIN #c")
	run(t, s, bob, "JOIN #c")
	before := len(aout.text())

	run(t, s, alice, "PRIVMSG #c :msg one", "PRIVMSG #c :msg two", "PING after")
	if !strings.Contains(bout.text(), "PRIVMSG #c :msg two") {
		t.Fatalf("recipients must not wait for the history: %q", bout.text())
	}
	if got := aout.text()[before:]; strings.Contains(got, "PRIVMSG") || strings.Contains(got, "PONG") {
		t.Fatalf("echo or a later reply went out before the message was stored: %q", got)
	}
	h.release(nil)
	waitFor(t, "the echoes and the PONG", func() bool { return strings.Contains(aout.text(), "PONG") })
	got := aout.text()[before:]
	one, two, pong := strings.Index(got, ":msg one"), strings.Index(got, ":msg two"), strings.Index(got, "PONG")
	if one < 0 || two < one || pong < two {
		t.Fatalf("replies out of order: %q", got)
	}

	run(t, s, alice, "PRIVMSG #c :msg three")
	h.release(errors.New("disk full"))
	waitFor(t, "the FAIL", func() bool { return strings.Contains(aout.text(), "MESSAGE_NOT_STORED") })
	if strings.Contains(aout.text(), ":msg three") {
		t.Fatal("a message that was not stored was echoed as if it were")
	}
}
