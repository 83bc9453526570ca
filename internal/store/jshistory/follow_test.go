package jshistory

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/cluster/embedded"
	"github.com/parleychat/parley/internal/store"
)

// peer returns a JetStream context on a connection of its own to s: another node's view of the
// same stream.
func peer(t testing.TB, s *embedded.Server, name string) jetstream.JetStream {
	t.Helper()
	nc, err := s.Connect(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// caughtUp is CatchUp bounded by a few seconds.
func caughtUp(t testing.TB, h *History) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.CatchUp(ctx); err != nil {
		t.Fatalf("catching up: %v", err)
	}
}

// checkFor polls f until it returns nil or the wait is over.
func checkFor(t *testing.T, wait time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestFollowerSeesOtherNode: what one History stores, another on the same stream finds, without
// a restart: by itself within a bounded wait, and at once after CatchUp.
func TestFollowerSeesOtherNode(t *testing.T) {
	s, js := server(t, t.TempDir())
	a := open(t, js, Options{})
	b := open(t, peer(t, s, "b"), Options{})
	now := time.Now()
	appendTexts(t, a, "#a", now, "one", "two")
	checkFor(t, 5*time.Second, func() error {
		if got := latestTexts(t, b, store.Channel("#a")); !equal(got, []string{"one", "two"}) {
			return fmt.Errorf("b sees %q of a's messages", got)
		}
		return nil
	})
	appendTexts(t, b, "#a", now.Add(time.Second), "three")
	appendTexts(t, a, "#a", now.Add(2*time.Second), "four")
	caughtUp(t, b)
	caughtUp(t, a)
	want := []string{"one", "two", "three", "four"}
	for name, h := range map[string]*History{"a": a, "b": b} {
		if got := latestTexts(t, h, store.Channel("#a")); !equal(got, want) {
			t.Errorf("%s after CatchUp: %q, want %q", name, got, want)
		}
		if h.Len() != 4 {
			t.Errorf("%s indexes %d messages, want 4 (its own appends once)", name, h.Len())
		}
		found, err := h.Search(t.Context(), store.SearchQuery{Targets: []store.Target{store.Channel("#a")}, Text: "three", Limit: 5})
		if err != nil || len(found) != 1 {
			t.Errorf("%s searching another node's message: %v %v", name, found, err)
		}
	}
}

// TestFollowerNoGapAtStart: messages stored while a History opens (between its scan and its
// follower) are all indexed.
func TestFollowerNoGapAtStart(t *testing.T) {
	s, js := server(t, t.TempDir())
	a := open(t, js, Options{})
	appendTexts(t, a, "#a", time.Now().Add(-time.Minute), "before")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	sent := 1
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			ev := privmsg(time.Now(), "#a", fmt.Sprintf("during %d", i))
			if err := a.Append(context.Background(), []store.Entry{{Target: store.Channel("#a"), Event: ev}}); err != nil {
				t.Error(err)
				return
			}
			sent++
		}
	}()
	time.Sleep(20 * time.Millisecond)
	var opened []*History
	for i := range 3 {
		opened = append(opened, open(t, peer(t, s, fmt.Sprintf("b%d", i)), Options{}))
	}
	time.Sleep(20 * time.Millisecond)
	close(stop)
	wg.Wait()
	for i, b := range opened {
		caughtUp(t, b)
		if b.Len() != sent {
			t.Errorf("history %d opened during appends indexes %d messages, want %d", i, b.Len(), sent)
		}
	}
}

// TestDeletionsReachOtherNode: a redaction and an account deletion on one node leave the other
// node's index too, and stay gone through its snapshot and restart.
func TestDeletionsReachOtherNode(t *testing.T) {
	dir := t.TempDir()
	s, js := server(t, dir)
	snap := filepath.Join(dir, "b.snap")
	a := open(t, js, Options{})
	bjs := peer(t, s, "b")
	b := open(t, bjs, Options{SnapshotPath: snap})
	now := time.Now().Add(-time.Minute)
	appendTexts(t, a, "#a", now, "keep", "redact me")
	pm := privmsg(now, "bob", "private")
	if err := a.Append(t.Context(), []store.Entry{{Target: store.Private("alice", "bob"), Event: pm}}); err != nil {
		t.Fatal(err)
	}
	caughtUp(t, b)
	if b.Len() != 3 {
		t.Fatalf("b indexes %d messages before the deletions, want 3", b.Len())
	}
	evs, _ := a.Latest(t.Context(), store.Channel("#a"), store.Bound{}, 1)
	if _, err := a.Redact(t.Context(), store.Channel("#a"), evs[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := a.DeleteAccount(t.Context(), "Alice"); err != nil {
		t.Fatal(err)
	}
	caughtUp(t, b)
	check := func(h *History, when string) {
		t.Helper()
		if got := latestTexts(t, h, store.Channel("#a")); !equal(got, []string{"keep"}) {
			t.Errorf("%s: #a %q, want [keep]", when, got)
		}
		if h.Len() != 1 {
			t.Errorf("%s: %d indexed, want 1: the deleted messages are still in the index", when, h.Len())
		}
		ts, _ := h.Targets(t.Context(), "alice", nil, time.Time{}, time.Now().Add(time.Hour), 10)
		if len(ts) != 0 {
			t.Errorf("%s: the deleted account still has conversations %v", when, ts)
		}
	}
	check(b, "b after the deletions")
	check(a, "a after its follower met its own records")
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b2 := open(t, bjs, Options{SnapshotPath: snap})
	if !b2.Scanned().FromSnapshot {
		t.Errorf("b did not restart from its snapshot: %+v", b2.Scanned())
	}
	check(b2, "b restarted from its snapshot")
}

// TestOwnRedactionNotResurrected: a message this node redacts before its follower reached it
// does not come back when the delivery arrives late, and nor do its own appends twice.
func TestOwnRedactionNotResurrected(t *testing.T) {
	_, js := server(t, t.TempDir())
	h := open(t, js, Options{})
	h.stopFollowing() // the follower is behind from here on
	now := time.Now()
	appendTexts(t, h, "#a", now, "gone", "stays")
	evs, _ := h.Latest(t.Context(), store.Channel("#a"), store.Bound{}, 10)
	k := store.KeyOf(evs[0])
	seq, ok := h.x.Lookup(store.Channel("#a"), k)
	if !ok {
		t.Fatal("own append not indexed")
	}
	data, _ := encode(evs[0])
	if _, err := h.Redact(t.Context(), store.Channel("#a"), evs[0].ID); err != nil {
		t.Fatal(err)
	}
	// The delivery that was in flight when the message was deleted...
	h.ingest(seq, h.subj.of(store.Channel("#a")), data)
	if _, ok := h.x.Lookup(store.Channel("#a"), k); ok {
		t.Error("the redacted message is back in the index")
	}
	// ...then everything else, the redaction record included.
	if _, err := h.readFrom(t.Context(), h.pos.at()+1); err != nil {
		t.Fatal(err)
	}
	if got := latestTexts(t, h, store.Channel("#a")); !equal(got, []string{"stays"}) || h.Len() != 1 {
		t.Errorf("#a %q with %d indexed, want [stays] once", got, h.Len())
	}
	h.pos.mu.Lock()
	left := len(h.pos.skip)
	h.pos.mu.Unlock()
	if left != 0 {
		t.Errorf("%d settled sequences kept after the follower passed them", left)
	}
}

// TestFollowedRenameKeepsOrder: a rename met late by a follower moves only what was stored
// before it; the channel that took the old name afterwards keeps its own history. Both
// followers are held back and then read what they would have: b learns of everything late; a
// renamed and appended itself, so its index is ahead of its follower.
func TestFollowedRenameKeepsOrder(t *testing.T) {
	s, js := server(t, t.TempDir())
	a := open(t, js, Options{})
	b := open(t, peer(t, s, "b"), Options{})
	a.stopFollowing()
	b.stopFollowing()
	now := time.Now().Add(-time.Minute)
	appendTexts(t, a, "#old", now, "first channel")
	if err := a.RenameChannel(t.Context(), "#old", "#new"); err != nil {
		t.Fatal(err)
	}
	appendTexts(t, a, "#old", now.Add(time.Second), "second channel")
	for _, h := range []*History{a, b} {
		if _, err := h.readFrom(t.Context(), h.pos.at()+1); err != nil {
			t.Fatal(err)
		}
	}
	for name, h := range map[string]*History{"a": a, "b": b} {
		if got := latestTexts(t, h, store.Channel("#new")); !equal(got, []string{"first channel"}) {
			t.Errorf("%s: #new %q", name, got)
		}
		if got := latestTexts(t, h, store.Channel("#old")); !equal(got, []string{"second channel"}) {
			t.Errorf("%s: #old %q", name, got)
		}
	}
}

// TestFollowerSurvivesConsumerLoss: when the server loses the follower's consumer (its server
// restarted, a leader moved), the follower resumes after the last message it applied.
func TestFollowerSurvivesConsumerLoss(t *testing.T) {
	s, js := server(t, t.TempDir())
	a := open(t, js, Options{})
	b := open(t, peer(t, s, "b"), Options{})
	now := time.Now()
	appendTexts(t, a, "#a", now, "one")
	caughtUp(t, b)
	names := a.stream.ConsumerNames(t.Context())
	for name := range names.Name() {
		if err := a.stream.DeleteConsumer(t.Context(), name); err != nil {
			t.Fatal(err)
		}
	}
	if names.Err() != nil {
		t.Fatal(names.Err())
	}
	appendTexts(t, a, "#a", now.Add(time.Second), "two")
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Second)
	defer cancel()
	if err := b.CatchUp(ctx); err != nil {
		t.Fatalf("b after its consumer was deleted: %v", err)
	}
	if got := latestTexts(t, b, store.Channel("#a")); !equal(got, []string{"one", "two"}) || b.Len() != 2 {
		t.Errorf("b after the consumer loss: %q, %d indexed", got, b.Len())
	}
}

// TestCatchUpEmptyAndClosed: CatchUp returns at once on an empty stream, and an error once the
// history is closed.
func TestCatchUpEmptyAndClosed(t *testing.T) {
	_, js := server(t, t.TempDir())
	h := open(t, js, Options{})
	caughtUp(t, h)
	h.Close()
	if err := h.CatchUp(t.Context()); err == nil {
		t.Error("CatchUp on a closed history returned nil")
	}
}

// TestLastSeqIsTheNetworks: CatchUp's goal is the network's last message, not the stream's: a
// later message of another network would never reach this network's follower.
func TestLastSeqIsTheNetworks(t *testing.T) {
	_, js := server(t, t.TempDir())
	h := open(t, js, Options{})
	appendTexts(t, h, "#a", time.Now(), "one", "two")
	other, err := Open(t.Context(), js, Options{Network: "Other", Fold: h.opt.Fold, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	appendTexts(t, other, "#a", time.Now(), "elsewhere")
	last, err := h.lastSeq(t.Context())
	if err != nil || last != 2 {
		t.Errorf("lastSeq = %d, %v; want 2", last, err)
	}
	caughtUp(t, h)
	if l, _ := other.lastSeq(t.Context()); l != 3 {
		t.Errorf("the other network's lastSeq = %d, want 3", l)
	}
}
