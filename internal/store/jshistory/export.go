package jshistory

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/store"
)

// Export writes the stored history of one target as JSON lines (one Record each, oldest first)
// without building an index: it reads only the target's subject. With t.Account set and t.Name
// empty, it writes every private conversation of the account. It returns how many records it
// wrote. Safe to run beside a History on the same stream.
func Export(ctx context.Context, js jetstream.JetStream, network string, fold store.Fold, t store.Target, w io.Writer) (int, error) {
	subj := newSubjects(network)
	t = store.Target{Account: fold(t.Account), Name: fold(t.Name)}
	filter := subj.of(t)
	if t.Account != "" && t.Name == "" {
		filter = subj.account(t.Account)
	}
	st, err := js.Stream(ctx, StreamName)
	if err != nil {
		return 0, fmt.Errorf("history stream: %w", err)
	}
	cons, err := st.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{filter}})
	if err != nil {
		return 0, err
	}
	info, err := st.Info(ctx, jetstream.WithSubjectFilter(filter))
	if err != nil {
		return 0, err
	}
	var pending uint64
	for _, c := range info.State.Subjects {
		pending += c
	}
	enc := json.NewEncoder(w)
	n := 0
	for pending > 0 {
		// No more than is pending: a fetch waits until its batch is full or its time is up.
		batch, err := cons.Fetch(int(min(pending, 1024)), jetstream.FetchMaxWait(5*time.Second))
		if err != nil {
			return n, err
		}
		got := 0
		for m := range batch.Messages() {
			got++
			if meta, err := m.Metadata(); err == nil {
				pending = meta.NumPending
			}
			var r Record
			if json.Unmarshal(m.Data(), &r) != nil {
				continue
			}
			if err := enc.Encode(r); err != nil {
				return n, err
			}
			n++
		}
		if err := batch.Error(); err != nil {
			return n, err
		}
		if got == 0 {
			break
		}
	}
	return n, nil
}
