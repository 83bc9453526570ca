// Package local is the in-process cluster.Bus: the bus of a single node, and of several nodes that a
// test runs inside one process.
package local

import (
	"errors"
	"sync"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/model"
)

// Hub connects the Buses of the nodes that run in one process.
type Hub struct {
	mu    sync.RWMutex
	buses map[*Bus]struct{}
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{buses: make(map[*Bus]struct{})} }

// Bus is one node's attachment to a Hub. Delivery to peers is synchronous in the publisher's
// goroutine, which keeps one publisher's order per subject.
type Bus struct {
	hub     *Hub
	mu      sync.RWMutex
	handler cluster.Handler
	subs    map[string]int
	closed  bool
}

// ErrClosed is returned by a closed Bus.
var ErrClosed = errors.New("local bus: closed")

// New attaches a new Bus to hub. A nil hub gives a bus with no peers, which is a single node.
func New(hub *Hub) *Bus {
	if hub == nil {
		hub = NewHub()
	}
	b := &Bus{hub: hub, subs: make(map[string]int)}
	hub.mu.Lock()
	hub.buses[b] = struct{}{}
	hub.mu.Unlock()
	return b
}

// Publish delivers ev to every other bus on the hub subscribed to subject. Safe for concurrent use.
func (b *Bus) Publish(subject string, ev *model.Event) error {
	b.mu.RLock()
	closed := b.closed
	b.mu.RUnlock()
	if closed {
		return ErrClosed
	}
	b.hub.mu.RLock()
	defer b.hub.mu.RUnlock()
	for peer := range b.hub.buses {
		if peer != b {
			peer.deliver(subject, ev)
		}
	}
	return nil
}

func (b *Bus) deliver(subject string, ev *model.Event) {
	b.mu.RLock()
	h, interested := b.handler, b.subs[subject] > 0 && !b.closed
	b.mu.RUnlock()
	if interested && h != nil {
		h(subject, ev)
	}
}

// SetHandler installs the remote-event handler. Safe for concurrent use.
func (b *Bus) SetHandler(h cluster.Handler) {
	b.mu.Lock()
	b.handler = h
	b.mu.Unlock()
}

// Subscribe adds interest in subject; calls nest. Safe for concurrent use.
func (b *Bus) Subscribe(subject string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	b.subs[subject]++
	return nil
}

// Unsubscribe removes one Subscribe's interest. Safe for concurrent use.
func (b *Bus) Unsubscribe(subject string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n := b.subs[subject]; n > 1 {
		b.subs[subject] = n - 1
	} else {
		delete(b.subs, subject)
	}
	return nil
}

// Close detaches the bus from its hub. Safe to call more than once.
func (b *Bus) Close() error {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	b.hub.mu.Lock()
	delete(b.hub.buses, b)
	b.hub.mu.Unlock()
	return nil
}
