package histindex

import (
	"math"
	"slices"

	"github.com/parleychat/parley/internal/store"
)

// Rename moves the history of from to the target to (draft/channel-rename): queries for to find
// the messages stored under from, and from starts empty. The messages stay where the store keeps
// them; only the index entry changes. When to already has history (the name was used before),
// the two merge in time order. Names differing only in case are one target: nothing moves. Safe
// for concurrent use.
func (x *Index) Rename(from, to store.Target) { x.RenameBefore(from, to, math.MaxUint64) }

// RenameBefore is Rename for the messages of from whose ref is below before; the others stay
// under from. A store whose refs grow in storage order (a stream sequence) replays a rename it
// recorded at ref before this way, at any time after: messages stored under the old name before
// the rename belong to the new name, those stored after it to whichever target took the old
// name later. Safe for concurrent use.
func (x *Index) RenameBefore(from, to store.Target, before Ref) {
	from, to = x.Fold(from), x.Fold(to)
	if from == to {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	src := x.targets[from]
	if src == nil {
		return
	}
	moved := x.detachLocked(src, before)
	if moved == nil {
		return
	}
	dst := x.targets[to]
	if dst == nil {
		moved.target = to
		x.fileLocked(moved)
		return
	}
	for _, it := range moved.items {
		x.text.docs[it.doc].list = dst
	}
	dst.items = mergeItems(dst.items, moved.items, func(dup item) { x.text.remove(dup.doc) })
	if x.maxPer > 0 && len(dst.items) > x.maxPer {
		drop := len(dst.items) - x.maxPer
		for _, old := range dst.items[:drop] {
			x.text.remove(old.doc)
		}
		dst.items = slices.Delete(dst.items, 0, drop)
	}
}

// detachLocked takes the items of src with a ref below before out of it and returns them as a
// list filed nowhere, nil when there are none. When all of them go, src itself is unfiled and
// returned, so its documents need no update. Caller holds mu.
func (x *Index) detachLocked(src *list, before Ref) *list {
	n := 0
	for _, it := range src.items {
		if it.ref < before {
			n++
		}
	}
	switch {
	case n == 0:
		return nil
	case n == len(src.items):
		delete(x.targets, src.target)
		if src.target.Account != "" {
			delete(x.accounts[src.target.Account], src)
		}
		return src
	}
	moved := &list{target: src.target, items: make([]item, 0, n)}
	kept := src.items[:0]
	for _, it := range src.items {
		if it.ref < before {
			moved.items = append(moved.items, it)
			x.text.docs[it.doc].list = moved
		} else {
			kept = append(kept, it)
		}
	}
	clear(src.items[len(kept):])
	src.items = kept
	return moved
}

// fileLocked files l under its target, which has no list yet. Caller holds mu.
func (x *Index) fileLocked(l *list) {
	x.targets[l.target] = l
	if a := l.target.Account; a != "" {
		if x.accounts[a] == nil {
			x.accounts[a] = map[*list]struct{}{}
		}
		x.accounts[a][l] = struct{}{}
	}
}

// mergeItems merges two key-sorted lists; of two items with one key the first list's is kept and
// dropped is told of the other.
func mergeItems(a, b []item, dropped func(item)) []item {
	out := make([]item, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i].key.Less(b[j].key):
			out = append(out, a[i])
			i++
		case b[j].key.Less(a[i].key):
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			dropped(b[j])
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}
