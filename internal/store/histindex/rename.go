package histindex

import (
	"slices"

	"github.com/parleychat/parley/internal/store"
)

// Rename moves the history of from to the target to (draft/channel-rename): queries for to find
// the messages stored under from, and from starts empty. The messages stay where the store keeps
// them; only the index entry changes. When to already has history (the name was used before),
// the two merge in time order. Names differing only in case are one target: nothing moves. Safe
// for concurrent use.
func (x *Index) Rename(from, to store.Target) {
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
	delete(x.targets, from)
	if from.Account != "" {
		delete(x.accounts[from.Account], src)
	}
	dst := x.targets[to]
	if dst == nil {
		// listLocked files a new list under its account; src takes its place.
		l := x.listLocked(to)
		if l.target.Account != "" {
			delete(x.accounts[to.Account], l)
			x.accounts[to.Account][src] = struct{}{}
		}
		src.target = to
		x.targets[to] = src
		return
	}
	for _, it := range src.items {
		x.text.docs[it.doc].list = dst
	}
	dst.items = mergeItems(dst.items, src.items, func(dup item) { x.text.remove(dup.doc) })
	if x.maxPer > 0 && len(dst.items) > x.maxPer {
		drop := len(dst.items) - x.maxPer
		for _, old := range dst.items[:drop] {
			x.text.remove(old.doc)
		}
		dst.items = slices.Delete(dst.items, 0, drop)
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
