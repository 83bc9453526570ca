// Package heartbeat is the one implementation of cluster.Liveness, written once over a small
// Store interface that each directory implementation (local, natscluster) provides, so the
// in-process and the NATS networks declare nodes lost by the same rules.
//
// The rules:
//   - Every node writes its NodeRecord every Interval. Survivors time a peer by when they saw its
//     record change, on their own clock, so clock skew between machines does not matter.
//   - A peer silent for Timeout is re-read from the store before anything happens: if its record
//     moved on (the local watch lagged, or the node restarted), it is alive.
//   - Then the survivor creates lost.<node>.<incarnation>; the one create that succeeds wins and
//     deletes that incarnation's records. A node that cannot write (no quorum) declares nothing.
//   - A node that sees the marker of its own incarnation was cut off for too long: its records are
//     gone, it drops its clients and continues under a new incarnation.
package heartbeat

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/model"
)

// Store is what the heartbeat needs of a directory. Implementations map their failures to the
// cluster errors (ErrNotFound, ErrConflict, ErrUnavailable). Safe for concurrent use.
type Store interface {
	// PutNode writes the node's heartbeat and returns its revision.
	PutNode(ctx context.Context, rec cluster.NodeRecord) (uint64, error)
	// GetNode reads a node's heartbeat (Revision set), or fails with ErrNotFound.
	GetNode(ctx context.Context, node model.NodeID) (cluster.NodeRecord, error)
	// DeleteNode deletes a node's heartbeat if its revision is still revision (0: any).
	DeleteNode(ctx context.Context, node model.NodeID, revision uint64) error
	// ClaimLost creates the marker lost.<node>.<incarnation>: true for the one caller that
	// created it, false (and no error) when it existed.
	ClaimLost(ctx context.Context, node model.NodeID, incarnation uint64) (bool, error)
	// WatchNodes calls h with every heartbeat record and marker, current ones first, then every
	// change, from one goroutine, until ctx ends. It returns once the watch runs.
	WatchNodes(ctx context.Context, h func(NodeEvent)) error
	// Sweep deletes the nicks, users and memberships of node whose incarnation match accepts,
	// each only if unchanged since read, so a record rewritten meanwhile survives.
	Sweep(ctx context.Context, node model.NodeID, match func(incarnation uint64) bool) error
}

// NodeEvent is one change in the node bucket.
type NodeEvent struct {
	Node    cluster.NodeRecord // for Deleted, only Node is set; for Lost, Node and Incarnation
	Deleted bool               // the heartbeat was deleted (a graceful leave, or a cleanup)
	Lost    bool               // a lost marker appeared
}

// Options configure a Liveness.
type Options struct {
	cluster.LivenessOptions
	Logger *slog.Logger
	Now    func() time.Time // nil: time.Now
	// Probe, if set, asks a node directly, not through the store, whether it runs and under which
	// incarnation. A silent peer that answers is alive: when the heartbeat bucket's stream lost its
	// leader with a dead node, every survivor's heartbeat writes fail until JetStream elects
	// another, and the survivors' records look as silent as the dead node's.
	Probe func(ctx context.Context, node model.NodeID) (incarnation uint64, ok bool)
}

type lostKey struct {
	node model.NodeID
	inc  uint64
}

// lostState tracks one (node, incarnation) through a declaration.
type lostState struct {
	claiming   bool // a claim is in flight on this node
	markerSeen bool // the marker arrived through the watch
	declared   bool // the handlers have been told
}

type peer struct {
	rec  cluster.NodeRecord
	seen time.Time // local time the record last changed
}

// Liveness implements cluster.Liveness over a Store.
type Liveness struct {
	st  Store
	opt Options
	log *slog.Logger

	mu         sync.Mutex
	self       cluster.NodeRecord
	peers      map[model.NodeID]*peer
	lost       map[lostKey]*lostState
	onLost     func(cluster.NodeRecord, bool)
	onSelfLost func(cluster.NodeRecord)
	putFailing bool      // the last heartbeat write failed (logged once per outage)
	lastCheck  time.Time // when check last ran: a long gap means this process was frozen

	handlerMu sync.Mutex // serialises handler calls

	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	started bool
	closed  bool
}

var _ cluster.Liveness = (*Liveness)(nil)

// New returns a Liveness for node self over st. Call Start to begin.
func New(st Store, self model.NodeID, opt Options) *Liveness {
	opt.LivenessOptions = opt.LivenessOptions.WithDefaults()
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	l := &Liveness{
		st: st, opt: opt, log: opt.Logger.With("component", "liveness", "node", string(self)),
		self:  cluster.NodeRecord{V: cluster.RecordVersion, Node: self},
		peers: make(map[model.NodeID]*peer), lost: make(map[lostKey]*lostState),
	}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	return l
}

// SetLostHandler implements cluster.Liveness. Safe for concurrent use.
func (l *Liveness) SetLostHandler(h func(cluster.NodeRecord, bool)) {
	l.mu.Lock()
	l.onLost = h
	l.mu.Unlock()
}

// SetSelfLostHandler implements cluster.Liveness. Safe for concurrent use.
func (l *Liveness) SetSelfLostHandler(h func(cluster.NodeRecord)) {
	l.mu.Lock()
	l.onSelfLost = h
	l.mu.Unlock()
}

// Self implements cluster.Liveness. Safe for concurrent use.
func (l *Liveness) Self() cluster.NodeRecord {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.self
}

// Nodes implements cluster.Liveness. Safe for concurrent use.
func (l *Liveness) Nodes() []cluster.NodeRecord {
	l.mu.Lock()
	out := []cluster.NodeRecord{l.self}
	for _, p := range l.peers {
		out = append(out, p.rec)
	}
	l.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Node < out[j].Node })
	return out
}

// Start implements cluster.Liveness: watch, first heartbeat, sweep of earlier incarnations, loop.
// Call it once. Safe for concurrent use with the other methods.
func (l *Liveness) Start(ctx context.Context) error {
	l.mu.Lock()
	if l.started || l.closed {
		l.mu.Unlock()
		return errors.New("heartbeat: Start called twice or after Close")
	}
	l.started = true
	now := l.opt.Now()
	l.self.Incarnation = nextIncarnation(0, now)
	l.self.Started, l.self.Heartbeat = now, now
	self := l.self
	l.mu.Unlock()

	// A cluster that has just formed may not have elected the buckets' leaders yet, so
	// unavailability is retried until ctx ends.
	if err := retry(ctx, func() error { return l.st.WatchNodes(l.ctx, l.apply) }); err != nil {
		return err
	}
	err := retry(ctx, func() error {
		rev, err := l.st.PutNode(ctx, self)
		l.setRevision(self.Incarnation, rev)
		return err
	})
	if err != nil {
		return err
	}
	// Records of an earlier run of this node that nobody cleaned up (a crash shorter than the
	// timeout, or the whole network down) must not come back to life.
	err = retry(ctx, func() error {
		return l.st.Sweep(ctx, self.Node, func(inc uint64) bool { return inc != self.Incarnation })
	})
	if err != nil {
		return err
	}
	l.wg.Add(2)
	go l.beatLoop()
	go l.loop()
	return nil
}

// retry calls f until it succeeds, fails with something other than ErrUnavailable, or ctx ends.
func retry(ctx context.Context, f func() error) error {
	for {
		err := f()
		if err == nil || !errors.Is(err, cluster.ErrUnavailable) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// nextIncarnation returns a number greater than prev, from the clock when it allows, so a
// restarted node's incarnation exceeds its previous run's even across processes.
func nextIncarnation(prev uint64, now time.Time) uint64 {
	if n := uint64(now.UnixNano()); n > prev {
		return n
	}
	return prev + 1
}

func (l *Liveness) setRevision(inc, rev uint64) {
	l.mu.Lock()
	if l.self.Incarnation == inc {
		l.self.Revision = rev
	}
	l.mu.Unlock()
}

// beatLoop writes the heartbeat every Interval. It runs apart from the checks: a write can hang
// up to Interval while a bucket has no leader, and the checks must keep their pace (a gap between
// two checks means the process itself was not running, see check).
func (l *Liveness) beatLoop() {
	defer l.wg.Done()
	beat := time.NewTicker(l.opt.Interval)
	defer beat.Stop()
	for {
		select {
		case <-l.ctx.Done():
			return
		case <-beat.C:
			l.beat()
		}
	}
}

// loop checks for silent peers four times per Interval, so a loss is declared within a quarter
// interval of the timeout rather than a whole one.
func (l *Liveness) loop() {
	defer l.wg.Done()
	check := time.NewTicker(l.opt.Interval / 4)
	defer check.Stop()
	for {
		select {
		case <-l.ctx.Done():
			return
		case <-check.C:
			l.check()
		}
	}
}

// beat writes one heartbeat. A failure is logged once per outage: on a partitioned node every
// write fails until the network heals.
func (l *Liveness) beat() {
	l.mu.Lock()
	l.self.Heartbeat = l.opt.Now()
	self := l.self
	l.mu.Unlock()
	ctx, cancel := context.WithTimeout(l.ctx, l.opt.Interval)
	rev, err := l.st.PutNode(ctx, self)
	cancel()
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case err != nil && !l.putFailing && l.ctx.Err() == nil:
		l.putFailing = true
		l.log.Warn("heartbeat write failed; this node cannot reach the directory", "err", err)
	case err == nil && l.putFailing:
		l.putFailing = false
		l.log.Info("heartbeat write succeeds again")
	}
	if err == nil && l.self.Incarnation == self.Incarnation {
		l.self.Revision = rev
	}
}

// Silent implements cluster.Liveness. Safe for concurrent use.
func (l *Liveness) Silent(node model.NodeID) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	p := l.peers[node]
	return p == nil || l.opt.Now().Sub(p.seen) > 2*l.opt.Interval
}

// check starts a declaration for every peer silent for longer than the timeout.
func (l *Liveness) check() {
	now := l.opt.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	// A process that was stopped (SIGSTOP, a VM paused, a machine swapping) wakes up with every
	// peer apparently silent for as long as it slept. Its own view is what went stale: silence is
	// counted again from now, and if the others declared it lost meanwhile, their marker says so.
	last := l.lastCheck
	l.lastCheck = now
	if gap := now.Sub(last); !last.IsZero() && gap > max(2*l.opt.Interval, l.opt.Timeout/2) {
		l.log.Warn("this node was not running for a while; timing its peers again from now", "gap", gap.Round(time.Millisecond).String())
		for _, p := range l.peers {
			p.seen = now
		}
		return
	}
	for _, p := range l.peers {
		if now.Sub(p.seen) < l.opt.Timeout {
			continue
		}
		k := lostKey{p.rec.Node, p.rec.Incarnation}
		st := l.lost[k]
		if st == nil {
			st = &lostState{}
			l.lost[k] = st
		}
		if st.claiming || st.declared {
			continue
		}
		st.claiming = true
		l.wg.Add(1)
		go l.declare(p.rec)
	}
}

// Close implements cluster.Liveness: stop beating, sweep this incarnation, delete the heartbeat.
// Safe to call more than once and from any goroutine.
func (l *Liveness) Close(ctx context.Context) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	started, self := l.started, l.self
	l.mu.Unlock()
	l.cancel()
	l.wg.Wait()
	if !started {
		return nil
	}
	err := l.st.Sweep(ctx, self.Node, func(inc uint64) bool { return inc == self.Incarnation })
	return errors.Join(err, l.st.DeleteNode(ctx, self.Node, 0))
}

// Running reports whether the liveness is started and not closed or stopped: a probe responder
// answers only then. Safe for concurrent use.
func (l *Liveness) Running() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.started && !l.closed
}

// Stop ends the heartbeats and the watch without removing anything, the way a crash does. Tests
// use it to simulate a node dying; safe to call more than once.
func (l *Liveness) Stop() {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.cancel()
	l.wg.Wait()
}
