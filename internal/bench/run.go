package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// histShards spreads latency recording over a few histograms so that
	// receivers on different cores rarely touch the same cache line.
	histShards = 8
	// drainQuiet is how long deliveries must stay flat after the senders stop
	// before the run counts them; drainMax bounds the wait when a server is
	// so far behind that it would never catch up.
	drainQuiet = 500 * time.Millisecond
	drainMax   = 5 * time.Second
)

// run is the state one scenario shares among its clients, senders, the
// progress line and the report.
type run struct {
	cfg    *Config
	tag    string // random per run, carried in every payload
	marker []byte
	stderr io.Writer

	clients []*client
	// senders is indexed by client id (nil for clients that do not send).
	// It is sized when the plan is made and filled when traffic starts,
	// while readers already run, hence the atomic pointers.
	senders []atomic.Pointer[sender]
	hists   [histShards]*Histogram

	// The measurement window in unix nanos. Messages whose send timestamp
	// falls inside it are counted; both are zero until traffic starts.
	winStart atomic.Int64
	winEnd   atomic.Int64

	closing atomic.Bool
	phase   atomic.Value // string, for the progress line
	setupWG sync.WaitGroup
	readers sync.WaitGroup

	ready, failed                 atomic.Int64
	disconnects, outOfOrder, gaps atomic.Int64
	stalls, sendErrors            atomic.Int64
	errMu                         sync.Mutex
	serverError, firstError       string
	setupStart, setupEnd          time.Time
}

func newRun(cfg *Config, stderr io.Writer) *run {
	var b [4]byte
	_, _ = rand.Read(b[:])
	r := &run{cfg: cfg, tag: hex.EncodeToString(b[:]), stderr: stderr}
	r.marker = newMarker(r.tag)
	for i := range r.hists {
		r.hists[i] = NewHistogram()
	}
	r.phase.Store("setup")
	return r
}

// addClient creates client number len(r.clients) that will join chans.
func (r *run) addClient(chans []string) *client {
	id := len(r.clients)
	c := &client{r: r, id: id, nick: r.cfg.NickPrefix + strconv.Itoa(id), chans: chans, hist: r.hists[id%histShards]}
	r.clients = append(r.clients, c)
	return c
}

func (r *run) noteError(s string) {
	r.errMu.Lock()
	if r.firstError == "" {
		r.firstError = s
	}
	r.errMu.Unlock()
}

func (r *run) noteServerError(s string) {
	r.errMu.Lock()
	if r.serverError == "" {
		r.serverError = s
	}
	r.errMu.Unlock()
}

// setupTimeout allows three times the paced connect time, plus slack for a
// server that registers slowly.
func (r *run) setupTimeout() time.Duration {
	paced := time.Duration(float64(len(r.clients)) / r.cfg.ConnectRate * float64(time.Second))
	return min(30*time.Second+3*paced, 5*time.Minute)
}

// connectAll dials every client at --connect-rate and returns once each has
// either joined its channels or failed, or the setup deadline has passed
// (then the stragglers fail by their read deadline).
func (r *run) connectAll(ctx context.Context) {
	r.setupStart = time.Now()
	deadline := r.setupStart.Add(r.setupTimeout())
	r.setupWG.Add(len(r.clients))
	r.readers.Add(len(r.clients))
	interval := float64(time.Second) / r.cfg.ConnectRate
	for i, c := range r.clients {
		at := r.setupStart.Add(time.Duration(float64(i) * interval))
		if d := time.Until(at); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			// Never started: account for it as a failure.
			for _, rest := range r.clients[i:] {
				r.readers.Done()
				rest.fail("not started: setup deadline passed")
			}
			break
		}
		go c.start(ctx, deadline)
	}
	done := make(chan struct{})
	go func() { r.setupWG.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		r.shutdown()
		<-done
	}
	r.setupEnd = time.Now()
}

// readyClients lists the clients that finished setup.
func (r *run) readyClients() []*client {
	var out []*client
	for _, c := range r.clients {
		if c.state.Load() == stReady {
			out = append(out, c)
		}
	}
	return out
}

// totals sums the per-client counters.
type totals struct{ sentAll, sent, recvAll, delivered int64 }

func (r *run) totals() totals {
	var t totals
	for _, c := range r.clients {
		t.sentAll += c.sentAll.Load()
		t.sent += c.sent.Load()
		t.recvAll += c.recvAll.Load()
		t.delivered += c.delivered.Load()
	}
	return t
}

// progress prints one line a second on stderr until ctx ends.
func (r *run) progress(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	start, prev, prevAt := time.Now(), r.totals(), time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			t := r.totals()
			secs := now.Sub(prevAt).Seconds()
			fmt.Fprintf(r.stderr, "[%4.0fs] %s %s: ready %d/%d failed %d, sent %.0f/s, received %.0f/s, disconnects %d\n",
				now.Sub(start).Seconds(), r.cfg.Scenario, r.phase.Load(), r.ready.Load(), len(r.clients),
				r.failed.Load(), float64(t.sentAll-prev.sentAll)/secs, float64(t.recvAll-prev.recvAll)/secs,
				r.disconnects.Load())
			prev, prevAt = t, now
		}
	}
}

// drain waits until deliveries of window messages stop growing, so that
// messages still in flight when the senders stopped are counted.
func (r *run) drain(ctx context.Context) {
	r.phase.Store("drain")
	end := time.Now().Add(drainMax)
	last, lastChange := r.totals().delivered, time.Now()
	for time.Now().Before(end) && time.Since(lastChange) < drainQuiet {
		select {
		case <-ctx.Done():
			return
		case <-time.After(50 * time.Millisecond):
		}
		if d := r.totals().delivered; d != last {
			last, lastChange = d, time.Now()
		}
	}
}

// shutdown closes every connection and waits for the readers to finish.
// Safe to call more than once.
func (r *run) shutdown() {
	r.closing.Store(true)
	r.phase.Store("closing")
	for _, c := range r.clients {
		c.close(true)
	}
	done := make(chan struct{})
	go func() { r.readers.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		r.noteError("some readers did not stop within 10s")
	}
}

// mergedHist combines the shards.
func (r *run) mergedHist() *Histogram {
	h := NewHistogram()
	for _, s := range r.hists {
		h.Merge(s)
	}
	return h
}
