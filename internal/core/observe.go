package core

import (
	"sync"

	"github.com/parleychat/parley/internal/model"
)

// Observers are sinks that are not connections: the API's event stream and webhooks. They see the
// events that go out through the cluster bus (see Network.publish): every channel message and state
// change an operation on this node makes, once per operation. Private messages, INVITEs and WALLOPS
// are never shown to them.
//
// The message path pays one atomic load for them, and nothing more when there are none: the set is an
// immutable slice behind an atomic pointer, copied on every change (rare: an SSE client connecting).

type observer struct {
	sink   Sink
	filter func(*model.Event) bool
}

// observerRegistry holds the observers of one network.
type observerRegistry struct {
	mu   sync.Mutex // serialises changes to list; never held together with another core lock
	list []*observer
}

// Observe registers sink to receive the network's channel events (messages to channels, JOIN, PART,
// KICK, TOPIC, MODE) and the user-level ones its channels see (QUIT, NICK, AWAY, ACCOUNT, CHGHOST,
// SETNAME), for which filter returns true (nil accepts all). Deliver is called on the goroutine of
// the operation, possibly with a channel lock held (tier 4, like a session's send queue): it must
// not block and must not call into core. The returned cancel removes the observer and may be called
// more than once. Safe for concurrent use.
func (n *Network) Observe(sink Sink, filter func(*model.Event) bool) (cancel func()) {
	o := &observer{sink: sink, filter: filter}
	r := &n.observers
	r.mu.Lock()
	// A new slice each time: readers hold the old one without a lock.
	list := append(append([]*observer(nil), r.list...), o)
	r.list = list
	n.observerSnap.Store(&list)
	r.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			r.mu.Lock()
			defer r.mu.Unlock()
			next := make([]*observer, 0, len(r.list))
			for _, x := range r.list {
				if x != o {
					next = append(next, x)
				}
			}
			r.list = next
			if len(next) == 0 {
				n.observerSnap.Store(nil)
				return
			}
			n.observerSnap.Store(&next)
		})
	}
}

// observe hands ev to the observers that want it. One atomic load when there are none.
func (n *Network) observe(ev *model.Event) {
	p := n.observerSnap.Load()
	if p == nil {
		return
	}
	if ev.Kind == model.KindInvite || ev.Kind == model.KindWallops || (ev.Kind.IsMessage() && !IsChannelName(ev.Target)) {
		return
	}
	for _, o := range *p {
		if o.filter == nil || o.filter(ev) {
			o.sink.Deliver(ev)
		}
	}
}
