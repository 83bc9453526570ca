package session

import (
	"runtime"
	"sync"
)

// The flusher writes the queued lines of plain TCP connections. A connection with lines to send
// joins the dirty list; a flusher goroutine, started when the list fills and gone when it is
// empty, lets every runnable goroutine go first when the list is long (so the lines of everything
// they deliver join the queues; a short list is written at once, see smallFlush), then writes each dirty connection's queue with one non-blocking write, back to back.
// Compared with a writer goroutine per connection woken per delivery, this spares the goroutine
// start and the scheduling round per delivery, and the receivers get their bytes in one burst
// (one wake-up for many writes) — the shape of an event loop's flush, as nats-server does per
// read. A connection whose socket is full leaves the list for a writer of its own that waits in
// the poller, so no client can stall the others.

// smallFlush is the most dirty connections written at once, without first yielding: a private
// message or a small room's line goes out before background work (a history append) that was
// made runnable by the same command.
const smallFlush = 32

// flushShare is how many dirty connections a flusher should have before another one starts (up to
// one per P).
const flushShare = 64

type flusher struct {
	mu      sync.Mutex // a leaf: no other lock is taken while it is held
	dirty   []*Session
	running int
	max     int
}

var flush = flusher{max: max(runtime.GOMAXPROCS(0), 1)}

// add puts s on the dirty list; s.writing is set and a writerWG count is held for it.
func (f *flusher) add(s *Session) {
	f.mu.Lock()
	f.dirty = append(f.dirty, s)
	start := f.running == 0 || f.running < f.max && len(f.dirty) > flushShare*f.running
	if start {
		f.running++
	}
	f.mu.Unlock()
	if start {
		go f.run()
	}
}

func (f *flusher) run() {
	var batch []*Session
	for {
		f.mu.Lock()
		small := len(f.dirty) <= smallFlush
		f.mu.Unlock()
		if !small {
			runtime.Gosched()
		}
		f.mu.Lock()
		if len(f.dirty) == 0 {
			f.running--
			f.mu.Unlock()
			return
		}
		batch, f.dirty = f.dirty, batch[:0]
		f.mu.Unlock()
		for i, s := range batch {
			s.flushOnce()
			batch[i] = nil
		}
		if cap(batch) > 4096 { // a burst's array is not kept forever
			batch = nil
		}
	}
}
