package jshistory

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/store"
)

func latestTexts(t *testing.T, h *History, target store.Target) []string {
	t.Helper()
	evs, err := h.Latest(context.Background(), target, store.Bound{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range evs {
		out = append(out, ev.Text)
	}
	return out
}

func appendTexts(t *testing.T, h *History, target string, at time.Time, texts ...string) {
	t.Helper()
	var entries []store.Entry
	for i, s := range texts {
		entries = append(entries, store.Entry{Target: store.Channel(target), Event: privmsg(at.Add(time.Duration(i)*time.Millisecond), target, s)})
	}
	if err := h.Append(context.Background(), entries); err != nil {
		t.Fatal(err)
	}
}

// TestSnapshotRestart: Close saves the index; the next Open loads it, reads only what was stored
// after it, and answers as a full rebuild would, redactions and renames included.
func TestSnapshotRestart(t *testing.T) {
	js, snap := serverWithSnapshot(t)
	now := time.Now().Add(-time.Minute)
	h := open(t, js, Options{SnapshotPath: snap})
	appendTexts(t, h, "#a", now, "one", "two", "three")
	appendTexts(t, h, "#old", now, "renamed away")
	evs, _ := h.Latest(context.Background(), store.Channel("#a"), store.Bound{}, 1)
	if _, err := h.Redact(context.Background(), store.Channel("#a"), evs[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := h.RenameChannel(context.Background(), "#OLD", "#new"); err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(snap); err != nil {
		t.Fatalf("no snapshot after Close: %v", err)
	}
	// Another writer (a node of the cluster) appends while this node is down.
	other := open(t, js, Options{})
	appendTexts(t, other, "#a", now.Add(time.Second), "four")
	other.Close()

	h2 := open(t, js, Options{SnapshotPath: snap})
	st := h2.Scanned()
	if !st.FromSnapshot || st.Messages != 1 {
		t.Errorf("start-up %+v, want the snapshot plus one message read", st)
	}
	if _, err := os.Stat(snap); !os.IsNotExist(err) {
		t.Errorf("the snapshot is still there after loading (a crash now would reuse it): %v", err)
	}
	want := []string{"one", "two", "four"}
	if got := latestTexts(t, h2, store.Channel("#a")); !equal(got, want) {
		t.Errorf("#a from the snapshot: %q, want %q", got, want)
	}
	if got := latestTexts(t, h2, store.Channel("#new")); !equal(got, []string{"renamed away"}) {
		t.Errorf("#new from the snapshot: %q", got)
	}
	found, err := h2.Search(context.Background(), store.SearchQuery{Targets: []store.Target{store.Channel("#a")}, Text: "four", Limit: 5})
	if err != nil || len(found) != 1 {
		t.Errorf("search for a message read after the snapshot: %v %v", found, err)
	}
	// A start without the snapshot (as after a crash) rebuilds the same answers from the stream.
	h2.Close()
	os.Remove(snap)
	h3 := open(t, js, Options{})
	if got := latestTexts(t, h3, store.Channel("#a")); !equal(got, want) {
		t.Errorf("#a rebuilt: %q, want %q", got, want)
	}
	if got := latestTexts(t, h3, store.Channel("#new")); !equal(got, []string{"renamed away"}) {
		t.Errorf("#new rebuilt from the rename record: %q", got)
	}
	if got := latestTexts(t, h3, store.Channel("#old")); len(got) != 0 {
		t.Errorf("#old still has history after the rename: %q", got)
	}
}

func TestSnapshotOfOtherNetworkIgnored(t *testing.T) {
	js, snap := serverWithSnapshot(t)
	h := open(t, js, Options{SnapshotPath: snap})
	appendTexts(t, h, "#a", time.Now(), "kept")
	h.Close()
	h2, err := Open(context.Background(), js, Options{Network: "Other", Fold: h.opt.Fold, Logger: quiet, SnapshotPath: snap})
	if err != nil {
		t.Fatal(err)
	}
	defer h2.Close()
	if h2.Scanned().FromSnapshot || h2.Len() != 0 {
		t.Errorf("another network's snapshot was used: %+v, %d indexed", h2.Scanned(), h2.Len())
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
