package jshistory

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/histindex"
	"github.com/parleychat/parley/internal/store/storetest"
)

func TestContractSolo(t *testing.T) {
	storetest.RunHistory(t, func(t *testing.T, maxPer int) store.History {
		_, js := server(t, t.TempDir())
		return open(t, js, Options{MaxPerTarget: maxPer, Solo: true})
	})
}

// soloTargets are every target soloWorkload stores under, or renames to.
var soloTargets = []store.Target{
	store.Channel("#a"), store.Channel("#b"), store.Channel("#old"), store.Channel("#new"),
	store.Channel("#newer"), store.Private("alice", "bob"), store.Private("bob", "alice"),
	store.Private("carol", "dave"),
}

// indexOf lists the stream sequences h's index holds for each of soloTargets, oldest first.
func indexOf(h *History) map[store.Target][]uint64 {
	out := map[store.Target][]uint64{}
	for _, t := range soloTargets {
		if refs := h.x.Range(t, histindex.Min, histindex.Max, math.MaxInt, false); len(refs) > 0 {
			out[t] = refs
		}
	}
	return out
}

// sameAsScan fails the test unless h's index holds what a full scan of the stream finds, target
// by target.
func sameAsScan(t *testing.T, h *History, js jetstream.JetStream, when string) {
	t.Helper()
	scan, err := Open(t.Context(), js, Options{Network: "Test Net", Fold: storetest.Fold, Logger: quiet, Solo: true})
	if err != nil {
		t.Fatal(err)
	}
	defer scan.Close()
	want, got := indexOf(scan), indexOf(h)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: the index differs from a scan of the stream:\n got %v\nwant %v", when, got, want)
	}
	n := 0
	for _, refs := range want {
		n += len(refs)
	}
	if h.Len() != scan.Len() || n != scan.Len() {
		t.Errorf("%s: %d indexed, a scan finds %d (%d under the targets named)", when, h.Len(), scan.Len(), n)
	}
	h.subMu.Lock()
	closed := h.closed
	h.subMu.Unlock()
	if !closed { // a closed history reads no messages
		if got, want := searchIDs(t, h), searchIDs(t, scan); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: search finds %d messages, after a scan %d", when, len(got), len(want))
		}
	}
}

// searchIDs returns the ids of the messages a search for "word" finds under soloTargets.
func searchIDs(t *testing.T, h *History) []string {
	t.Helper()
	found, err := h.Search(t.Context(), store.SearchQuery{Targets: soloTargets, Text: "word", Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, ev := range found {
		ids = append(ids, ev.ID)
	}
	slices.Sort(ids)
	return ids
}

// soloWorkload stores from three goroutines at once (appends, submissions, events) while the
// main one renames a channel twice, redacts a message and deletes an account.
func soloWorkload(t *testing.T, h *History) {
	ctx := t.Context()
	base := time.Now().Add(-time.Hour)
	var clock atomic.Int64
	var wg sync.WaitGroup
	send := func(w int, targets ...store.Target) {
		defer wg.Done()
		for i := range 40 {
			var entries []store.Entry
			for _, tg := range targets {
				at := base.Add(time.Duration(clock.Add(1)) * time.Millisecond)
				entries = append(entries, store.Entry{Target: tg, Event: privmsg(at, tg.Name, fmt.Sprintf("word %d %d", w, i))})
			}
			var err error
			if i%2 == 0 {
				err = h.Append(ctx, entries)
			} else {
				err = <-h.Submit(entries)
			}
			if err != nil {
				t.Error(err)
				return
			}
			if i%8 == 0 {
				at := base.Add(time.Duration(clock.Add(1)) * time.Millisecond)
				join := &model.Event{Kind: model.KindJoin, ID: ids.New(at), Time: at, Source: model.Prefix{Nick: "eve"}, Target: "#a"}
				h.Record([]store.Entry{{Target: store.Channel("#a"), Event: join}})
			}
		}
	}
	wg.Add(3)
	go send(0, store.Channel("#a"), store.Channel("#old"))
	go send(1, store.Private("alice", "bob"), store.Private("bob", "alice"))
	go send(2, store.Channel("#b"), store.Private("carol", "dave"), store.Channel("#old"))
	time.Sleep(5 * time.Millisecond)
	if err := h.RenameChannel(ctx, "#OLD", "#new"); err != nil {
		t.Error(err)
	}
	time.Sleep(5 * time.Millisecond)
	if err := h.DeleteAccount(ctx, "Alice"); err != nil {
		t.Error(err)
	}
	if evs, err := h.Latest(ctx, store.Channel("#b"), store.Bound{}, 1); err != nil || len(evs) != 1 {
		t.Errorf("latest of #b: %v, %v", evs, err)
	} else if _, err := h.Redact(ctx, store.Channel("#b"), evs[0].ID); err != nil {
		t.Error(err)
	}
	if err := h.RenameChannel(ctx, "#new", "#newer"); err != nil {
		t.Error(err)
	}
	wg.Wait()
}

// TestSoloSnapshotEqualsScan: a Solo history indexes what a scan of the stream finds, through
// concurrent appends, renames, a redaction and an account deletion; the snapshot its Close saves
// says so, and the next start, Solo or not, reads only what was stored after it.
func TestSoloSnapshotEqualsScan(t *testing.T) {
	js, snap := serverWithSnapshot(t)
	h := open(t, js, Options{SnapshotPath: snap, Solo: true})
	soloWorkload(t, h)
	if err := h.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	sameAsScan(t, h, js, "the closed history")
	h.pos.mu.Lock()
	skip, marks, holds := len(h.pos.skip), len(h.solo.marks), len(h.solo.holds)
	h.pos.mu.Unlock()
	if skip != 0 || marks != 0 || holds != 0 {
		t.Errorf("left behind: %d skipped sequences, %d marks, %d holds", skip, marks, holds)
	}

	h2 := open(t, js, Options{SnapshotPath: snap, Solo: true})
	if st := h2.Scanned(); !st.FromSnapshot || st.Messages != 0 {
		t.Errorf("Solo restart: %+v, want the snapshot and nothing read", st)
	}
	sameAsScan(t, h2, js, "restarted Solo from the snapshot")
	if n := len(searchIDs(t, h2)); n < 100 {
		t.Errorf("a search after the restart finds %d messages", n)
	}
	appendTexts(t, h2, "#a", time.Now(), "after the restart")
	if err := h2.Close(); err != nil {
		t.Fatal(err)
	}

	h3 := open(t, js, Options{SnapshotPath: snap})
	if st := h3.Scanned(); !st.FromSnapshot || st.Messages != 0 {
		t.Errorf("clustered restart from a Solo snapshot: %+v, want the snapshot and nothing read", st)
	}
	sameAsScan(t, h3, js, "restarted with a follower from the Solo snapshot")
	appendTexts(t, h3, "#a", time.Now(), "one more", "and another")
	if err := h3.Close(); err != nil {
		t.Fatal(err)
	}
	h4 := open(t, js, Options{SnapshotPath: snap, Solo: true})
	if st := h4.Scanned(); !st.FromSnapshot || st.Messages != 0 {
		t.Errorf("Solo restart from a follower's snapshot: %+v", st)
	}
	sameAsScan(t, h4, js, "restarted Solo from a follower's snapshot")
}

// TestSoloReadsOnlyWhatCameAfter: what another writer stored while the node was down is all the
// next start reads of the stream.
func TestSoloReadsOnlyWhatCameAfter(t *testing.T) {
	js, snap := serverWithSnapshot(t)
	h := open(t, js, Options{SnapshotPath: snap, Solo: true})
	appendTexts(t, h, "#a", time.Now().Add(-time.Minute), "one", "two", "three")
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	tool := open(t, js, Options{Solo: true})
	appendTexts(t, tool, "#a", time.Now(), "four", "five")
	tool.Close()
	h2 := open(t, js, Options{SnapshotPath: snap, Solo: true})
	if st := h2.Scanned(); !st.FromSnapshot || st.Messages != 2 {
		t.Errorf("restart: %+v, want the snapshot plus the 2 messages after it", st)
	}
	if got := latestTexts(t, h2, store.Channel("#a")); !equal(got, []string{"one", "two", "three", "four", "five"}) {
		t.Errorf("#a after the restart: %q", got)
	}
}

// TestSoloFollowsNothing: a Solo history makes no consumer on the stream (a clustered one does),
// keeps no skipped sequences, catches up at once and closes at once.
func TestSoloFollowsNothing(t *testing.T) {
	s, js := server(t, t.TempDir())
	h := open(t, js, Options{Solo: true})
	now := time.Now()
	for i := range 20 {
		appendTexts(t, h, "#a", now.Add(time.Duration(i)*time.Second), "one", "two")
	}
	evs, _ := h.Latest(t.Context(), store.Channel("#a"), store.Bound{}, 3)
	for _, ev := range evs {
		if _, err := h.Redact(t.Context(), store.Channel("#a"), ev.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n := consumers(t, h); n != 0 {
		t.Errorf("a Solo history has %d consumers on the stream", n)
	}
	h.pos.mu.Lock()
	skip := len(h.pos.skip)
	h.pos.mu.Unlock()
	if skip != 0 || h.Len() != 37 {
		t.Errorf("%d sequences in skip, %d indexed (want 0, 37)", skip, h.Len())
	}
	started := time.Now()
	caughtUp(t, h)
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(started); d > time.Second {
		t.Errorf("CatchUp and Close took %v", d)
	}
	if err := h.CatchUp(t.Context()); err == nil {
		t.Error("CatchUp on a closed Solo history returned nil")
	}
	other := open(t, peer(t, s, "b"), Options{})
	checkFor(t, 5*time.Second, func() error {
		if consumers(t, other) == 0 { // its follower's, and its scan's
			return errors.New("a history with a follower has no consumer")
		}
		return nil
	})
}

func consumers(t *testing.T, h *History) int {
	t.Helper()
	names := h.stream.ConsumerNames(t.Context())
	n := 0
	for range names.Name() {
		n++
	}
	if err := names.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

// published stores e without indexing it: an append whose acknowledgement its caller has not
// handled yet. It returns the sequence.
func published(t *testing.T, h *History, e store.Entry) uint64 {
	t.Helper()
	f, err := h.publishEntry(e)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case ack := <-f.Ok():
		return ack.Sequence
	case err := <-f.Err():
		t.Fatal(err)
	case <-time.After(5 * time.Second):
		t.Fatal("no acknowledgement")
	}
	return 0
}

// TestSoloLateAppendAfterRenameAndDrop: appends the stream holds before a rename's and a
// deletion's records, but indexed after them, land where a scan puts them: under the new name,
// and nowhere for the deleted account. The marks that route them go with the operation.
func TestSoloLateAppendAfterRenameAndDrop(t *testing.T) {
	_, js := server(t, t.TempDir())
	h := open(t, js, Options{Solo: true})
	now := time.Now().Add(-time.Minute)
	op := h.beginOwn()
	toOld := store.Entry{Target: store.Channel("#old"), Event: privmsg(now, "#old", "late")}
	toAlice := store.Entry{Target: store.Private("alice", "bob"), Event: privmsg(now, "bob", "late too")}
	seqOld, seqAlice := published(t, h, toOld), published(t, h, toAlice)
	appendTexts(t, h, "#old", now.Add(-time.Second), "early")
	if err := h.RenameChannel(t.Context(), "#old", "#new"); err != nil {
		t.Fatal(err)
	}
	if err := h.DeleteAccount(t.Context(), "alice"); err != nil {
		t.Fatal(err)
	}
	appendTexts(t, h, "#old", now.Add(time.Second), "the next #old")
	h.indexOwn(toOld, seqOld)
	h.indexOwn(toAlice, seqAlice)
	op.end()
	if got := latestTexts(t, h, store.Channel("#new")); !equal(got, []string{"early", "late"}) {
		t.Errorf("#new: %q, want [early late]", got)
	}
	if got := latestTexts(t, h, store.Channel("#old")); !equal(got, []string{"the next #old"}) {
		t.Errorf("#old: %q", got)
	}
	if refs := indexOf(h)[store.Private("alice", "bob")]; len(refs) != 0 {
		t.Errorf("the deleted account's late message is indexed: %v", refs)
	}
	sameAsScan(t, h, js, "after the late appends")
	h.pos.mu.Lock()
	marks := len(h.solo.marks)
	h.pos.mu.Unlock()
	if marks != 0 {
		t.Errorf("%d marks kept after every operation finished", marks)
	}
}

// TestSoloHeldDuringDrop: an account's messages indexed while its deletion waits for its record
// are held back, then indexed when stored after the record, and not when stored before it.
func TestSoloHeldDuringDrop(t *testing.T) {
	_, js := server(t, t.TempDir())
	h := open(t, js, Options{Solo: true})
	now := time.Now().Add(-time.Minute)
	op := h.beginOwn()
	h.pos.mu.Lock()
	h.pos.dropping["alice"]++
	h.holdLocked("alice")
	h.pos.mu.Unlock()
	before := store.Entry{Target: store.Private("alice", "bob"), Event: privmsg(now, "bob", "before")}
	after := store.Entry{Target: store.Private("alice", "bob"), Event: privmsg(now.Add(time.Second), "bob", "after")}
	seqBefore := published(t, h, before)
	drop, err := h.publishRecord(t.Context(), h.subj.drop("alice"), deletionRecord{Kind: "DROP"})
	if err != nil {
		t.Fatal(err)
	}
	seqAfter := published(t, h, after)
	h.indexOwn(after, seqAfter)
	h.indexOwn(before, seqBefore)
	if h.Len() != 0 {
		t.Fatalf("%d indexed while the deletion waits for its record, want 0", h.Len())
	}
	op.dropped("alice", drop)
	op.end()
	if got := latestTexts(t, h, store.Private("alice", "bob")); !equal(got, []string{"after"}) {
		t.Errorf("alice's history: %q, want [after]", got)
	}
	sameAsScan(t, h, js, "after the deletion")
}

// TestSoloAbandonedAppendsIndexed: appends whose caller stopped waiting are indexed all the
// same, before Close saves the snapshot.
func TestSoloAbandonedAppendsIndexed(t *testing.T) {
	js, snap := serverWithSnapshot(t)
	h := open(t, js, Options{SnapshotPath: snap, Solo: true})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var entries []store.Entry
	now := time.Now().Add(-time.Minute)
	for i := range 200 {
		entries = append(entries, store.Entry{Target: store.Channel("#a"), Event: privmsg(now.Add(time.Duration(i)), "#a", "x")})
	}
	if err := h.Append(ctx, entries); err != nil && err != context.Canceled {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if h.Len() != 200 {
		t.Errorf("%d indexed at Close, want 200", h.Len())
	}
	h2 := open(t, js, Options{SnapshotPath: snap, Solo: true})
	if !h2.Scanned().FromSnapshot || h2.Len() != 200 {
		t.Errorf("restart: %+v, %d indexed", h2.Scanned(), h2.Len())
	}
}

// TestSoloCloseWaitsForOperations: Close saves the snapshot once the operations that began before
// it have finished: a message stored, and indexed only later, is in it.
func TestSoloCloseWaitsForOperations(t *testing.T) {
	js, snap := serverWithSnapshot(t)
	h := open(t, js, Options{SnapshotPath: snap, Solo: true})
	op := h.beginOwn()
	e := store.Entry{Target: store.Channel("#a"), Event: privmsg(time.Now(), "#a", "slow")}
	seq := published(t, h, e)
	go func() {
		time.Sleep(200 * time.Millisecond)
		h.indexOwn(e, seq)
		op.end()
	}()
	started := time.Now()
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(started); d < 150*time.Millisecond {
		t.Errorf("Close returned after %v, before the operation in flight ended", d)
	}
	h2 := open(t, js, Options{SnapshotPath: snap, Solo: true})
	if got := latestTexts(t, h2, store.Channel("#a")); !h2.Scanned().FromSnapshot || !equal(got, []string{"slow"}) {
		t.Errorf("restart: %+v, #a %q", h2.Scanned(), got)
	}
}

// TestSoloCloseDuringAppends: Close while appends go on saves a snapshot that misses none of the
// messages up to its sequence.
func TestSoloCloseDuringAppends(t *testing.T) {
	js, snap := serverWithSnapshot(t)
	h := open(t, js, Options{SnapshotPath: snap, Solo: true})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	base := time.Now().Add(-time.Hour)
	var clock atomic.Int64
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				at := base.Add(time.Duration(clock.Add(1)) * time.Millisecond)
				target := fmt.Sprintf("#%c", 'a'+w%2)
				e := store.Entry{Target: store.Channel(target), Event: privmsg(at, target, "busy")}
				if err := h.Append(context.Background(), []store.Entry{e}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	time.Sleep(50 * time.Millisecond)
	if err := h.Close(); err != nil {
		t.Errorf("close during appends: %v", err)
	}
	time.Sleep(20 * time.Millisecond)
	close(stop)
	wg.Wait()
	h2 := open(t, js, Options{SnapshotPath: snap, Solo: true})
	if !h2.Scanned().FromSnapshot {
		t.Fatalf("no snapshot: %+v", h2.Scanned())
	}
	sameAsScan(t, h2, js, "restarted from a snapshot saved during appends")
	t.Logf("%d appended, %d read after the snapshot", clock.Load(), h2.Scanned().Messages)
}

// TestSoloDoubtSavesNoSnapshot: when the index may differ from the stream, Close saves no
// snapshot and the next start reads the whole stream.
func TestSoloDoubtSavesNoSnapshot(t *testing.T) {
	js, snap := serverWithSnapshot(t)
	h := open(t, js, Options{SnapshotPath: snap, Solo: true})
	appendTexts(t, h, "#a", time.Now(), "one")
	op := h.beginOwn()
	op.doubt("an acknowledgement failed")
	op.end()
	if err := h.Close(); err == nil {
		t.Error("Close saved the snapshot of a doubtful index")
	}
	if _, err := os.Stat(snap); !os.IsNotExist(err) {
		t.Errorf("snapshot file: %v", err)
	}
	h2 := open(t, js, Options{SnapshotPath: snap, Solo: true})
	if st := h2.Scanned(); st.FromSnapshot || st.Messages != 1 {
		t.Errorf("restart: %+v, want the whole stream read", st)
	}
}

// TestSoloMarksStayFew: while one operation stays in flight, marks accumulate; once it ends
// they all go, though other operations never stop.
func TestSoloMarksStayFew(t *testing.T) {
	_, js := server(t, t.TempDir())
	h := open(t, js, Options{Solo: true})
	slow := h.beginOwn()
	for i := range 5 {
		if err := h.RenameChannel(t.Context(), fmt.Sprintf("#c%d", i), fmt.Sprintf("#c%d", i+1)); err != nil {
			t.Fatal(err)
		}
	}
	marks := func() int {
		h.pos.mu.Lock()
		defer h.pos.mu.Unlock()
		return len(h.solo.marks)
	}
	if n := marks(); n != 5 {
		t.Fatalf("%d marks while an older operation is in flight, want 5", n)
	}
	// Overlapping operations: one always in flight from here on.
	prev := h.beginOwn()
	slow.end()
	for range 4 {
		next := h.beginOwn()
		prev.end()
		prev = next
	}
	if n := marks(); n != 0 {
		t.Errorf("%d marks left after every operation older than them finished", n)
	}
	prev.end()
	if a, b := h.solo.ops[0].Load(), h.solo.ops[1].Load(); a != 0 || b != 0 {
		t.Errorf("operations in flight at the end: %d, %d", a, b)
	}
}
