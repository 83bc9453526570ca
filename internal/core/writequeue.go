package core

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// writeQueue runs directory writes one at a time, in the order they were added, on one goroutine,
// so that nobody waits for them and a user's records are written in the order its operations
// happened. A failed write is logged: the records it would have changed are rewritten by the
// user's next change, or removed by the liveness cleanup if this node is lost.
type writeQueue struct {
	log *slog.Logger

	mu     sync.Mutex // tier 5, leaf: guards items and closed
	cond   *sync.Cond
	items  []func(context.Context) error
	closed bool
	done   chan struct{}
}

// writeTimeout bounds one queued write.
const writeTimeout = 5 * time.Second

func newWriteQueue(log *slog.Logger) *writeQueue {
	q := &writeQueue{log: log, done: make(chan struct{})}
	q.cond = sync.NewCond(&q.mu)
	go q.run()
	return q
}

// add queues f; it never blocks. After close, f is dropped.
func (q *writeQueue) add(f func(context.Context) error) {
	q.mu.Lock()
	if !q.closed {
		q.items = append(q.items, f)
		q.cond.Signal()
	}
	q.mu.Unlock()
}

func (q *writeQueue) run() {
	defer close(q.done)
	for {
		q.mu.Lock()
		for len(q.items) == 0 && !q.closed {
			q.cond.Wait()
		}
		if len(q.items) == 0 {
			q.mu.Unlock()
			return
		}
		f := q.items[0]
		q.items[0] = nil
		q.items = q.items[1:]
		q.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
		if err := f(ctx); err != nil {
			q.log.Warn("directory write failed", "err", err)
		}
		cancel()
	}
}

// close stops accepting writes and waits until the queued ones ran or ctx ended.
func (q *writeQueue) close(ctx context.Context) {
	q.mu.Lock()
	q.closed = true
	q.cond.Signal()
	q.mu.Unlock()
	select {
	case <-q.done:
	case <-ctx.Done():
	}
}
