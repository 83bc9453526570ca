package jshistory

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/histindex"
)

// ScanStats says what the start-up scan read.
type ScanStats struct {
	Messages int
	Took     time.Duration
}

// scan reads the network's whole history once, through an ordered consumer, and indexes it.
func (h *History) scan(ctx context.Context) error {
	started := time.Now()
	info, err := h.stream.Info(ctx)
	if err != nil {
		return fmt.Errorf("history stream info: %w", err)
	}
	last := info.State.LastSeq
	if info.State.Msgs == 0 {
		return nil
	}
	cons, err := h.stream.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{h.subj.all()}, DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return fmt.Errorf("history scan: %w", err)
	}
	// Ask for no more than is pending: a fetch waits until its batch is full or its time is up.
	n, pending := 0, info.State.Msgs
	for pending > 0 && ctx.Err() == nil {
		if pending, err = h.scanBatch(cons, int(min(pending, 4096)), &n); err != nil {
			return err
		}
	}
	h.log.Info("history indexed", "messages", n, "last_seq", last, "took", time.Since(started).Round(time.Millisecond).String())
	h.scanned = ScanStats{Messages: n, Took: time.Since(started)}
	return ctx.Err()
}

// scanBatch indexes one fetch of messages and returns how many are still pending after it.
func (h *History) scanBatch(cons jetstream.Consumer, size int, n *int) (uint64, error) {
	batch, err := cons.Fetch(size, jetstream.FetchMaxWait(5*time.Second))
	if err != nil {
		return 0, fmt.Errorf("history scan: %w", err)
	}
	var pending uint64
	got := 0
	for m := range batch.Messages() {
		got++
		meta, err := m.Metadata()
		if err != nil {
			continue
		}
		pending = meta.NumPending
		t, err := h.subj.target(m.Subject())
		if err != nil {
			continue
		}
		ev, err := decode(m.Data())
		if err != nil {
			h.log.Warn("history: unreadable record skipped", "seq", meta.Sequence.Stream, "err", err)
			continue
		}
		if c := h.cutoff(); !c.IsZero() && !ev.Time.After(c) {
			continue
		}
		h.x.Add(t, store.KeyOf(ev), meta.Sequence.Stream, histindex.DocOf(ev))
		*n++
	}
	if err := batch.Error(); err != nil {
		return 0, fmt.Errorf("history scan: %w", err)
	}
	if got == 0 {
		return 0, nil
	}
	return pending, nil
}

// Scanned returns what the start-up scan read. Safe for concurrent use.
func (h *History) Scanned() ScanStats { return h.scanned }
