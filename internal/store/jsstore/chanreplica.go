package jsstore

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/store"
)

// chanReplica is this node's copy of the channel registrations, kept by a watch on the bucket, so
// that looking up a channel's registration (done on every JOIN and TOPIC) never leaves the node.
// Registrations made on other nodes arrive through the watch; this node's own writes are applied
// at once, so a REGISTER followed by a JOIN sees the registration. Revisions order the two sources.
type chanReplica struct {
	mu    sync.RWMutex
	regs  map[string]store.ChannelReg // by encoded key
	ready atomic.Bool                 // the watch has delivered every stored registration
}

// watchChannels starts the replica's watch; it ends when the store closes.
func (s *Store) watchChannels() error {
	s.chans.regs = make(map[string]store.ChannelReg)
	w, err := s.channels.WatchAll(s.done)
	if err != nil {
		return err
	}
	s.watches.Add(1)
	go func() {
		defer s.watches.Done()
		defer w.Stop()
		for {
			select {
			case <-s.done.Done():
				return
			case e, ok := <-w.Updates():
				if !ok {
					return
				}
				if e == nil { // the end of the stored values
					s.chans.ready.Store(true)
					continue
				}
				s.chans.apply(e)
			}
		}
	}()
	return nil
}

// apply takes one watched change, unless this node already holds something newer.
func (r *chanReplica) apply(e jetstream.KeyValueEntry) {
	if e.Operation() != jetstream.KeyValuePut {
		r.remove(e.Key(), e.Revision())
		return
	}
	c, err := decodeChannel(e.Value(), e.Revision())
	if err != nil {
		return // a record from a newer version: the direct read path reports it
	}
	r.put(e.Key(), c)
}

func (r *chanReplica) put(key string, c store.ChannelReg) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.regs[key]; ok && old.Revision >= c.Revision {
		return
	}
	r.regs[key] = c.Clone()
}

func (r *chanReplica) remove(key string, rev uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.regs[key]; ok && old.Revision < rev {
		delete(r.regs, key)
	}
}

// get answers from the replica; known is false until the watch has caught up.
func (r *chanReplica) get(key string) (c store.ChannelReg, found, known bool) {
	if !r.ready.Load() {
		return store.ChannelReg{}, false, false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	c, found = r.regs[key]
	if found {
		c = c.Clone()
	}
	return c, found, true
}

// cachedChannel is Channel through the replica, falling back to the bucket while it catches up.
func (s *Store) cachedChannel(ctx context.Context, key string) (store.ChannelReg, error) {
	if c, found, known := s.chans.get(key); known {
		if !found {
			return store.ChannelReg{}, store.ErrNotFound
		}
		return c, nil
	}
	e, err := s.channels.Get(ctx, key)
	if err != nil {
		return store.ChannelReg{}, mapErr(err)
	}
	return decodeChannel(e.Value(), e.Revision())
}
