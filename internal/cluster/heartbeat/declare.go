package heartbeat

import (
	"context"
	"errors"
	"time"

	"github.com/parleychat/parley/internal/cluster"
)

// apply is the WatchNodes handler: it runs on the store's watch goroutine.
func (l *Liveness) apply(ev NodeEvent) {
	now := l.opt.Now()
	l.mu.Lock()
	switch {
	case ev.Lost:
		k := lostKey{ev.Node.Node, ev.Node.Incarnation}
		if k.node == l.self.Node && k.inc == l.self.Incarnation {
			l.mu.Unlock()
			l.selfLost()
			return
		}
		if k.node == l.self.Node {
			l.mu.Unlock()
			return // an earlier incarnation of ours, cleaned up already
		}
		if p := l.peers[k.node]; p != nil && p.rec.Incarnation == k.inc {
			delete(l.peers, k.node)
		}
		st := l.lost[k]
		if st == nil {
			st = &lostState{}
			l.lost[k] = st
		}
		st.markerSeen = true
		if st.claiming || st.declared {
			l.mu.Unlock()
			return // the claim in flight reports
		}
		st.declared = true
		l.mu.Unlock()
		l.tell(ev.Node, false)
		return
	case ev.Deleted:
		delete(l.peers, ev.Node.Node)
	case ev.Node.Node == l.self.Node:
		// Our own heartbeat, or (after a self-lost) our previous incarnation's: nothing to time.
	default:
		if st := l.lost[lostKey{ev.Node.Node, ev.Node.Incarnation}]; st != nil && st.declared {
			break // a lost incarnation still beating: it will find its marker
		}
		p := l.peers[ev.Node.Node]
		if p == nil {
			p = &peer{}
			l.peers[ev.Node.Node] = p
		}
		p.rec, p.seen = ev.Node, now
	}
	l.mu.Unlock()
}

// declare re-reads a silent peer and, if it is still silent, claims its cleanup.
func (l *Liveness) declare(rec cluster.NodeRecord) {
	defer l.wg.Done()
	k := lostKey{rec.Node, rec.Incarnation}
	// Short: while this claim is in flight a marker from another survivor is not reported, and a
	// request to a stream whose leader just died hangs until a new one is elected.
	ctx, cancel := context.WithTimeout(l.ctx, max(2*l.opt.Interval, 2*time.Second))
	defer cancel()

	cur, err := l.st.GetNode(ctx, rec.Node)
	switch {
	case errors.Is(err, cluster.ErrNotFound):
		// Gone: the winner's cleanup deleted the heartbeat, or a graceful leave. The marker would
		// tell, but this node's watch of it can stall (served by the lost node) for longer than
		// the guarantee allows: the claim below answers at once, lost (marker there) or not. After
		// a graceful leave it declares an incarnation with nothing left to clean.
		l.mu.Lock()
		if p := l.peers[rec.Node]; p != nil && p.rec.Incarnation == rec.Incarnation {
			delete(l.peers, rec.Node)
		}
		l.mu.Unlock()
	case err != nil:
		l.unclaim(k)
		return
	case cur.Incarnation != rec.Incarnation || cur.Revision != rec.Revision:
		// It moved on while our watch lagged (as after a partition heals): alive, unless a marker
		// says otherwise.
		l.mu.Lock()
		if p := l.peers[rec.Node]; p != nil && p.rec.Incarnation == rec.Incarnation && !l.lost[k].markerSeen {
			p.rec, p.seen = cur, l.opt.Now()
		}
		l.mu.Unlock()
		l.unclaim(k)
		return
	}

	if l.opt.Probe != nil {
		if inc, ok := l.opt.Probe(ctx, rec.Node); ok && inc == rec.Incarnation {
			// It answers: alive, its heartbeat writes are what fails. Time it again from now.
			l.mu.Lock()
			if p := l.peers[rec.Node]; p != nil && p.rec.Incarnation == rec.Incarnation && !l.lost[k].markerSeen {
				p.seen = l.opt.Now()
			}
			l.mu.Unlock()
			l.unclaim(k)
			return
		}
	}
	won, err := l.st.ClaimLost(ctx, rec.Node, rec.Incarnation)
	if err != nil {
		l.unclaim(k)
		return
	}
	l.mu.Lock()
	st := l.lost[k]
	st.claiming, st.declared = false, true
	if p := l.peers[rec.Node]; p != nil && p.rec.Incarnation == rec.Incarnation {
		delete(l.peers, rec.Node)
	}
	l.mu.Unlock()
	l.tell(rec, won)
	if won {
		l.log.Warn("node lost: removing its records", "lost", string(rec.Node), "incarnation", rec.Incarnation)
		l.cleanup(rec)
	}
}

// unclaim ends a failed claim: declared after all if the marker arrived meanwhile, else retried
// on a later check.
func (l *Liveness) unclaim(k lostKey) {
	l.mu.Lock()
	st := l.lost[k]
	st.claiming = false
	tell := st.markerSeen && !st.declared
	st.declared = tell
	l.mu.Unlock()
	if tell {
		l.tell(cluster.NodeRecord{V: cluster.RecordVersion, Node: k.node, Incarnation: k.inc}, false)
	}
}

// cleanup deletes a lost incarnation's records, retrying until it succeeds or the Liveness
// closes: the winner of the claim is the only one who will do it.
func (l *Liveness) cleanup(rec cluster.NodeRecord) {
	for {
		// Attempts are short: after a crash, the buckets whose stream leader died answer nothing
		// until a new leader is elected, and a short attempt retries soon after that.
		ctx, cancel := context.WithTimeout(l.ctx, max(l.opt.Timeout, 2*time.Second))
		err := l.st.Sweep(ctx, rec.Node, func(inc uint64) bool { return inc == rec.Incarnation })
		if err == nil {
			// Only if it did not restart meanwhile: a newer heartbeat has another revision.
			err = l.st.DeleteNode(ctx, rec.Node, rec.Revision)
			if errors.Is(err, cluster.ErrConflict) || errors.Is(err, cluster.ErrNotFound) {
				err = nil
			}
		}
		cancel()
		if err == nil || l.ctx.Err() != nil {
			return
		}
		l.log.Warn("cleanup of a lost node failed; retrying", "lost", string(rec.Node), "err", err)
		select {
		case <-l.ctx.Done():
			return
		case <-time.After(l.opt.Interval):
		}
	}
}

// tell calls the lost handler, one call at a time.
func (l *Liveness) tell(rec cluster.NodeRecord, won bool) {
	l.mu.Lock()
	h := l.onLost
	l.mu.Unlock()
	if h == nil {
		return
	}
	l.handlerMu.Lock()
	defer l.handlerMu.Unlock()
	h(rec, won)
}

// selfLost handles the marker of our own incarnation: tell the node, then carry on as a new
// incarnation and sweep whatever the old one wrote after the winner's sweep.
func (l *Liveness) selfLost() {
	l.mu.Lock()
	old := l.self
	h := l.onSelfLost
	now := l.opt.Now()
	l.self.Incarnation = nextIncarnation(old.Incarnation, now)
	l.self.Started, l.self.Heartbeat, l.self.Revision = now, now, 0
	inc := l.self.Incarnation
	closed := l.closed
	if !closed {
		l.wg.Add(1)
	}
	l.mu.Unlock()
	l.log.Error("this node was declared lost by the others; dropping its clients", "incarnation", old.Incarnation)
	if h != nil {
		l.handlerMu.Lock()
		h(old)
		l.handlerMu.Unlock()
	}
	if closed {
		return
	}
	go func() {
		defer l.wg.Done()
		l.beat()
		ctx, cancel := context.WithTimeout(l.ctx, 4*l.opt.Timeout)
		defer cancel()
		if err := l.st.Sweep(ctx, old.Node, func(i uint64) bool { return i != inc }); err != nil && l.ctx.Err() == nil {
			l.log.Warn("sweep of the lost incarnation failed", "err", err)
		}
	}()
}
