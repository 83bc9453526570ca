package jshistory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/histindex"
)

// The follower. After the start-up scan every History keeps reading the network's subjects of
// the stream through an ordered consumer that starts right after the last sequence the scan
// read, so the messages other nodes store reach this node's index too, in stream order, with
// their renames and deletions. The same code indexes what the scan reads (ingest), so both
// apply a stream message the same way.
//
// This node's own appends are indexed as soon as they are acknowledged (a sender's CHATHISTORY
// right after its message must find it), and again reach the follower a moment later. The
// position below settles which of the two comes first: whichever is second changes nothing.
// That matters beyond saving work: between the two, a rename or a redaction may have moved or
// removed the message, and a late second add would put it back where it was.

// position is what this node has applied of the stream. Its lock orders every index change
// whose outcome depends on how far the follower got; queries never take it, so they never wait
// for the follower or for appends. With Options.Solo there is no follower: seq stays where the
// start-up scan left it and skip stays empty (solo.go says how the snapshot's sequence is found).
type position struct {
	mu  sync.Mutex
	seq uint64 // every message of the network up to seq is applied (or was skipped on purpose)
	// skip holds sequences above seq that this node settled before the follower reached them:
	// false for its own appends (indexed), true for its redactions (removed from the stream).
	skip map[uint64]bool
	// dropping counts accounts whose history this node deleted and whose drop record the
	// follower has not reached: their messages still in flight from before the purge are not
	// indexed again.
	dropping map[string]int
	steps    int           // advances since skip was last swept
	wake     chan struct{} // closed at the next advance, for CatchUp; nil when nobody waits
}

const (
	// sweepEvery is how often (in applied messages) skip loses the sequences the follower will
	// never see: a message redacted before it was delivered.
	sweepEvery = 4096
	// maxSkip bounds skip while the follower is held up (no stream leader): past it, the own
	// appends are forgotten, which costs only their being indexed a second time (a no-op).
	maxSkip = 1 << 18
	// followExpiry is the life of one pull request of the follower.
	followExpiry = 5 * time.Second
	// followHeartbeat is how often an idle consumer says it is alive. Two missed heartbeats make
	// the ordered consumer recreate itself: its server (any peer of the stream, chosen by
	// JetStream) restarted or left. Until then the follower stands still, so the beat is the
	// shortest nats.go accepts; it costs one small message per beat while nothing is stored.
	followHeartbeat = 500 * time.Millisecond
	// retryFollow is the pause before the follower is started again after it failed.
	retryFollow = time.Second
)

func (p *position) reset(seq uint64) {
	p.mu.Lock()
	p.seq, p.skip, p.dropping = seq, map[uint64]bool{}, map[string]int{}
	p.mu.Unlock()
}

// at returns the sequence up to which the stream is applied.
func (p *position) at() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.seq
}

// reach records that every message up to seq is applied, when the scan read up to it.
func (p *position) reach(seq uint64) {
	p.mu.Lock()
	if seq > p.seq {
		p.advanceLocked(seq)
	}
	p.mu.Unlock()
}

func (p *position) advanceLocked(seq uint64) {
	p.seq = seq
	delete(p.skip, seq)
	if p.steps++; p.steps >= sweepEvery && len(p.skip) > 0 {
		p.steps = 0
		for s := range p.skip {
			if s <= seq {
				delete(p.skip, s)
			}
		}
	}
	if p.wake != nil {
		close(p.wake)
		p.wake = nil
	}
}

// settleLocked records that this node settled seq ahead of the follower.
func (p *position) settleLocked(seq uint64, redacted bool) {
	if seq <= p.seq {
		return
	}
	if redacted || !p.skip[seq] {
		p.skip[seq] = redacted
	}
	if len(p.skip) > maxSkip {
		for s, r := range p.skip {
			if !r {
				delete(p.skip, s)
			}
		}
	}
}

// settledLocked reports whether the message at seq needs nothing more: applied already, or
// settled by this node.
func (p *position) settledLocked(seq uint64) bool {
	if seq <= p.seq {
		return true
	}
	_, ok := p.skip[seq]
	return ok
}

// ingest applies one stream message, read by the scan or the follower, in stream order. It
// decodes a message outside the lock, so appends do not wait for the JSON.
func (h *History) ingest(seq uint64, subject string, data []byte) {
	p := &h.pos
	if h.subj.isRecord(subject) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if seq > p.seq {
			h.applyRecord(seq, subject, data)
			p.advanceLocked(seq)
		}
		return
	}
	p.mu.Lock()
	settled := p.settledLocked(seq)
	if settled && seq > p.seq {
		p.advanceLocked(seq)
	}
	p.mu.Unlock()
	if settled {
		return
	}
	t, ev := h.parse(seq, subject, data)
	p.mu.Lock()
	defer p.mu.Unlock()
	if seq <= p.seq { // the scan at Close and a late follower delivery met
		return
	}
	if _, settled := p.skip[seq]; !settled && ev != nil && p.dropping[t.Account] == 0 {
		if c := h.cutoff(); c.IsZero() || ev.Time.After(c) {
			h.x.Add(t, store.KeyOf(ev), seq, histindex.DocOf(ev))
		}
	}
	p.advanceLocked(seq)
}

// parse returns the target and the event of a stored message, a nil event for one it cannot
// read.
func (h *History) parse(seq uint64, subject string, data []byte) (store.Target, *model.Event) {
	t, err := h.subj.target(subject)
	if err != nil {
		return t, nil
	}
	ev, err := decode(data)
	if err != nil {
		h.log.Warn("history: unreadable record skipped", "seq", seq, "err", err)
		return t, nil
	}
	return t, ev
}

// indexOwn indexes an entry this node stored at seq, unless the follower got there first.
func (h *History) indexOwn(e store.Entry, seq uint64) {
	t := h.x.Fold(e.Target)
	p := &h.pos
	p.mu.Lock()
	defer p.mu.Unlock()
	if h.opt.Solo {
		h.soloIndexLocked(t, e.Event, seq)
		return
	}
	if seq <= p.seq || p.dropping[t.Account] > 0 {
		return
	}
	h.x.Add(t, store.KeyOf(e.Event), seq, histindex.DocOf(e.Event))
	p.settleLocked(seq, false)
}

// follower is the goroutine that runs follow.
type follower struct {
	stop chan struct{} // closed by stopFollowing
	done chan struct{} // closed when follow returns
	once sync.Once
}

// follow runs the follower until stopFollowing, starting it again whenever it stops on its own
// (a consumer that could not be created, a connection closed under it).
func (h *History) follow() {
	defer close(h.fol.done)
	for {
		err := h.followOnce()
		if err == nil {
			return
		}
		h.log.Warn("history: following the stream stopped; starting again", "from", h.pos.at()+1, "err", err)
		select {
		case <-h.fol.stop:
			return
		case <-time.After(retryFollow):
		}
	}
}

// stopFollowing stops the follower and waits until it applies nothing more. Close calls it
// before it saves the snapshot. Safe to call more than once.
func (h *History) stopFollowing() {
	h.fol.once.Do(func() { close(h.fol.stop) })
	<-h.fol.done
}

// followOnce consumes the stream from the message after the applied position until stopped (nil)
// or until the consumer ends (an error). The ordered consumer recreates itself after a leader
// change or a reconnect, from the sequence after the last one it delivered, so nothing is read
// twice or skipped; ingest ignores what it has applied anyway.
func (h *History) followOnce() error {
	ctx, cancel := h.stoppable(10 * time.Second)
	defer cancel()
	cons, err := h.nearConsumer(ctx, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{h.subj.all()},
		DeliverPolicy:  jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:    h.pos.at() + 1,
	})
	if err != nil {
		return err
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		if meta, err := m.Metadata(); err == nil {
			h.ingest(meta.Sequence.Stream, m.Subject(), m.Data())
		}
	}, jetstream.PullExpiry(followExpiry), jetstream.PullHeartbeat(followHeartbeat), jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		h.log.Debug("history follower", "err", err)
	}))
	if err != nil {
		return err
	}
	select {
	case <-h.fol.stop:
		cc.Stop()
		<-cc.Closed()
		return nil
	case <-cc.Closed():
		return errors.New("the consumer closed")
	}
}

// placementTries bounds how many consumers nearConsumer makes to get one on its own server. A
// peer of an R3 stream is picked one time in three: 40 tries miss it once in 10^7.
const placementTries = 40

// nearConsumer creates the follower's ordered consumer, preferring one held by the server this
// node is connected to. JetStream puts a single-replica consumer on any peer of the stream, at
// random, and the follower stands still from the moment that peer stops until two heartbeats
// are missed (a second, during which every other node's messages miss this index). A consumer
// on the node's own server (its embedded server in a cluster of parley nodes) stops only with
// the node. Consumers have no placement option, so one placed elsewhere is deleted and made
// again, while the node's server is a peer of the stream (not so with an external NATS cluster
// of more servers than replicas). The ordered consumer places its own replacements after a
// failure anywhere; failures are rare.
func (h *History) nearConsumer(ctx context.Context, cfg jetstream.OrderedConsumerConfig) (jetstream.Consumer, error) {
	own := h.nc.ConnectedServerName()
	tries := 1
	if isPeer(h.stream.CachedInfo(), own) {
		tries = placementTries
	}
	for try := 1; ; try++ {
		cons, err := h.stream.OrderedConsumer(ctx, cfg)
		if err != nil {
			return nil, err
		}
		info := cons.CachedInfo()
		if try >= tries || info == nil || info.Cluster == nil || info.Cluster.Leader == own {
			return cons, nil
		}
		if err := h.stream.DeleteConsumer(ctx, info.Name); err != nil {
			return cons, nil // keep it rather than leave it behind
		}
	}
}

// isPeer reports whether the server named own holds a replica of the stream.
func isPeer(info *jetstream.StreamInfo, own string) bool {
	if info == nil || info.Cluster == nil || own == "" {
		return false
	}
	if info.Cluster.Leader == own {
		return true
	}
	for _, r := range info.Cluster.Replicas {
		if r != nil && r.Name == own {
			return true
		}
	}
	return false
}

// stoppable returns a context that ends after d or when the follower stops, whichever comes
// first.
func (h *History) stoppable(d time.Duration) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	go func() {
		select {
		case <-h.fol.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}

var errClosed = errors.New("history closed")

// CatchUp waits until the index holds every message of the network that the stream held when
// CatchUp was called, whichever node stored it, or until ctx ends or the history closes. It
// costs one request to the stream (and one more every 100 ms while it waits). Queries answer
// without it, from the index as it is: a message another node stored a few milliseconds ago may
// be missing. With Options.Solo every message is this node's own, in the index when its Append
// returns: CatchUp returns at once. Safe for concurrent use.
func (h *History) CatchUp(ctx context.Context) error {
	select {
	case <-h.stop:
		return errClosed
	default:
	}
	if h.opt.Solo {
		return nil
	}
	last, err := h.lastSeq(ctx)
	if err != nil {
		return err
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		p := &h.pos
		p.mu.Lock()
		if p.seq >= last {
			p.mu.Unlock()
			return nil
		}
		if p.wake == nil {
			p.wake = make(chan struct{})
		}
		wake := p.wake
		p.mu.Unlock()
		select {
		case <-wake:
		case <-tick.C:
			// The last message may be deleted before the follower reads it; the stream's last
			// one is then an earlier message. A later one leaves the goal where it was.
			if l, err := h.lastSeq(ctx); err == nil && l < last {
				last = l
			}
		case <-h.stop:
			return errClosed
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// lastSeq returns the sequence of the network's last stored message (0 with none), asked of the
// stream leader: a direct get may be answered by a replica that is behind.
func (h *History) lastSeq(ctx context.Context) (uint64, error) {
	req, err := json.Marshal(map[string]string{"last_by_subj": h.subj.all()})
	if err != nil {
		return 0, err
	}
	m, err := h.nc.RequestWithContext(ctx, "$JS.API.STREAM.MSG.GET."+StreamName, req)
	if err != nil {
		return 0, fmt.Errorf("history last message: %w", err)
	}
	var resp struct {
		Message *struct {
			Seq uint64 `json:"seq"`
		} `json:"message"`
		Error *struct {
			Code        int    `json:"code"`
			Description string `json:"description"`
		} `json:"error"`
	}
	if err := json.Unmarshal(m.Data, &resp); err != nil {
		return 0, fmt.Errorf("history last message: %w", err)
	}
	switch {
	case resp.Error != nil && resp.Error.Code == 404:
		return 0, nil
	case resp.Error != nil:
		return 0, fmt.Errorf("history last message: %s", resp.Error.Description)
	case resp.Message == nil:
		return 0, errors.New("history last message: empty answer")
	}
	return resp.Message.Seq, nil
}
