package natscluster

import (
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/model"
)

// ErrClosed is returned by a closed Bus.
var ErrClosed = errors.New("natscluster: bus closed")

// Bus is the cluster.Bus on core NATS.
//
// Order: every Publish goes out through the node's one connection, and NATS keeps one
// connection's order on a subject, so one sender's events on one subject arrive in order.
//
// Never blocking on peers: Publish only appends to nats.go's write buffer, which its flusher
// goroutine writes to the local server; peers are the server's business. The server queues to
// each peer connection up to its pending limit (64 MB by default) and cuts off a peer that falls
// further behind (a slow consumer) without slowing the publisher. While the connection is
// reconnecting, nats.go buffers up to its reconnect buffer (8 MB) and then fails Publish, which
// the caller counts as a failed publish rather than waiting.
//
// Receiving: every subscription feeds one channel, read by one goroutine that decodes and calls
// the handler, so the handler is never concurrent and one subscription costs no goroutine. When
// the handler falls BusPending messages behind, nats.go drops further messages for the
// subscription and counts them (Dropped); the directory, not the bus, carries state, so a drop
// loses display events (a PRIVMSG), never membership.
type Bus struct {
	nc   *nats.Conn
	node model.NodeID
	log  *slog.Logger
	ch   chan *nats.Msg
	done chan struct{}
	wg   sync.WaitGroup

	handler atomic.Pointer[cluster.Handler]
	dropped atomic.Uint64 // messages dropped by unsubscribed subscriptions, and undecodable ones

	mu     sync.Mutex
	subs   map[string]*busSub // guarded by mu
	closed bool               // guarded by mu
}

type busSub struct {
	sub  *nats.Subscription
	refs int
}

var _ cluster.Bus = (*Bus)(nil)

func newBus(nc *nats.Conn, node model.NodeID, pending int, log *slog.Logger) (*Bus, error) {
	if nc == nil {
		return nil, errors.New("natscluster: no NATS connection")
	}
	b := &Bus{
		nc: nc, node: node, log: log, ch: make(chan *nats.Msg, pending), done: make(chan struct{}),
		subs: make(map[string]*busSub),
	}
	b.wg.Add(1)
	go b.run()
	return b, nil
}

// Publish implements cluster.Bus: encode once, append to the connection's buffer. Safe for
// concurrent use.
func (b *Bus) Publish(subject string, ev *model.Event) error {
	data, err := encodeEvent(b.node, ev)
	if err != nil {
		return err
	}
	if err := b.nc.Publish(subject, data); err != nil {
		if errors.Is(err, nats.ErrConnectionClosed) {
			return ErrClosed
		}
		return err
	}
	return nil
}

// SetHandler implements cluster.Bus. Safe for concurrent use.
func (b *Bus) SetHandler(h cluster.Handler) { b.handler.Store(&h) }

// Subscribe implements cluster.Bus: the first interest in a subject subscribes, later ones only
// count. Safe for concurrent use.
func (b *Bus) Subscribe(subject string) error {
	fresh, err := b.addInterest(subject)
	if err != nil || !fresh {
		return err
	}
	// One round trip to the server, outside the lock, so it holds the interest (and passes it on
	// to its routes) before the caller writes the membership that makes other nodes publish to
	// this one. A timeout only delays the interest: the subscription stands.
	if err := b.nc.FlushTimeout(subscribeFlush); err != nil {
		b.log.Warn("bus: subscription not confirmed by the server yet", "subject", subject, "err", err)
	}
	return nil
}

// addInterest counts one more interest in subject, subscribing on the first; fresh reports that.
func (b *Bus) addInterest(subject string) (fresh bool, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false, ErrClosed
	}
	if s := b.subs[subject]; s != nil {
		s.refs++
		return false, nil
	}
	sub, err := b.nc.ChanSubscribe(subject, b.ch)
	if err != nil {
		return false, err
	}
	b.subs[subject] = &busSub{sub: sub, refs: 1}
	return true, nil
}

// subscribeFlush bounds Subscribe's wait for the server to confirm a new subscription.
const subscribeFlush = time.Second

// Unsubscribe implements cluster.Bus: the last interest unsubscribes. Safe for concurrent use.
func (b *Bus) Unsubscribe(subject string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.subs[subject]
	if s == nil {
		return nil
	}
	if s.refs--; s.refs > 0 {
		return nil
	}
	delete(b.subs, subject)
	b.countDropped(s.sub)
	return s.sub.Unsubscribe()
}

func (b *Bus) countDropped(sub *nats.Subscription) {
	if n, err := sub.Dropped(); err == nil && n > 0 {
		b.dropped.Add(uint64(n))
	}
}

// Dropped returns how many received messages were dropped because the handler fell behind, plus
// undecodable ones. Safe for concurrent use.
func (b *Bus) Dropped() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := b.dropped.Load()
	for _, s := range b.subs {
		if d, err := s.sub.Dropped(); err == nil {
			n += uint64(d)
		}
	}
	return n
}

// Subscriptions returns how many subjects the node has interest in. Safe for concurrent use.
func (b *Bus) Subscriptions() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

func (b *Bus) run() {
	defer b.wg.Done()
	for {
		select {
		case <-b.done:
			return
		case m := <-b.ch:
			b.deliver(m)
		}
	}
}

func (b *Bus) deliver(m *nats.Msg) {
	from, ev, err := decodeEvent(m.Data)
	if err != nil {
		b.dropped.Add(1)
		b.log.Warn("dropping an unreadable bus event", "subject", m.Subject, "from", string(from), "err", err)
		return
	}
	if from == b.node {
		return // our own publish, echoed because the connection lacks NoEcho
	}
	if h := b.handler.Load(); h != nil && *h != nil {
		(*h)(m.Subject, ev)
	}
}

// Close implements cluster.Bus: it unsubscribes everything and stops the handler goroutine. The
// connection stays open. Safe to call more than once.
func (b *Bus) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	var errs []error
	for subject, s := range b.subs {
		if err := s.sub.Unsubscribe(); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
			errs = append(errs, err)
		}
		delete(b.subs, subject)
	}
	b.mu.Unlock()
	close(b.done)
	b.wg.Wait()
	return errors.Join(errs...)
}
