package histindex

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/store"
)

func search(x *Index, t store.Target, text string) []Ref {
	return x.Search(store.SearchQuery{Targets: []store.Target{t}, Text: text, Limit: 100})
}

// TestRenameBefore: a rename replayed late moves only what was stored before it; what the old
// name received afterwards stays, and search follows each message to its list.
func TestRenameBefore(t *testing.T) {
	x := New(strings.ToLower, 0)
	old, renamed := store.Channel("#old"), store.Channel("#new")
	x.Add(renamed, key(0), 10, Doc{From: "a", Text: "already there"})
	for i := 1; i <= 5; i++ {
		if i == 4 {
			continue // the rename record's position
		}
		x.Add(old, key(i), Ref(i), Doc{From: "a", Text: fmt.Sprintf("word%d shared", i)})
	}
	x.RenameBefore(store.Channel("#OLD"), renamed, 4)
	if got := x.Range(renamed, Min, Max, 100, false); !slices.Equal(got, []Ref{10, 1, 2, 3}) {
		t.Errorf("#new after the rename: %v, want [10 1 2 3]", got)
	}
	if got := x.Range(old, Min, Max, 100, false); !slices.Equal(got, []Ref{5}) {
		t.Errorf("#old after the rename: %v, want [5]", got)
	}
	if got := search(x, renamed, "shared"); !slices.Equal(got, []Ref{1, 2, 3}) {
		t.Errorf("search #new: %v", got)
	}
	if got := search(x, old, "shared"); !slices.Equal(got, []Ref{5}) {
		t.Errorf("search #old: %v", got)
	}
	// Replaying the same rename again changes nothing: it is how a follower meets its own rename.
	x.RenameBefore(old, renamed, 4)
	if got := x.Range(old, Min, Max, 100, false); !slices.Equal(got, []Ref{5}) || x.Len() != 5 {
		t.Errorf("second replay: #old %v, %d indexed", got, x.Len())
	}
}

// TestRenameMergesDuplicates: a key both lists hold is kept once, and the dropped copy is not
// found by search.
func TestRenameMergesDuplicates(t *testing.T) {
	x := New(strings.ToLower, 0)
	x.Add(store.Channel("#new"), key(1), 1, Doc{From: "a", Text: "twice"})
	x.Add(store.Channel("#old"), key(1), 1, Doc{From: "a", Text: "twice"})
	x.Add(store.Channel("#old"), key(2), 2, Doc{From: "a", Text: "once"})
	x.Rename(store.Channel("#old"), store.Channel("#new"))
	if got := x.Range(store.Channel("#new"), Min, Max, 100, false); !slices.Equal(got, []Ref{1, 2}) {
		t.Errorf("#new after the merge: %v", got)
	}
	if got := search(x, store.Channel("#new"), "twice"); !slices.Equal(got, []Ref{1}) {
		t.Errorf("search after the merge: %v, want one hit", got)
	}
	if x.Len() != 2 {
		t.Errorf("%d indexed, want 2", x.Len())
	}
}

// TestRenamePrivate keeps the account's list of conversations right when part of one moves.
func TestRenamePrivate(t *testing.T) {
	x := New(strings.ToLower, 0)
	from, to := store.Private("alice", "bob"), store.Private("alice", "robert")
	x.Add(from, key(1), 1, Doc{From: "bob", Text: "before"})
	x.Add(from, key(3), 3, Doc{From: "bob", Text: "after"})
	x.RenameBefore(from, to, 2)
	if refs := x.DropAccount("ALICE"); len(refs) != 2 {
		t.Errorf("dropping the account found %v, want both conversations' messages", refs)
	}
	if x.Len() != 0 {
		t.Errorf("%d indexed after dropping the account", x.Len())
	}
}
