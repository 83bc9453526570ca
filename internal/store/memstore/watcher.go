package memstore

import (
	"context"
	"sync"

	"github.com/parleychat/parley/internal/store"
)

// watcher is one WatchBans consumer: an unbounded queue, so a slow reader never blocks writers
// (who hold the store lock) and never loses an event, drained by the watcher's own goroutine.
type watcher struct {
	mu    sync.Mutex // guards queue; taken after Store.mu
	queue []store.BanEvent
	wake  chan struct{} // capacity 1: "queue is not empty"
}

func (w *watcher) push(ev store.BanEvent) {
	w.mu.Lock()
	w.queue = append(w.queue, ev)
	w.mu.Unlock()
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// run delivers queued events to out until ctx ends.
func (w *watcher) run(ctx context.Context, out chan<- store.BanEvent) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		}
		w.mu.Lock()
		batch := w.queue
		w.queue = nil
		w.mu.Unlock()
		for _, ev := range batch {
			select {
			case out <- ev:
			case <-ctx.Done():
				return
			}
		}
	}
}
