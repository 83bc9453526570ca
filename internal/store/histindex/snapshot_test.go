package histindex

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/store"
)

var base = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func key(i int) store.Key {
	return store.Key{Nanos: base.Add(time.Duration(i) * time.Second).UnixNano(), Tie: uint64(i)}
}

// filled returns an index with messages in two channels and a private conversation, a redacted
// message, an event, and one late (out of order) arrival.
func filled() *Index {
	x := New(strings.ToLower, 0)
	for i := 1; i <= 20; i++ {
		ch := store.Channel("#a")
		if i%2 == 0 {
			ch = store.Channel("#B")
		}
		x.Add(ch, key(i), Ref(i), Doc{From: fmt.Sprintf("nick%d", i%3), Text: fmt.Sprintf("hello word%d common", i)})
	}
	x.Add(store.Private("Alice", "bob"), key(21), 21, Doc{From: "alice", Text: "secret common"})
	x.Add(store.Channel("#a"), key(22), 22, Doc{From: "nick1", Event: true})
	x.Add(store.Channel("#a"), key(0), 100, Doc{From: "late", Text: "late common"})
	x.Remove(store.Channel("#a"), key(3))
	return x
}

// queries runs a fixed set of queries; equal answers mean equal indexes for every use.
func queries(x *Index) string {
	var b strings.Builder
	all := []store.Target{store.Channel("#a"), store.Channel("#b"), store.Private("alice", "BOB")}
	for _, t := range all {
		fmt.Fprintln(&b, x.Range(t, Min, Max, 100, false), x.Range(t.OnlyMessages(), Min, Max, 5, true))
	}
	fmt.Fprintln(&b, x.Search(store.SearchQuery{Targets: all, Text: "common", Limit: 100}))
	fmt.Fprintln(&b, x.Search(store.SearchQuery{Targets: all, Text: "word3", Limit: 100}))
	fmt.Fprintln(&b, x.Search(store.SearchQuery{Targets: all, From: "NICK1", Limit: 100}))
	fmt.Fprintln(&b, x.Targets("alice", []string{"#a", "#b"}, base.Add(-time.Hour), base.Add(time.Hour), 0))
	fmt.Fprintln(&b, x.Len())
	return b.String()
}

func TestSnapshotRoundTrip(t *testing.T) {
	x := filled()
	var buf bytes.Buffer
	if err := x.WriteSnapshot(&buf, SnapshotMeta{Fingerprint: "net/ascii", Seq: 77}); err != nil {
		t.Fatal(err)
	}
	y, meta, err := ReadSnapshot(bytes.NewReader(buf.Bytes()), strings.ToLower, 0, "net/ascii")
	if err != nil {
		t.Fatal(err)
	}
	if meta.Seq != 77 {
		t.Errorf("seq %d, want 77", meta.Seq)
	}
	if got, want := queries(y), queries(x); got != want {
		t.Errorf("loaded index answers\n%s\nwant\n%s", got, want)
	}
	if strings.Contains(queries(y), " 3 ") {
		t.Errorf("the removed message came back: %s", queries(y))
	}
	// The loaded index keeps working: adds land in order and are searchable.
	y.Add(store.Channel("#a"), key(30), 30, Doc{From: "z", Text: "fresh"})
	if got := y.Search(store.SearchQuery{Targets: []store.Target{store.Channel("#A")}, Text: "fresh", Limit: 5}); !slices.Equal(got, []Ref{30}) {
		t.Errorf("search after load: %v", got)
	}
}

func TestSnapshotRejectsOtherSettingsAndDamage(t *testing.T) {
	var buf bytes.Buffer
	if err := filled().WriteSnapshot(&buf, SnapshotMeta{Fingerprint: "net/ascii", Seq: 1}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadSnapshot(bytes.NewReader(buf.Bytes()), strings.ToLower, 0, "net/rfc1459"); !errors.Is(err, ErrSnapshotMismatch) {
		t.Errorf("other fingerprint: %v", err)
	}
	for _, n := range []int{0, 5, len(snapshotMagic) + 3, buf.Len() / 2, buf.Len() - 1} {
		if _, _, err := ReadSnapshot(bytes.NewReader(buf.Bytes()[:n]), strings.ToLower, 0, "net/ascii"); err == nil {
			t.Errorf("truncated to %d bytes: no error", n)
		}
	}
}

func FuzzReadSnapshot(f *testing.F) {
	var buf bytes.Buffer
	if err := filled().WriteSnapshot(&buf, SnapshotMeta{Fingerprint: "f"}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(snapshotMagic + "\x01f\x00\xff\xff\xff\xff\x0f"))
	f.Fuzz(func(t *testing.T, data []byte) {
		x, _, err := ReadSnapshot(bytes.NewReader(data), strings.ToLower, 0, "f")
		if err == nil {
			queries(x) // a snapshot that loads must answer queries without panicking
		}
	})
}

func TestRenameMovesAndMerges(t *testing.T) {
	x := New(strings.ToLower, 0)
	x.Add(store.Channel("#old"), key(1), 1, Doc{From: "a", Text: "one"})
	x.Add(store.Channel("#old"), key(3), 3, Doc{From: "a", Text: "three"})
	x.Rename(store.Channel("#OLD"), store.Channel("#new"))
	if got := x.Range(store.Channel("#new"), Min, Max, 10, false); !slices.Equal(got, []Ref{1, 3}) {
		t.Errorf("#new after rename: %v", got)
	}
	if got := x.Range(store.Channel("#old"), Min, Max, 10, false); got != nil {
		t.Errorf("#old after rename: %v", got)
	}
	if got := x.Search(store.SearchQuery{Targets: []store.Target{store.Channel("#new")}, Text: "three", Limit: 5}); !slices.Equal(got, []Ref{3}) {
		t.Errorf("search under the new name: %v", got)
	}
	// A second channel renamed onto a name with history merges in time order.
	x.Add(store.Channel("#other"), key(2), 2, Doc{From: "b", Text: "two"})
	x.Add(store.Channel("#other"), key(3), 9, Doc{From: "b", Text: "dup"})
	x.Rename(store.Channel("#other"), store.Channel("#NEW"))
	if got := x.Range(store.Channel("#new"), Min, Max, 10, false); !slices.Equal(got, []Ref{1, 2, 3}) {
		t.Errorf("merged: %v", got)
	}
	if got := x.Search(store.SearchQuery{Targets: []store.Target{store.Channel("#new")}, Text: "dup", Limit: 5}); len(got) != 0 {
		t.Errorf("the duplicate dropped in the merge is still found: %v", got)
	}
	x.Rename(store.Channel("#new"), store.Channel("#New")) // case only: one target
	if got := x.Len(); got != 3 {
		t.Errorf("Len %d after a case-only rename, want 3", got)
	}
}

func TestRenamePrivateConversation(t *testing.T) {
	x := New(strings.ToLower, 0)
	x.Add(store.Private("alice", "bob"), key(1), 1, Doc{From: "bob", Text: "hi"})
	x.Rename(store.Private("alice", "bob"), store.Private("alice", "robert"))
	infos := x.Targets("alice", nil, base.Add(-time.Hour), base.Add(time.Hour), 0)
	if len(infos) != 1 || infos[0].Target.Name != "robert" {
		t.Errorf("alice's conversations after rename: %v", infos)
	}
	if refs := x.DropAccount("ALICE"); !slices.Equal(refs, []Ref{1}) {
		t.Errorf("DropAccount after rename: %v", refs)
	}
}
