package jshistory

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/cluster/embedded"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/storetest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// server starts an embedded JetStream server in dir and returns a JetStream context on it.
func server(t testing.TB, dir string) (*embedded.Server, jetstream.JetStream) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := embedded.Start(ctx, embedded.Options{DataDir: dir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	return s, peer(t, s, "test")
}

// serverWithSnapshot starts a server in a new directory and returns its JetStream and the path
// of an index snapshot in that directory.
func serverWithSnapshot(t testing.TB) (jetstream.JetStream, string) {
	t.Helper()
	dir := t.TempDir()
	_, js := server(t, dir)
	return js, filepath.Join(dir, "index.snap")
}

func open(t testing.TB, js jetstream.JetStream, opt Options) *History {
	t.Helper()
	opt.Network, opt.Fold, opt.Logger = "Test Net", storetest.Fold, quiet
	h, err := Open(context.Background(), js, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

func TestContract(t *testing.T) {
	storetest.RunHistory(t, func(t *testing.T, maxPer int) store.History {
		_, js := server(t, t.TempDir())
		return open(t, js, Options{MaxPerTarget: maxPer})
	})
}

func privmsg(at time.Time, target, text string) *model.Event {
	return &model.Event{Kind: model.KindPrivmsg, ID: ids.New(at), Time: at, Source: model.Prefix{Nick: "alice"},
		Target: target, Text: text}
}

var ids = model.NewMsgIDSource()

// TestRestartRebuildsIndex stores, stops the server, starts it on the same directory, and finds
// everything through a new index: start-up scan, search and redaction included.
func TestRestartRebuildsIndex(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	s, js := server(t, dir)
	h := open(t, js, Options{})
	now := time.Now()
	var entries []store.Entry
	for i := range 50 {
		ev := privmsg(now.Add(time.Duration(i)*time.Millisecond), "#a", "word"+strings.Repeat("x", i%3))
		entries = append(entries, store.Entry{Target: store.Channel("#a"), Event: ev})
	}
	entries = append(entries, store.Entry{Target: store.Private("alice", "bob"), Event: privmsg(now, "bob", "secret")})
	if err := h.Append(ctx, entries); err != nil {
		t.Fatal(err)
	}
	h.Close()
	s.Shutdown()

	_, js = server(t, dir)
	h = open(t, js, Options{})
	if h.Scanned().Messages != 51 {
		t.Fatalf("scan indexed %d messages, want 51", h.Scanned().Messages)
	}
	got, err := h.Latest(ctx, store.Channel("#A"), store.Bound{}, 100)
	if err != nil || len(got) != 50 || got[49].ID != entries[49].Event.ID {
		t.Fatalf("latest after restart: %d events, err %v", len(got), err)
	}
	found, err := h.Search(ctx, store.SearchQuery{Targets: []store.Target{store.Private("Alice", "BOB")}, Text: "secret", Limit: 10})
	if err != nil || len(found) != 1 {
		t.Fatalf("search after restart: %v, %v", found, err)
	}
	if _, err := h.Redact(ctx, store.Channel("#a"), entries[0].Event.ID); err != nil {
		t.Fatalf("redact after restart: %v", err)
	}
}

// TestExpiry: history.max_age drops messages from queries, search and the stream itself.
func TestExpiry(t *testing.T) {
	_, js := server(t, t.TempDir())
	h := open(t, js, Options{MaxAge: time.Second})
	ctx := t.Context()
	if err := h.Append(ctx, []store.Entry{{Target: store.Channel("#a"), Event: privmsg(time.Now(), "#a", "soon gone")}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := h.Latest(ctx, store.Channel("#a"), store.Bound{}, 10); len(got) != 1 {
		t.Fatalf("fresh message not found: %v", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, err := h.Latest(ctx, store.Channel("#a"), store.Bound{}, 10)
		info, _ := h.stream.Info(ctx)
		if err == nil && len(got) == 0 && h.Len() == 0 && info.State.Msgs == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after max_age: %d events, index %d, stream %d", len(got), h.Len(), info.State.Msgs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	found, _ := h.Search(ctx, store.SearchQuery{Targets: []store.Target{store.Channel("#a")}, Text: "gone", Limit: 5})
	if len(found) != 0 {
		t.Fatalf("search found an expired message")
	}
}

// TestDeleteAccountPurgesStream checks the purge reaches the stream, not just the index.
func TestDeleteAccountPurgesStream(t *testing.T) {
	_, js := server(t, t.TempDir())
	h := open(t, js, Options{})
	ctx := t.Context()
	ev := privmsg(time.Now(), "bob", "hi")
	if err := h.Append(ctx, []store.Entry{{Target: store.Private("alice", "bob"), Event: ev}, {Target: store.Private("bob", "alice"), Event: ev}}); err != nil {
		t.Fatal(err)
	}
	if err := h.DeleteAccount(ctx, "ALICE"); err != nil {
		t.Fatal(err)
	}
	info, err := h.stream.Info(ctx, jetstream.WithSubjectFilter(">"))
	if err != nil {
		t.Fatal(err)
	}
	// Left: bob's copy, and the record that tells the other nodes alice's history is gone.
	if info.State.Msgs != 2 || len(info.State.Subjects) != 2 {
		t.Fatalf("stream after deleting alice: %d messages, subjects %v", info.State.Msgs, info.State.Subjects)
	}
	for subj := range info.State.Subjects {
		if !strings.Contains(subj, ".pm.bob.") && !strings.HasSuffix(subj, ".drop.alice") {
			t.Fatalf("left subject %s, want bob's conversation and alice's drop record", subj)
		}
	}
}

func TestExport(t *testing.T) {
	_, js := server(t, t.TempDir())
	h := open(t, js, Options{})
	ctx := t.Context()
	now := time.Now()
	var entries []store.Entry
	for i := range 3 {
		entries = append(entries, store.Entry{Target: store.Channel("#a"), Event: privmsg(now.Add(time.Duration(i)), "#a", "line")})
	}
	entries = append(entries, store.Entry{Target: store.Channel("#b"), Event: privmsg(now, "#b", "other")})
	if err := h.Append(ctx, entries); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	n, err := Export(ctx, js, "Test Net", storetest.Fold, store.Channel("#A"), &out)
	if err != nil || n != 3 {
		t.Fatalf("export: %d records, %v", n, err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], `"msgid":"`+entries[0].Event.ID+`"`) || !strings.Contains(lines[0], `"target":"#a"`) {
		t.Fatalf("export wrote %q", out.String())
	}
}
