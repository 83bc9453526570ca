// Package jshistory keeps chat history in a JetStream stream, parley_history (file storage in the
// data directory, replicated when the cluster has peers), one subject per target (subject.go), and
// answers queries from an in-memory index (histindex) built by reading the stream at start-up and
// kept current by following it (follow.go): every node indexes what any node stores, including
// renames and deletions, in stream order. A single node (Options.Solo) follows nothing: it
// indexes its own changes as it makes them (solo.go). Messages are read back with pipelined
// direct gets, so a query costs one round trip to the stream, not one per message.
//
// Freshness: this node's own appends are in its index when Append returns. Another node's
// message reaches this index a moment after that node's Append returned (a few milliseconds on
// a healthy cluster, longer while a stream or consumer leader moves), so a query racing it may
// miss it; CatchUp waits for it when that matters.
//
// Durability: Append returns once JetStream acknowledged every publish. A single-replica file
// stream acknowledges after the message is written to the operating system (nats-server flushes
// in place for R1 streams), so an acknowledged message survives the server process being killed;
// surviving power loss needs the embedded server's SyncAlways (fsync before each acknowledgement).
// Concurrent Appends are asynchronous publishes on one connection, so their acknowledgements
// share the server's writes (group commit) instead of costing one round trip each.
package jshistory

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/histindex"
)

// StreamName is the JetStream stream that holds every network's history.
const StreamName = "parley_history"

// Options configure a History.
type Options struct {
	Network      string     // the IRC network name: the subject prefix
	Fold         store.Fold // the network's casemapping
	Replicas     int        // stream replicas; 0 means 1
	MaxAge       time.Duration
	MaxPerTarget int
	Logger       *slog.Logger
	// QueueLen bounds Record's queue of events waiting to be stored (default 8192); past it,
	// events (never messages: those go through Append) are dropped and counted.
	QueueLen int
	// SnapshotPath is the file the index is saved to at Close and loaded from at Open, so a
	// restart reads only the messages stored after it; "" reads the whole stream every start.
	SnapshotPath string
	// Solo says this node is the only writer of the network's history: a single node, not
	// clustered. The history then does not follow the stream after the start-up scan (every
	// message is its own, indexed as it is stored; see solo.go). With another writer, a Solo
	// history misses that writer's messages until a restart without a snapshot.
	Solo bool
}

// History is a store.History on JetStream, also a store.Redactor and a store.Searcher. Safe for
// concurrent use.
type History struct {
	opt     Options
	js      jetstream.JetStream
	nc      *nats.Conn
	stream  jetstream.Stream
	subj    subjects
	x       *histindex.Index
	log     *slog.Logger
	scanned ScanStats // set by Open, read-only afterwards
	replies replies   // direct-get responses, see fetch.go
	pos     position  // how far the stream is applied, see follow.go
	fol     follower
	solo    soloState // with Options.Solo, instead of the follower

	queue   chan store.Entry // Record's events, stored by recordLoop
	acks    chan *submission // Submit's publishes, settled in order by ackLoop
	subMu   sync.Mutex       // guards closed against Submit
	closed  bool
	dropped sync.Mutex // serialises the drop warning
	drops   int
	stop    chan struct{}
	done    sync.WaitGroup
	close   sync.Once
}

var (
	_ store.History  = (*History)(nil)
	_ store.Redactor = (*History)(nil)
	_ store.Searcher = (*History)(nil)
)

// Open creates or updates the stream to match opt, indexes what it holds, and returns the
// history. Start-up reads the whole stream once (see Stats for how long it took).
func Open(ctx context.Context, js jetstream.JetStream, opt Options) (*History, error) {
	if opt.Fold == nil || opt.Network == "" {
		return nil, errors.New("jshistory: Options.Fold and Network are required")
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.QueueLen <= 0 {
		opt.QueueLen = 8192
	}
	st, err := openStream(ctx, js, streamConfig(opt))
	if err != nil {
		return nil, fmt.Errorf("history stream %s: %w", StreamName, err)
	}
	// A context of its own: many senders' appends in flight at once is the point (group commit).
	pub, err := jetstream.New(js.Conn(), jetstream.WithPublishAsyncMaxPending(1<<16))
	if err != nil {
		return nil, err
	}
	h := &History{
		opt: opt, js: pub, nc: js.Conn(), stream: st, subj: newSubjects(opt.Network),
		x: histindex.New(opt.Fold, opt.MaxPerTarget), log: opt.Logger,
		queue: make(chan store.Entry, opt.QueueLen), stop: make(chan struct{}),
		acks: make(chan *submission, opt.QueueLen),
	}
	if err := h.replies.start(h.nc); err != nil {
		return nil, err
	}
	if err := h.scan(ctx); err != nil {
		h.replies.sub.Unsubscribe()
		return nil, err
	}
	h.fol = follower{stop: make(chan struct{}), done: make(chan struct{})}
	if opt.Solo {
		close(h.fol.done) // nothing to follow, nothing to wait for
	} else {
		go h.follow()
	}
	h.done.Add(3)
	go h.recordLoop()
	go h.expireLoop()
	go h.ackLoop()
	return h, nil
}

// openStream creates the stream, or binds to it when another node (or an earlier run) made it,
// updating it only when the configuration (retention limits) changed. CreateOrUpdateStream would
// send an update from every node at every start; when a cluster's nodes start together those
// updates queue behind each other's creation and stall start-up for tens of seconds.
func openStream(ctx context.Context, js jetstream.JetStream, cfg jetstream.StreamConfig) (jetstream.Stream, error) {
	st, err := js.CreateStream(ctx, cfg)
	if !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
		return st, err
	}
	if st, err = js.Stream(ctx, cfg.Name); err != nil {
		return nil, err
	}
	have := st.CachedInfo().Config
	if have.MaxAge == cfg.MaxAge && have.MaxMsgsPerSubject == cfg.MaxMsgsPerSubject && have.Duplicates == cfg.Duplicates {
		return st, nil
	}
	cfg.Replicas = have.Replicas // the replica count is the cluster's business, not this node's
	return js.UpdateStream(ctx, cfg)
}

func streamConfig(opt Options) jetstream.StreamConfig {
	cfg := jetstream.StreamConfig{
		Name:        StreamName,
		Description: "parley chat history",
		Subjects:    []string{"parley.*.hist.>"},
		Storage:     jetstream.FileStorage,
		Replicas:    max(opt.Replicas, 1),
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxAge:      opt.MaxAge,
		AllowDirect: true,
		// Appends carry no Nats-Msg-Id, so the duplicate window would only cost memory.
		Duplicates:        time.Second,
		MaxMsgsPerSubject: -1,
	}
	if opt.MaxPerTarget > 0 {
		cfg.MaxMsgsPerSubject = int64(opt.MaxPerTarget)
	}
	if opt.MaxAge > 0 && opt.MaxAge < cfg.Duplicates {
		cfg.Duplicates = opt.MaxAge
	}
	return cfg
}

// Append implements store.History: it publishes every entry asynchronously, then waits for all the
// acknowledgements, and indexes what was stored. Safe for concurrent use.
func (h *History) Append(ctx context.Context, entries []store.Entry) error {
	op := h.beginOwn()
	futures := make([]jetstream.PubAckFuture, 0, len(entries))
	for _, e := range entries {
		f, err := h.publishEntry(e)
		if err != nil {
			op.finishLater(entries, futures) // the ones already published
			return err
		}
		futures = append(futures, f)
	}
	var first error
	for i, f := range futures {
		select {
		case ack := <-f.Ok():
			h.indexOwn(entries[i], ack.Sequence)
		case err := <-f.Err():
			op.doubt("an append's acknowledgement failed") // it may be stored all the same
			if first == nil {
				first = fmt.Errorf("history append: %w", err)
			}
		case <-ctx.Done():
			op.finishLater(entries[i:], futures[i:])
			return ctx.Err()
		}
	}
	op.end()
	return first
}

// publishEntry publishes one entry without waiting for its acknowledgement.
func (h *History) publishEntry(e store.Entry) (jetstream.PubAckFuture, error) {
	if e.Event == nil || e.Target.Name == "" {
		return nil, store.ErrInvalid
	}
	data, err := encode(e.Event)
	if err != nil {
		return nil, err
	}
	f, err := h.js.PublishMsgAsync(&nats.Msg{Subject: h.subj.of(h.x.Fold(e.Target)), Data: data})
	if err != nil {
		return nil, fmt.Errorf("history append: %w", err)
	}
	return f, nil
}

// Record queues events (JOIN, PART... for event playback) to be stored without waiting; it never
// blocks, and drops what does not fit in the queue. Safe for concurrent use.
func (h *History) Record(entries []store.Entry) {
	for _, e := range entries {
		select {
		case h.queue <- e:
		default:
			h.dropped.Lock()
			h.drops++
			if h.drops&(h.drops-1) == 0 { // log at 1, 2, 4, 8... drops
				h.log.Warn("history: event queue full, events dropped", "dropped", h.drops)
			}
			h.dropped.Unlock()
		}
	}
}

// recordLoop stores Record's events in batches of whatever is queued.
func (h *History) recordLoop() {
	defer h.done.Done()
	batch := make([]store.Entry, 0, 256)
	for {
		select {
		case <-h.stop:
			return
		case e := <-h.queue:
			batch = append(batch[:0], e)
		}
	drain:
		for len(batch) < cap(batch) {
			select {
			case e := <-h.queue:
				batch = append(batch, e)
			default:
				break drain
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := h.Append(ctx, batch); err != nil {
			h.log.Warn("history: storing events failed", "events", len(batch), "err", err)
		}
		cancel()
	}
}

// expireLoop drops expired messages from the index; the stream drops them itself (MaxAge).
func (h *History) expireLoop() {
	defer h.done.Done()
	if h.opt.MaxAge <= 0 {
		return
	}
	t := time.NewTicker(min(time.Minute, max(h.opt.MaxAge/4, 100*time.Millisecond)))
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case now := <-t.C:
			h.x.Expire(now.Add(-h.opt.MaxAge))
		}
	}
}

// cutoff is the oldest time a query may return (history.max_age), zero when there is no limit.
func (h *History) cutoff() time.Time {
	if h.opt.MaxAge <= 0 {
		return time.Time{}
	}
	return time.Now().Add(-h.opt.MaxAge)
}

// Close stops the background work and, with Options.SnapshotPath, saves the index; the stream and
// the NATS connection stay open (the node owns them) and must be, for the save. With Options.Solo
// the save first waits for this node's appends in flight (their acknowledgements, ackTimeout at
// most). Safe to call more than once.
func (h *History) Close() error {
	var err error
	h.close.Do(func() {
		h.subMu.Lock()
		h.closed = true
		h.subMu.Unlock()
		close(h.stop)
		h.done.Wait()
		h.stopFollowing()
		h.replies.sub.Unsubscribe()
		if h.opt.SnapshotPath != "" {
			started := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err = h.saveSnapshot(ctx); err != nil {
				h.log.Warn("history: index snapshot not saved; the next start reads the whole stream", "err", err)
			} else {
				h.log.Info("history index snapshot saved", "messages", h.x.Len(),
					"took", time.Since(started).Round(time.Millisecond).String())
			}
		}
	})
	return err
}

// Len returns how many messages and events the index holds. Safe for concurrent use.
func (h *History) Len() int { return h.x.Len() }

// keep filters events older than the age limit (the stream may not have dropped them yet).
func (h *History) keep(evs []*model.Event) []*model.Event {
	c := h.cutoff()
	if c.IsZero() {
		return evs
	}
	out := evs[:0]
	for _, ev := range evs {
		if ev.Time.After(c) {
			out = append(out, ev)
		}
	}
	return out
}

func jetstreamPurgeSubject(subject string) jetstream.StreamPurgeOpt {
	return jetstream.WithPurgeSubject(subject)
}

func isNotFound(err error) bool {
	return errors.Is(err, jetstream.ErrMsgNotFound) || errors.Is(err, jetstream.ErrMsgDeleteUnsuccessful)
}
