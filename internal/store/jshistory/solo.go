package jshistory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/histindex"
)

// Solo (Options.Solo): this node is the network's only writer, so after the start-up scan it
// reads nothing of the stream. Every message, rename and deletion of the network goes through
// this node's own calls, which change the index themselves; a follower would only deliver the
// node's own appends a second time, for 10-15% of the CPU at 10,000 messages a second.
//
// What the follower did besides, a Solo history does in its own calls:
//
//   - The snapshot's sequence. Close reads the stream's last sequence, waits until every own
//     operation that began before (an append between its publish and its index change, a rename,
//     a deletion) has finished, and saves the index with that sequence: every message up to it
//     came through this node and is in the index. pos stays where the scan left it, and its skip
//     set stays empty.
//   - Stream order. Own appends are indexed as their acknowledgements arrive, so a rename or an
//     account deletion may complete while an append the stream holds before its record is not
//     indexed yet. The rename (deletion) leaves a mark, its record's sequence, through which such
//     a late append is routed (discarded) as a scan of the stream would. While an account's
//     deletion waits for its record, the account's new messages are held back, and indexed once
//     the record's sequence says which of them came after it.
//   - Doubt. When an operation cannot know what the stream stored (an acknowledgement that failed
//     or did not come in time, a rename or a deletion half done), the index may differ from the
//     stream until a full scan: Close saves no snapshot then, so the next start reads it all.
//
// A mark is forgotten once every operation that began before it has finished. Operations count
// in one of two generations, by parity: a new generation begins only when the one before the
// current one has none left in flight, so when that is so every operation older than the current
// generation has finished (the grace period of read-copy-update). Marks thus stay few: only the
// renames and deletions of the last moments, or of the time an acknowledgement is awaited.

// soloState is what a History with Options.Solo keeps instead of a follower.
type soloState struct {
	gen    atomic.Uint64
	ops    [2]atomic.Int64 // own operations in flight, by the parity of the generation they began in
	marked atomic.Bool     // marks is not empty: the end of an operation may forget some

	// Guarded by pos.mu.
	marks []mark           // by sequence
	holds map[string]*hold // folded account -> its messages waiting for the drop record's sequence
	doubt string           // why the index may differ from the stream; "" when it does not
}

// mark is a rename or an account deletion whose record is stored, kept for the own appends the
// stream holds before the record and which may be indexed after it.
type mark struct {
	seq  uint64 // the record's stream sequence
	gen  uint64 // the generation current when it was made
	drop bool   // the deletion of account from; else the rename of channel from to to
	from string
	to   string
}

// hold keeps the messages of an account being deleted until its drop record is stored.
type hold struct {
	after uint64 // the sequence of the latest drop record: the messages stored after it stay
	adds  []heldAdd
}

type heldAdd struct {
	t   store.Target
	ev  *model.Event
	seq uint64
}

// ownOp is one of this node's operations with Options.Solo, counted from before its first publish
// to its last index change; the zero ownOp (no Solo) counts nothing and does nothing.
type ownOp struct {
	h   *History
	gen uint64
}

// beginOwn starts counting an operation. Its end, once, is end or finishLater.
func (h *History) beginOwn() ownOp {
	if !h.opt.Solo {
		return ownOp{}
	}
	s := &h.solo
	for {
		g := s.gen.Load()
		s.ops[g&1].Add(1)
		if s.gen.Load() == g {
			return ownOp{h: h, gen: g}
		}
		s.ops[g&1].Add(-1) // a generation began meanwhile: count in that one
	}
}

// end finishes the operation; the last of its generation lets the marks older than it go.
func (o ownOp) end() {
	if o.h == nil {
		return
	}
	s := &o.h.solo
	if s.ops[o.gen&1].Add(-1) == 0 && s.marked.Load() {
		o.h.pos.mu.Lock()
		o.h.turnLocked(false)
		o.h.pos.mu.Unlock()
	}
}

// doubt records that the index may differ from the stream: Close will save no snapshot.
func (o ownOp) doubt(why string) {
	if o.h == nil {
		return
	}
	o.h.pos.mu.Lock()
	if o.h.solo.doubt == "" {
		o.h.solo.doubt = why
	}
	o.h.pos.mu.Unlock()
}

// finishLater indexes, as they are acknowledged, own appends whose caller stopped waiting (its
// context ended, the history closed), then ends the operation. Without Solo the follower reads
// them; with it nothing else would.
func (o ownOp) finishLater(entries []store.Entry, futures []jetstream.PubAckFuture) {
	if o.h == nil {
		return
	}
	go func() {
		defer o.end()
		timeout := time.NewTimer(ackTimeout)
		defer timeout.Stop()
		for i, f := range futures {
			if f == nil {
				continue
			}
			select {
			case ack := <-f.Ok():
				o.h.indexOwn(entries[i], ack.Sequence)
			case <-f.Err():
				o.doubt("an append's acknowledgement failed")
			case <-timeout.C:
				o.doubt("an append was not acknowledged in time")
				return
			}
		}
	}()
}

// renamed completes a rename whose record is stored at seq: what reached the old name before it
// moves, and a mark routes the appends still in flight.
func (o ownOp) renamed(from, to string, seq uint64) {
	if o.h == nil {
		return
	}
	h := o.h
	h.pos.mu.Lock()
	defer h.pos.mu.Unlock()
	h.x.RenameBefore(store.Channel(from), store.Channel(to), seq)
	h.markLocked(mark{seq: seq, from: from, to: to})
}

// dropped completes an account's deletion whose record is stored at seq (the follower's part
// without Solo): a mark discards the appends still in flight from before it, and the held ones
// from after it are indexed.
func (o ownOp) dropped(account string, seq uint64) {
	if o.h == nil {
		return
	}
	h := o.h
	h.pos.mu.Lock()
	defer h.pos.mu.Unlock()
	h.markLocked(mark{seq: seq, drop: true, from: account})
	if hd := h.solo.holds[account]; hd != nil {
		hd.after = max(hd.after, seq)
	}
	h.undropLocked(account)
}

// holdLocked starts holding back an account's messages, for its deletion. Caller holds pos.mu.
func (h *History) holdLocked(account string) {
	if !h.opt.Solo || h.solo.holds[account] != nil {
		return
	}
	if h.solo.holds == nil {
		h.solo.holds = map[string]*hold{}
	}
	h.solo.holds[account] = &hold{}
}

// releaseLocked indexes the messages held back for an account that no deletion waits for any
// more: those stored after its drop record, all of them when no record was stored. Caller holds
// pos.mu.
func (h *History) releaseLocked(account string) {
	hd := h.solo.holds[account]
	if hd == nil {
		return
	}
	delete(h.solo.holds, account)
	for _, a := range hd.adds {
		if a.seq > hd.after {
			h.x.Add(a.t, store.KeyOf(a.ev), a.seq, histindex.DocOf(a.ev))
		}
	}
}

// markLocked keeps m until the operations that began before it have finished. Caller holds pos.mu.
func (h *History) markLocked(m mark) {
	s := &h.solo
	m.gen = s.gen.Load()
	i, _ := slices.BinarySearchFunc(s.marks, m.seq, func(m mark, seq uint64) int {
		return cmpSeq(m.seq, seq)
	})
	s.marks = slices.Insert(s.marks, i, m)
	s.marked.Store(true)
	h.turnLocked(false)
}

func cmpSeq(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// turnLocked ends the generation before the current one if it has no operation left: the marks
// made before the current generation are forgotten, and a new generation begins when marks are
// left (or always with force), whose own turn will forget them. It reports the generation
// current on return. Caller holds pos.mu.
func (h *History) turnLocked(force bool) uint64 {
	s := &h.solo
	for range 2 { // a new generation whose predecessor is already empty turns again at once
		g := s.gen.Load()
		if s.ops[(g+1)&1].Load() != 0 {
			return g // the previous generation (same parity as g+1) has operations in flight
		}
		s.marks = slices.DeleteFunc(s.marks, func(m mark) bool { return m.gen < g })
		s.marked.Store(len(s.marks) > 0)
		if len(s.marks) == 0 && !force {
			return g
		}
		s.gen.Store(g + 1)
		force = false
	}
	return s.gen.Load()
}

// soloIndexLocked indexes an own append stored at seq as a scan of the stream would: through
// the renames recorded after it, not at all past a deletion of its account recorded after it,
// and later for an account whose deletion is under way. Caller holds pos.mu.
func (h *History) soloIndexLocked(t store.Target, ev *model.Event, seq uint64) {
	for _, m := range h.solo.marks {
		switch {
		case m.seq < seq:
		case m.drop && t.Account == m.from:
			return
		case !m.drop && t.Account == "" && t.Name == m.from:
			t.Name = m.to
		}
	}
	if hd := h.solo.holds[t.Account]; hd != nil && t.Account != "" {
		hd.adds = append(hd.adds, heldAdd{t: t, ev: ev, seq: seq})
		return
	}
	h.x.Add(t, store.KeyOf(ev), seq, histindex.DocOf(ev))
}

// errInFlight: Close saves no snapshot while own operations it waited for are still in flight.
var errInFlight = errors.New("own appends still in flight")

// soloSnapshotSeq returns the sequence to save the index with at Close: the stream's last one,
// once every own operation that began before it was read has finished. It fails when the index
// may differ from the stream.
func (h *History) soloSnapshotSeq(ctx context.Context) (uint64, error) {
	info, err := h.streamInfo(ctx)
	if err != nil {
		return 0, err
	}
	if err := h.quiesce(ctx); err != nil {
		return 0, err
	}
	h.pos.mu.Lock()
	why := h.solo.doubt
	h.pos.mu.Unlock()
	if why != "" {
		return 0, fmt.Errorf("the index may differ from the stream: %s", why)
	}
	return max(info.State.LastSeq, h.pos.at()), nil
}

// quiesce waits until every own operation that began before it was called has finished, for at
// most ackTimeout: an operation outlives its acknowledgements by no more than an index change.
func (h *History) quiesce(ctx context.Context) error {
	s := &h.solo
	start := s.gen.Load()
	deadline := time.NewTimer(ackTimeout)
	defer deadline.Stop()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		h.pos.mu.Lock()
		// A generation after start begins as soon as the one before start is empty; once start
		// is empty too (or a generation after start+1 began, which needs as much), every
		// operation that began before the call has finished.
		g := h.turnLocked(s.gen.Load() <= start)
		done := g > start+1 || (g == start+1 && s.ops[start&1].Load() == 0)
		h.pos.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-tick.C:
		case <-deadline.C:
			return errInFlight
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
