// Package histindex is the in-memory index behind the history stores: for each target, the
// positions of its messages in time order with a reference to where each message is kept (a
// JetStream stream sequence, a slot in memory), and an inverted index of words for search. The
// stores keep the messages; the index answers which ones a query wants without reading any.
//
// Memory: 40 bytes per message in the target lists and documents, plus about four bytes per
// distinct word of each message in the inverted index.
package histindex

import (
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// Ref says where a store keeps one message.
type Ref = uint64

type item struct {
	key store.Key
	ref Ref
	doc uint32 // its document in the text index
}

// list is one target's messages, sorted by key.
type list struct {
	target store.Target // folded
	items  []item
}

// Index is the in-memory index of one history. Safe for concurrent use: queries share a read
// lock, changes take the write lock for the time of a slice insert.
type Index struct {
	fold   store.Fold
	maxPer int // 0 = unlimited: the oldest items beyond it are dropped on Add

	mu       sync.RWMutex
	targets  map[store.Target]*list
	accounts map[string]map[*list]struct{} // folded account -> its private conversations
	text     textIndex
}

// New returns an empty index that folds names with fold and keeps at most maxPer messages per
// target (0: no limit).
func New(fold store.Fold, maxPer int) *Index {
	return &Index{fold: fold, maxPer: maxPer, targets: map[store.Target]*list{},
		accounts: map[string]map[*list]struct{}{}, text: newTextIndex()}
}

// Fold returns t with both names folded and Messages cleared: the form the index uses as a key.
func (x *Index) Fold(t store.Target) store.Target {
	return store.Target{Account: x.fold(t.Account), Name: x.fold(t.Name)}
}

// Doc is what the text index needs of a message.
type Doc struct {
	From  string // the sender's nick
	Text  string
	Event bool // a JOIN, PART... kept for event playback: never a search result
}

// DocOf returns what the text index needs of ev.
func DocOf(ev *model.Event) Doc {
	if !ev.Kind.IsMessage() {
		return Doc{From: ev.Source.Nick, Event: true}
	}
	return Doc{From: ev.Source.Nick, Text: ev.Text}
}

// Add indexes one message and returns the refs it evicted (beyond maxPer), which the caller may
// forget. Adding a key the target already holds changes nothing. Safe for concurrent use.
func (x *Index) Add(t store.Target, k store.Key, ref Ref, d Doc) (evicted []Ref) {
	t = x.Fold(t)
	x.mu.Lock()
	defer x.mu.Unlock()
	l := x.listLocked(t)
	i := len(l.items)
	if i > 0 && !l.items[i-1].key.Less(k) { // out of order (rare): binary search
		i = sort.Search(len(l.items), func(j int) bool { return !l.items[j].key.Less(k) })
		if i < len(l.items) && l.items[i].key == k {
			return nil
		}
	}
	it := item{key: k, ref: ref, doc: x.text.add(l, k, ref, d, x.fold)}
	l.items = slices.Insert(l.items, i, it)
	if x.maxPer > 0 && len(l.items) > x.maxPer {
		drop := len(l.items) - x.maxPer
		for _, old := range l.items[:drop] {
			x.text.remove(old.doc)
			evicted = append(evicted, old.ref)
		}
		l.items = slices.Delete(l.items, 0, drop)
	}
	return evicted
}

// Remove forgets the message at k in t and returns its ref. Safe for concurrent use.
func (x *Index) Remove(t store.Target, k store.Key) (Ref, bool) {
	t = x.Fold(t)
	x.mu.Lock()
	defer x.mu.Unlock()
	l := x.targets[t]
	if l == nil {
		return 0, false
	}
	i, found := l.find(k)
	if !found {
		return 0, false
	}
	it := l.items[i]
	x.text.remove(it.doc)
	l.items = slices.Delete(l.items, i, i+1)
	return it.ref, true
}

// Lookup returns the ref of the message at k in t. Safe for concurrent use.
func (x *Index) Lookup(t store.Target, k store.Key) (Ref, bool) {
	t = x.Fold(t)
	x.mu.RLock()
	defer x.mu.RUnlock()
	l := x.targets[t]
	if l == nil {
		return 0, false
	}
	i, found := l.find(k)
	if !found {
		return 0, false
	}
	return l.items[i].ref, true
}

// DropAccount forgets every private conversation of the account and returns their refs. Safe for
// concurrent use.
func (x *Index) DropAccount(account string) []Ref {
	account = x.fold(account)
	x.mu.Lock()
	defer x.mu.Unlock()
	var refs []Ref
	for l := range x.accounts[account] {
		for _, it := range l.items {
			x.text.remove(it.doc)
			refs = append(refs, it.ref)
		}
		delete(x.targets, l.target)
	}
	delete(x.accounts, account)
	return refs
}

// Expire forgets every message older than cutoff (history.max_age) and returns how many. Safe for
// concurrent use.
func (x *Index) Expire(cutoff time.Time) int {
	c := store.Key{Nanos: cutoff.UnixNano()}
	x.mu.Lock()
	defer x.mu.Unlock()
	n := 0
	for _, l := range x.targets {
		i := l.lowerBound(c)
		for _, it := range l.items[:i] {
			x.text.remove(it.doc)
		}
		n += i
		l.items = slices.Delete(l.items, 0, i)
	}
	return n
}

// Len returns the number of indexed messages. Safe for concurrent use.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	n := 0
	for _, l := range x.targets {
		n += len(l.items)
	}
	return n
}

// lowerBound returns the index of the first item with key >= k.
func (l *list) lowerBound(k store.Key) int {
	return sort.Search(len(l.items), func(j int) bool { return !l.items[j].key.Less(k) })
}

// upperBound returns the index of the first item with key > k.
func (l *list) upperBound(k store.Key) int {
	return sort.Search(len(l.items), func(j int) bool { return k.Less(l.items[j].key) })
}

func (l *list) find(k store.Key) (int, bool) {
	i := l.lowerBound(k)
	return i, i < len(l.items) && l.items[i].key == k
}
