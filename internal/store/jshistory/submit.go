package jshistory

import (
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/store"
)

// ackTimeout bounds the wait for one submission's acknowledgements.
const ackTimeout = 10 * time.Second

// submission is one Submit call waiting for its acknowledgements.
type submission struct {
	entries []store.Entry
	futures []jetstream.PubAckFuture
	err     error // a publish that failed before any acknowledgement
	done    chan error
	op      ownOp
}

// Submit publishes entries without waiting and returns a channel that yields nil once all of
// them are stored (and indexed), or the error. Acknowledgements are collected in submission order
// by one goroutine, so many senders' messages share JetStream's write batching. Safe for
// concurrent use.
func (h *History) Submit(entries []store.Entry) <-chan error {
	sub := &submission{entries: entries, futures: make([]jetstream.PubAckFuture, len(entries)), done: make(chan error, 1),
		op: h.beginOwn()}
	for i, e := range entries {
		f, err := h.publishEntry(e)
		if err != nil {
			sub.err = err
			break
		}
		sub.futures[i] = f
	}
	// subMu orders this send before Close: once closed is set nothing more is queued, so the
	// ack loop's final drain answers every submission.
	h.subMu.Lock()
	defer h.subMu.Unlock()
	if h.closed {
		sub.op.finishLater(sub.entries, sub.futures)
		sub.done <- fmt.Errorf("history closed")
		return sub.done
	}
	h.acks <- sub
	return sub.done
}

// ackLoop settles submissions in order: it waits for each one's acknowledgements, indexes what
// was stored, and reports the outcome.
func (h *History) ackLoop() {
	defer h.done.Done()
	for {
		select {
		case <-h.stop:
			// Nobody waits forever on a closed history.
			for {
				select {
				case sub := <-h.acks:
					sub.op.finishLater(sub.entries, sub.futures)
					sub.done <- fmt.Errorf("history closed")
				default:
					return
				}
			}
		case sub := <-h.acks:
			sub.done <- h.settle(sub)
		}
	}
}

func (h *History) settle(sub *submission) error {
	timeout := time.NewTimer(ackTimeout)
	defer timeout.Stop()
	first := sub.err
	for i, f := range sub.futures {
		if f == nil {
			continue
		}
		select {
		case ack := <-f.Ok():
			h.indexOwn(sub.entries[i], ack.Sequence)
		case err := <-f.Err():
			sub.op.doubt("an append's acknowledgement failed") // it may be stored all the same
			if first == nil {
				first = fmt.Errorf("history append: %w", err)
			}
		case <-timeout.C:
			sub.op.doubt("an append was not acknowledged in time")
			if first == nil {
				first = fmt.Errorf("history append: no acknowledgement within %v", ackTimeout)
			}
		case <-h.stop:
			sub.op.finishLater(sub.entries[i:], sub.futures[i:])
			return fmt.Errorf("history closed")
		}
	}
	sub.op.end()
	return first
}
