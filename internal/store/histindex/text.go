package histindex

import (
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/parleychat/parley/internal/store"
)

// textIndex is an inverted index: each word maps to the documents (messages) that contain it, in
// the order they were added. Removed documents are marked dead and skipped, not unlinked: their
// postings stay until the next start-up rebuilds the index. Guarded by Index.mu.
type textIndex struct {
	docs     []doc
	postings map[string][]uint32
	nicks    map[string]uint32 // folded sender nick -> id, so documents hold 4 bytes, not a string
}

type doc struct {
	list *list
	key  store.Key
	ref  Ref
	from uint32
	dead bool // removed, or not a message (events are indexed for playback, never found by search)
}

func newTextIndex() textIndex {
	return textIndex{postings: map[string][]uint32{}, nicks: map[string]uint32{}}
}

// maxWord bounds indexed words: longer runs (pasted hashes, base64) are not worth searching by.
const maxWord = 40

// words returns the distinct lower-cased words of s: runs of letters and digits.
func words(s string) []string {
	var out []string
	f := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for _, w := range f {
		if len(w) > maxWord {
			continue
		}
		w = strings.ToLower(w)
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

func (ti *textIndex) nickID(nick string, create bool) (uint32, bool) {
	id, ok := ti.nicks[nick]
	if !ok && create {
		id = uint32(len(ti.nicks) + 1)
		ti.nicks[nick] = id
		ok = true
	}
	return id, ok
}

func (ti *textIndex) add(l *list, k store.Key, ref Ref, d Doc, fold store.Fold) uint32 {
	from, _ := ti.nickID(fold(d.From), true)
	id := uint32(len(ti.docs))
	ti.docs = append(ti.docs, doc{list: l, key: k, ref: ref, from: from, dead: d.Event})
	if d.Event {
		return id
	}
	for _, w := range words(d.Text) {
		ti.postings[w] = append(ti.postings[w], id)
	}
	return id
}

func (ti *textIndex) remove(id uint32) {
	if int(id) < len(ti.docs) {
		ti.docs[id].dead = true
	}
}

// Search returns the refs of the newest messages matching q, oldest first. Safe for concurrent use.
func (x *Index) Search(q store.SearchQuery) []Ref {
	x.mu.RLock()
	defer x.mu.RUnlock()
	lists := map[*list]bool{}
	for _, t := range q.Targets {
		if l := x.targets[x.Fold(t)]; l != nil {
			lists[l] = true
		}
	}
	if len(lists) == 0 || q.Limit <= 0 {
		return nil
	}
	m := matcher{lists: lists, after: q.After.UnixNano(), before: q.Before.UnixNano()}
	if q.After.IsZero() {
		m.after = Min.Nanos
	}
	if q.Before.IsZero() {
		m.before = Max.Nanos
	}
	if q.From != "" {
		id, ok := x.text.nickID(x.fold(q.From), false)
		if !ok {
			return nil
		}
		m.from = id
	}
	ws := words(q.Text)
	var found []doc
	if len(ws) == 0 {
		found = x.scanLists(m, q.Limit)
	} else {
		found = x.scanPostings(m, ws, q.Limit)
	}
	sort.Slice(found, func(i, j int) bool { return found[i].key.Less(found[j].key) })
	out := make([]Ref, len(found))
	for i, d := range found {
		out[i] = d.ref
	}
	return out
}

type matcher struct {
	lists         map[*list]bool
	after, before int64
	from          uint32 // 0 = anyone
}

func (m matcher) match(d *doc) bool {
	return !d.dead && m.lists[d.list] && d.key.Nanos > m.after && d.key.Nanos < m.before &&
		(m.from == 0 || d.from == m.from)
}

// scanPostings walks the rarest word's postings from the newest and checks the other words by
// binary search in theirs.
func (x *Index) scanPostings(m matcher, ws []string, limit int) []doc {
	ps := make([][]uint32, len(ws))
	for i, w := range ws {
		ps[i] = x.text.postings[w]
		if len(ps[i]) == 0 {
			return nil
		}
	}
	sort.Slice(ps, func(i, j int) bool { return len(ps[i]) < len(ps[j]) })
	var out []doc
	for i := len(ps[0]) - 1; i >= 0 && len(out) < limit; i-- {
		id := ps[0][i]
		d := &x.text.docs[id]
		if !m.match(d) || !allContain(ps[1:], id) {
			continue
		}
		out = append(out, *d)
	}
	return out
}

func allContain(ps [][]uint32, id uint32) bool {
	for _, p := range ps {
		if _, ok := slices.BinarySearch(p, id); !ok {
			return false
		}
	}
	return true
}

// scanLists serves a search without words from the targets' own lists, newest first.
func (x *Index) scanLists(m matcher, limit int) []doc {
	var out []doc
	for l := range m.lists {
		n := 0
		for i := len(l.items) - 1; i >= 0 && n < limit; i-- {
			d := &x.text.docs[l.items[i].doc]
			if m.match(d) {
				out = append(out, *d)
				n++
			}
		}
	}
	if len(out) > limit {
		sort.Slice(out, func(i, j int) bool { return out[j].key.Less(out[i].key) })
		out = out[:limit]
	}
	return out
}
