package local

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/parleychat/parley/internal/cluster"
)

// bucketID names one of the directory's buckets. Each has its own revision counter, as each
// JetStream KV bucket is its own stream.
type bucketID int

const (
	bucketNicks bucketID = iota
	bucketUsers
	bucketChannels
	bucketMembers
	bucketNodes
	numBuckets
)

type entry struct {
	value any // a record struct (by value), or lostMarker in the node bucket
	rev   uint64
}

type bucket struct {
	rev     uint64
	entries map[string]entry
}

// lostMarker is the value of a lost.<node>.<incarnation> key.
type lostMarker struct{}

// change is one write, as queued to watchers.
type change struct {
	bucket  bucketID
	key     string
	value   any // nil for a deletion
	rev     uint64
	initial bool // part of the snapshot a watch starts with
}

// State is the shared directory of the nodes that run in one process: what JetStream KV is to
// real nodes. Each node gets its own view with Directory. Safe for concurrent use.
type State struct {
	mu       sync.Mutex
	buckets  [numBuckets]bucket
	watchers map[*watcher]struct{}
}

// NewState returns an empty directory.
func NewState() *State {
	s := &State{watchers: make(map[*watcher]struct{})}
	for i := range s.buckets {
		s.buckets[i].entries = make(map[string]entry)
	}
	return s
}

// write applies one change from view under s.mu and queues it to the watchers of that bucket.
// cond, when set, sees the current entry (ok false when absent) and vetoes the write with an error.
func (s *State) write(view *Directory, b bucketID, key string, value any, cond func(cur entry, ok bool) error) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !view.reachable {
		return 0, errCutOff
	}
	bk := &s.buckets[b]
	cur, ok := bk.entries[key]
	if cond != nil {
		if err := cond(cur, ok); err != nil {
			return 0, err
		}
	}
	if value == nil && !ok {
		return 0, nil // deleting nothing writes nothing
	}
	bk.rev++
	if value == nil {
		delete(bk.entries, key)
	} else {
		bk.entries[key] = entry{value: value, rev: bk.rev}
	}
	for w := range s.watchers {
		if w.wants(b) {
			w.queue = append(w.queue, change{bucket: b, key: key, value: value, rev: bk.rev})
			w.cond.Signal()
		}
	}
	return bk.rev, nil
}

func (s *State) get(view *Directory, b bucketID, key string) (entry, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !view.reachable {
		return entry{}, false, errCutOff
	}
	e, ok := s.buckets[b].entries[key]
	return e, ok, nil
}

// scan returns the entries of bucket b, for a sweep.
func (s *State) scan(view *Directory, b bucketID) (map[string]entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !view.reachable {
		return nil, errCutOff
	}
	out := make(map[string]entry, len(s.buckets[b].entries))
	for k, e := range s.buckets[b].entries {
		out[k] = e
	}
	return out, nil
}

// watcher delivers one Watch's changes from its own goroutine, in the order they were written.
type watcher struct {
	view    *Directory
	buckets []bucketID
	cond    *sync.Cond // on State.mu
	queue   []change   // guarded by State.mu
	done    bool       // guarded by State.mu
}

func (w *watcher) wants(b bucketID) bool {
	for _, x := range w.buckets {
		if x == b {
			return true
		}
	}
	return false
}

// watch registers a watcher over buckets, queues their current entries followed by a snapshot
// marker (a change with bucket numBuckets), and starts delivering to h until ctx ends.
func (s *State) watch(ctx context.Context, view *Directory, buckets []bucketID, h func(change)) {
	w := &watcher{view: view, buckets: buckets, cond: sync.NewCond(&s.mu)}
	s.mu.Lock()
	for _, b := range buckets {
		for k, e := range s.buckets[b].entries {
			w.queue = append(w.queue, change{bucket: b, key: k, value: e.value, rev: e.rev, initial: true})
		}
	}
	sortInitial(w.queue)
	w.queue = append(w.queue, change{bucket: numBuckets})
	s.watchers[w] = struct{}{}
	s.mu.Unlock()

	stop := context.AfterFunc(ctx, func() {
		s.mu.Lock()
		w.done = true
		delete(s.watchers, w)
		w.cond.Broadcast()
		s.mu.Unlock()
	})
	go func() {
		defer stop()
		for {
			s.mu.Lock()
			// A cut-off view hears nothing until it heals, as a partitioned node's watch stalls.
			for !w.done && (len(w.queue) == 0 || !view.reachable) {
				w.cond.Wait()
			}
			if w.done {
				s.mu.Unlock()
				return
			}
			c := w.queue[0]
			w.queue[0] = change{}
			w.queue = w.queue[1:]
			s.mu.Unlock()
			h(c)
		}
	}()
}

// setReachable wakes the watchers of view when it heals.
func (s *State) setReachable(view *Directory, ok bool) {
	s.mu.Lock()
	view.reachable = ok
	for w := range s.watchers {
		if w.view == view {
			w.cond.Broadcast()
		}
	}
	s.mu.Unlock()
}

// sortInitial orders a snapshot by bucket, then revision, as a JetStream watch delivers it.
func sortInitial(q []change) {
	sort.Slice(q, func(i, j int) bool {
		if q[i].bucket != q[j].bucket {
			return q[i].bucket < q[j].bucket
		}
		return q[i].rev < q[j].rev
	})
}

// errCutOff is what a view cut off from the others (a simulated partition) fails with.
var errCutOff = fmt.Errorf("%w: node cut off from the directory", cluster.ErrUnavailable)
