package histindex

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/parleychat/parley/internal/store"
)

// A snapshot is the index written out so that a restart loads it instead of reading every stored
// message again (issue 4: the full scan costs about 16 s per million messages). It holds what the
// index derived from the messages (targets, keys, refs, senders, the word postings), not the
// messages, so loading it is a matter of reading varints.
//
// Layout (all integers unsigned varints unless said otherwise; strings are a length and bytes):
//
//	magic "parley-histindex 1\n"
//	meta: fingerprint string, seq
//	nicks: count, then each folded nick in id order (ids from 1)
//	lists: count, then each target's account and name
//	docs: count, then each live document in add order: list, key nanos (signed varint), key tie,
//	      ref, sender id, 1 if it is an event else 0
//	postings: count, then each word and its document numbers, delta-encoded
//
// Only live documents are written (those still in a list), numbered again in their old order, so
// the postings stay sorted and what Remove, Expire or DropAccount forgot is gone for good.

const snapshotMagic = "parley-histindex 1\n"

// ErrSnapshotMismatch is returned by ReadSnapshot for a snapshot written for other settings.
var ErrSnapshotMismatch = errors.New("histindex: snapshot written with other settings")

// SnapshotMeta travels with a snapshot: a fingerprint of the settings the index depends on (the
// network, the casemapping) and the stream sequence up to which it holds every message.
type SnapshotMeta struct {
	Fingerprint string
	Seq         uint64
}

// WriteSnapshot writes the index to w. It holds the read lock while it writes, so adds wait;
// write at shutdown or into a buffer. Safe for concurrent use.
func (x *Index) WriteSnapshot(w io.Writer, meta SnapshotMeta) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	e := &encoder{w: bw}
	x.mu.RLock()
	defer x.mu.RUnlock()
	e.bytes([]byte(snapshotMagic))
	e.str(meta.Fingerprint)
	e.uint(meta.Seq)
	nicks := make([]string, len(x.text.nicks))
	for n, id := range x.text.nicks {
		nicks[id-1] = n
	}
	e.uint(uint64(len(nicks)))
	for _, n := range nicks {
		e.str(n)
	}
	listNo := map[*list]uint64{}
	live := map[uint32]bool{}
	e.uint(uint64(len(x.targets)))
	for t, l := range x.targets {
		listNo[l] = uint64(len(listNo))
		e.str(t.Account)
		e.str(t.Name)
		for _, it := range l.items {
			live[it.doc] = true
		}
	}
	renum := make(map[uint32]uint32, len(live))
	e.uint(uint64(len(live)))
	for id := range x.text.docs {
		if !live[uint32(id)] {
			continue
		}
		renum[uint32(id)] = uint32(len(renum))
		d := &x.text.docs[id]
		e.uint(listNo[d.list])
		e.int(d.key.Nanos)
		e.uint(d.key.Tie)
		e.uint(d.ref)
		e.uint(uint64(d.from))
		e.bool(d.dead)
	}
	x.writePostings(e, renum)
	if e.err != nil {
		return e.err
	}
	return bw.Flush()
}

func (x *Index) writePostings(e *encoder, renum map[uint32]uint32) {
	var kept []uint32
	n := 0
	for _, ps := range x.text.postings {
		if slices.ContainsFunc(ps, func(id uint32) bool { _, ok := renum[id]; return ok }) {
			n++
		}
	}
	e.uint(uint64(n))
	for w, ps := range x.text.postings {
		kept = kept[:0]
		for _, id := range ps {
			if nid, ok := renum[id]; ok {
				kept = append(kept, nid)
			}
		}
		if len(kept) == 0 {
			continue
		}
		e.str(w)
		e.uint(uint64(len(kept)))
		prev := uint32(0)
		for _, id := range kept {
			e.uint(uint64(id - prev))
			prev = id
		}
	}
}

// ReadSnapshot reads an index written by WriteSnapshot. A snapshot whose fingerprint differs from
// want gives ErrSnapshotMismatch: the caller rebuilds from the stream. maxPer applies from the next
// Add on.
func ReadSnapshot(r io.Reader, fold store.Fold, maxPer int, want string) (*Index, SnapshotMeta, error) {
	d := &decoder{r: bufio.NewReaderSize(r, 1<<16)}
	var meta SnapshotMeta
	magic := make([]byte, len(snapshotMagic))
	if _, err := io.ReadFull(d.r, magic); err != nil || string(magic) != snapshotMagic {
		return nil, meta, fmt.Errorf("histindex: not a snapshot")
	}
	meta.Fingerprint, meta.Seq = d.str(), d.uint()
	if d.err != nil {
		return nil, meta, d.fail()
	}
	if meta.Fingerprint != want {
		return nil, meta, ErrSnapshotMismatch
	}
	x := New(fold, maxPer)
	for i, n := 0, d.count(); i < n && d.err == nil; i++ {
		x.text.nicks[d.str()] = uint32(i + 1)
	}
	var lists []*list
	for i, n := 0, d.count(); i < n && d.err == nil; i++ {
		lists = append(lists, x.listLocked(store.Target{Account: d.str(), Name: d.str()}))
	}
	docs := d.count()
	if d.err != nil {
		return nil, meta, d.fail()
	}
	// Capacity from the file only up to a bound: a damaged count must not allocate gigabytes.
	x.text.docs = make([]doc, 0, min(docs, 1<<22))
	for i := 0; i < docs && d.err == nil; i++ {
		li := d.uint()
		if li >= uint64(len(lists)) {
			return nil, meta, fmt.Errorf("histindex: snapshot: bad list number")
		}
		l := lists[li]
		dc := doc{list: l, key: store.Key{Nanos: d.int(), Tie: d.uint()}, ref: d.uint(), from: uint32(d.uint()), dead: d.bool()}
		l.items = append(l.items, item{key: dc.key, ref: dc.ref, doc: uint32(i)})
		x.text.docs = append(x.text.docs, dc)
	}
	if err := d.postings(x, uint32(docs)); err != nil {
		return nil, meta, err
	}
	for _, l := range lists {
		// Add order is key order except for the rare late arrival: sort only when needed.
		less := func(a, b item) int { return cmpKey(a.key, b.key) }
		if !slices.IsSortedFunc(l.items, less) {
			slices.SortStableFunc(l.items, less)
		}
	}
	return x, meta, nil
}

func cmpKey(a, b store.Key) int {
	switch {
	case a.Less(b):
		return -1
	case b.Less(a):
		return 1
	}
	return 0
}

func (d *decoder) postings(x *Index, docs uint32) error {
	for i, n := 0, d.count(); i < n && d.err == nil; i++ {
		w := d.str()
		n := d.count()
		if n > int(docs) {
			return fmt.Errorf("histindex: snapshot: %d postings for %d documents", n, docs)
		}
		ps := make([]uint32, n)
		id := uint32(0)
		for j := range ps {
			id += uint32(d.uint())
			if id >= docs {
				return fmt.Errorf("histindex: snapshot: bad document number")
			}
			ps[j] = id
		}
		x.text.postings[w] = ps
	}
	return d.fail()
}

// listLocked returns t's list, creating it; t is folded. Caller holds mu or owns x alone.
func (x *Index) listLocked(t store.Target) *list {
	l := x.targets[t]
	if l != nil {
		return l
	}
	l = &list{target: t}
	x.targets[t] = l
	if t.Account != "" {
		m := x.accounts[t.Account]
		if m == nil {
			m = map[*list]struct{}{}
			x.accounts[t.Account] = m
		}
		m[l] = struct{}{}
	}
	return l
}

type encoder struct {
	w   *bufio.Writer
	buf [binary.MaxVarintLen64]byte
	err error
}

func (e *encoder) bytes(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

func (e *encoder) uint(v uint64) { e.bytes(binary.AppendUvarint(e.buf[:0], v)) }
func (e *encoder) int(v int64)   { e.bytes(binary.AppendVarint(e.buf[:0], v)) }
func (e *encoder) str(s string)  { e.uint(uint64(len(s))); e.bytes([]byte(s)) }
func (e *encoder) bool(b bool) {
	if b {
		e.uint(1)
	} else {
		e.uint(0)
	}
}

// maxSnapshotString bounds one string of a snapshot: names and words are short, so a larger
// length means a damaged file, not a reason to allocate.
const maxSnapshotString = 1 << 16

type decoder struct {
	r   *bufio.Reader
	err error
}

func (d *decoder) uint() uint64 {
	if d.err != nil {
		return 0
	}
	v, err := binary.ReadUvarint(d.r)
	d.err = err
	return v
}

func (d *decoder) int() int64 {
	if d.err != nil {
		return 0
	}
	v, err := binary.ReadVarint(d.r)
	d.err = err
	return v
}

func (d *decoder) bool() bool { return d.uint() != 0 }

// count reads a length and bounds it, so a damaged file cannot ask for a huge allocation.
func (d *decoder) count() int {
	n := d.uint()
	if n > 1<<32 {
		d.err = fmt.Errorf("histindex: snapshot: count %d out of range", n)
		return 0
	}
	return int(n)
}

func (d *decoder) str() string {
	n := d.uint()
	if d.err != nil {
		return ""
	}
	if n > maxSnapshotString {
		d.err = fmt.Errorf("histindex: snapshot: string of %d bytes", n)
		return ""
	}
	b := make([]byte, n)
	_, d.err = io.ReadFull(d.r, b)
	return string(b)
}

// fail returns the decoding error, with a truncated file named as such.
func (d *decoder) fail() error {
	if d.err == nil {
		return nil
	}
	if errors.Is(d.err, io.EOF) || errors.Is(d.err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("histindex: snapshot truncated")
	}
	return d.err
}
