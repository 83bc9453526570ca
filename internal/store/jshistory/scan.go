package jshistory

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/store/histindex"
)

// ScanStats says what the start-up scan read.
type ScanStats struct {
	Messages int
	Took     time.Duration
	// FromSnapshot is set when the index came from a snapshot and only the messages after it
	// were read.
	FromSnapshot bool
}

// scan builds the index at start-up: from the snapshot plus the messages after it when there is
// one, else from the network's whole history.
func (h *History) scan(ctx context.Context) error {
	started := time.Now()
	after := h.loadSnapshot()
	info, err := h.stream.Info(ctx)
	if err != nil {
		return fmt.Errorf("history stream info: %w", err)
	}
	if info.State.LastSeq < after {
		// The stream is younger than the snapshot (deleted and made again): the snapshot
		// names messages of another stream, and following from its sequence would skip ours.
		h.log.Warn("history: index snapshot newer than the stream, reading the whole stream",
			"snapshot_seq", after, "stream_last_seq", info.State.LastSeq)
		h.x, after = histindex.New(h.opt.Fold, h.opt.MaxPerTarget), 0
	}
	h.pos.reset(after)
	n := 0
	if info.State.Msgs > 0 && info.State.LastSeq > after {
		if n, err = h.readFrom(ctx, after+1); err != nil {
			return err
		}
	}
	// The read went at least to the last sequence at the start (further when appends came in
	// meanwhile); the follower goes on from there.
	h.pos.reach(info.State.LastSeq)
	h.log.Info("history indexed", "read", n, "indexed", h.x.Len(), "last_seq", info.State.LastSeq,
		"snapshot", after > 0, "took", time.Since(started).Round(time.Millisecond).String())
	h.scanned = ScanStats{Messages: n, Took: time.Since(started), FromSnapshot: after > 0}
	return ctx.Err()
}

// readFrom indexes the stream's messages from sequence start to its end (as it was when the read
// began) through an ordered consumer and returns how many it read.
func (h *History) readFrom(ctx context.Context, start uint64) (int, error) {
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{h.subj.all()}, DeliverPolicy: jetstream.DeliverAllPolicy}
	if start > 1 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, start
	}
	cons, err := h.stream.OrderedConsumer(ctx, cfg)
	if err != nil {
		return 0, fmt.Errorf("history scan: %w", err)
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("history scan: %w", err)
	}
	// Ask for no more than is pending: a fetch waits until its batch is full or its time is up.
	n, pending := 0, info.NumPending
	for pending > 0 && ctx.Err() == nil {
		if pending, err = h.scanBatch(cons, int(min(pending, 4096)), &n); err != nil {
			return n, err
		}
	}
	return n, ctx.Err()
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
		*n++
		h.ingest(meta.Sequence.Stream, m.Subject(), m.Data())
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
