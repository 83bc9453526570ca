package jshistory

import (
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
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
}

// Submit publishes entries without waiting and returns a channel that yields nil once all of
// them are stored (and indexed), or the error. Acknowledgements are collected in submission order
// by one goroutine, so many senders' messages share JetStream's write batching. Safe for
// concurrent use.
func (h *History) Submit(entries []store.Entry) <-chan error {
	sub := &submission{entries: entries, futures: make([]jetstream.PubAckFuture, len(entries)), done: make(chan error, 1)}
	for i, e := range entries {
		if e.Event == nil || e.Target.Name == "" {
			sub.err = store.ErrInvalid
			break
		}
		data, err := encode(e.Event)
		if err != nil {
			sub.err = err
			break
		}
		msg := &nats.Msg{Subject: h.subj.of(h.x.Fold(e.Target)), Data: data}
		if sub.futures[i], err = h.js.PublishMsgAsync(msg); err != nil {
			sub.err = fmt.Errorf("history append: %w", err)
			break
		}
	}
	// subMu orders this send before Close: once closed is set nothing more is queued, so the
	// ack loop's final drain answers every submission.
	h.subMu.Lock()
	defer h.subMu.Unlock()
	if h.closed {
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
			if first == nil {
				first = fmt.Errorf("history append: %w", err)
			}
		case <-timeout.C:
			if first == nil {
				first = fmt.Errorf("history append: no acknowledgement within %v", ackTimeout)
			}
		case <-h.stop:
			return fmt.Errorf("history closed")
		}
	}
	return first
}
