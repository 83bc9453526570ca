package bench

import (
	"context"
	"errors"
	"io"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// plan creates the scenario's clients and the channels each one joins.
func plan(r *run) {
	cfg := r.cfg
	switch cfg.Scenario {
	case "fanout", "latency":
		ch := cfg.ChannelPrefix + "-" + cfg.Scenario
		for range cfg.totalClients() {
			r.addClient([]string{ch})
		}
	case "rooms":
		for room := range cfg.Rooms {
			ch := cfg.ChannelPrefix + "-r" + strconv.Itoa(room)
			for range cfg.Members {
				r.addClient([]string{ch})
			}
		}
	case "idle":
		// Client i joins channels i*k .. i*k+k-1 of the pool (mod its size),
		// which are distinct and spread the members evenly.
		for i := range cfg.Clients {
			chans := make([]string, cfg.Channels)
			for j := range chans {
				chans[j] = cfg.ChannelPrefix + "-i" + strconv.Itoa((i*cfg.Channels+j)%cfg.Rooms)
			}
			r.addClient(chans)
		}
	}
	r.senders = make([]atomic.Pointer[sender], len(r.clients))
}

// execute runs one scenario from connect to close and builds its report.
func execute(ctx context.Context, cfg *Config, stderr io.Writer) (*Report, error) {
	r := newRun(cfg, stderr)
	plan(r)
	pctx, cancel := context.WithCancel(ctx)
	var pwg sync.WaitGroup
	pwg.Go(func() { r.progress(pctx) })
	defer pwg.Wait()
	defer cancel()

	rep := &Report{Scenario: cfg.Scenario, Addr: cfg.Addr, Clients: len(r.clients)}
	if cfg.Scenario == "idle" && cfg.ServerPID > 0 {
		kb, err := readRSSKB(cfg.ServerPID)
		if err != nil {
			return nil, err
		}
		rep.RSSBeforeKB = kb
	}
	cpu0 := cpuTime()
	r.connectAll(ctx)
	rep.setupDone(r)
	var err error
	if cfg.Scenario == "idle" {
		rep.GenCPUPct = cpuPct(cpuTime()-cpu0, r.setupEnd.Sub(r.setupStart))
		err = holdIdle(ctx, r, rep)
	} else {
		err = traffic(ctx, r, rep)
	}
	r.shutdown()
	rep.finish(r)
	return rep, err
}

// holdIdle keeps the clients connected for --duration and reads the
// server's memory once they have all joined and again at the end.
func holdIdle(ctx context.Context, r *run, rep *Report) error {
	if rep.ClientsReady == 0 {
		return errors.New("no client registered")
	}
	r.phase.Store("hold")
	if !sleepUntil(ctx, time.Now().Add(r.cfg.Duration)) {
		return ctx.Err()
	}
	rep.MeasuredSec = r.cfg.Duration.Seconds()
	if r.cfg.ServerPID > 0 {
		kb, err := readRSSKB(r.cfg.ServerPID)
		if err != nil {
			return err
		}
		rep.RSSAfterKB = kb
		rep.RSSPerClientKB = float64(kb-rep.RSSBeforeKB) / float64(rep.ClientsReady)
	}
	return nil
}

// traffic assigns senders among the ready clients, runs warmup and the
// measured window, stops the senders and drains what is in flight.
func traffic(ctx context.Context, r *run, rep *Report) error {
	cfg := r.cfg
	senders, err := assignSenders(r)
	if err != nil {
		return err
	}
	rep.Senders = len(senders)
	start := time.Now()
	winStart := start.Add(cfg.Warmup)
	winEnd := winStart.Add(cfg.Duration)
	r.winStart.Store(winStart.UnixNano())
	r.winEnd.Store(winEnd.UnixNano())

	stop := make(chan struct{})
	var wg sync.WaitGroup
	switch {
	case cfg.Scenario == "rooms":
		wg.Go(func() { runOpenLoop(senders, cfg.PerMemberRate, stop) })
	case cfg.Rate > 0:
		wg.Go(func() { runOpenLoop(senders, cfg.Rate/float64(len(senders)), stop) })
	default:
		for _, s := range senders {
			wg.Go(func() { s.closedLoop(stop) })
		}
	}
	r.phase.Store("warmup")
	ok := sleepUntil(ctx, winStart)
	cpu0, t0 := cpuTime(), time.Now()
	r.phase.Store("measure")
	ok = ok && sleepUntil(ctx, winEnd)
	rep.GenCPUPct = cpuPct(cpuTime()-cpu0, time.Since(t0))
	close(stop)
	wg.Wait()
	if !ok {
		return ctx.Err()
	}
	r.drain(ctx)
	rep.MeasuredSec = cfg.Duration.Seconds()
	for _, s := range senders {
		rep.ExpectedDeliveries += s.c.sent.Load() * int64(s.peers)
	}
	return nil
}

// assignSenders picks the senders among the clients that are ready. In
// fanout the first --senders ready members send and one other member acts
// as witness, returning window tokens; in rooms every member sends.
func assignSenders(r *run) ([]*sender, error) {
	ready := r.readyClients()
	byChan := map[string][]*client{}
	for _, c := range ready {
		byChan[c.chans[0]] = append(byChan[c.chans[0]], c)
	}
	var out []*sender
	if r.cfg.Scenario == "rooms" {
		for _, c := range ready {
			s := r.addSender(c, c.chans[0], -1)
			s.peers = len(byChan[c.chans[0]]) - 1
			// Golden-ratio offsets spread the members' sends over each period.
			_, s.phase = math.Modf(float64(len(out)) * 0.6180339887)
			out = append(out, s)
		}
		return out, nil
	}
	if len(ready) < 2 {
		return nil, errors.New("fewer than two clients registered and joined")
	}
	n := min(r.cfg.Senders, len(ready))
	for k, c := range ready[:n] {
		witness := ready[len(ready)-1].id
		if n == len(ready) {
			witness = ready[(k+1)%n].id
		}
		if r.cfg.Rate > 0 {
			witness = -1
		}
		s := r.addSender(c, c.chans[0], witness)
		s.peers = len(ready) - 1
		s.phase = float64(k) / float64(n)
		out = append(out, s)
	}
	return out, nil
}

// sleepUntil waits for t and reports false if ctx ended first.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func cpuPct(cpu, wall time.Duration) float64 {
	if wall <= 0 {
		return 0
	}
	return 100 * cpu.Seconds() / wall.Seconds()
}
