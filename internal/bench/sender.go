package bench

import (
	"math"
	"sync"
	"time"
)

const (
	// stallTimeout: a closed-loop sender that got no receipt for this long
	// assumes its in-flight messages were lost and refills its window, so a
	// server that drops messages slows the run instead of stopping it.
	stallTimeout = 5 * time.Second
	// openTick is the open-loop scheduler's period; the messages due in one
	// tick go out in one write.
	openTick = 10 * time.Millisecond
	// maxOpenBatch bounds what one open-loop sender writes per tick. When
	// the generator falls further behind, the excess is skipped rather than
	// burst later, so sent/s shows the shortfall.
	maxOpenBatch = 256
	// sendersPerShard is how many open-loop senders one scheduler goroutine
	// serves.
	sendersPerShard = 256
)

// sender writes bench messages for one client to one target. Its fields are
// owned by the goroutine that drives it (a closed loop or an open-loop
// shard); ack is the only method other goroutines call.
type sender struct {
	c       *client
	target  string
	witness int           // client id whose receipt returns a window token; -1 in open loop
	tokens  chan struct{} // closed loop: one token per message allowed in flight
	peers   int           // ready receivers in the target channel, for expected deliveries

	seq   uint64
	buf   []byte
	phase float64 // open loop: fraction of a period by which this sender is offset
	due   int64   // open loop: messages scheduled so far
	dead  bool
}

func (r *run) addSender(c *client, target string, witness int) *sender {
	s := &sender{c: c, target: target, witness: witness}
	if witness >= 0 {
		s.tokens = make(chan struct{}, r.cfg.Window)
		s.refill()
	}
	r.senders[c.id].Store(s)
	return s
}

// ack returns one window token. Safe for concurrent use; it never blocks.
func (s *sender) ack() {
	select {
	case s.tokens <- struct{}{}:
	default:
	}
}

func (s *sender) refill() {
	for {
		select {
		case s.tokens <- struct{}{}:
		default:
			return
		}
	}
}

// send writes n messages in one write. It reports false once the
// connection has failed.
func (s *sender) send(n int) bool {
	r := s.c.r
	now := time.Now().UnixNano()
	s.buf = s.buf[:0]
	for range n {
		s.buf = appendMessage(s.buf, s.target, r.tag, uint32(s.c.id), s.seq, now, r.cfg.Size)
		s.seq++
	}
	if err := s.c.write(s.buf); err != nil {
		if !r.closing.Load() {
			r.sendErrors.Add(1)
			r.noteError(s.c.nick + ": send: " + err.Error())
		}
		s.dead = true
		return false
	}
	s.c.sentAll.Add(int64(n))
	if now >= r.winStart.Load() && now < r.winEnd.Load() {
		s.c.sent.Add(int64(n))
	}
	return true
}

// closedLoop keeps up to --window messages in flight: it waits for at least
// one token, takes every other token already returned, and writes that many
// messages in one syscall. Under load the batches grow by themselves.
func (s *sender) closedLoop(stop <-chan struct{}) {
	t := time.NewTimer(stallTimeout)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-s.tokens:
		case <-t.C:
			s.c.r.stalls.Add(1)
			s.refill()
			t.Reset(stallTimeout)
			continue
		}
		n := 1
	more:
		for n < cap(s.tokens) {
			select {
			case <-s.tokens:
				n++
			default:
				break more
			}
		}
		if !s.send(n) {
			return
		}
		t.Reset(stallTimeout)
	}
}

// runOpenLoop drives senders at rate messages/s each, from a few scheduler
// goroutines, until stop is closed. It returns once they have all exited.
func runOpenLoop(senders []*sender, rate float64, stop <-chan struct{}) {
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < len(senders); i += sendersPerShard {
		shard := senders[i:min(i+sendersPerShard, len(senders))]
		wg.Go(func() { openShard(shard, rate, start, stop) })
	}
	wg.Wait()
}

func openShard(senders []*sender, rate float64, start time.Time, stop <-chan struct{}) {
	tick := time.NewTicker(openTick)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-tick.C:
			el := now.Sub(start).Seconds()
			for _, s := range senders {
				if s.dead {
					continue
				}
				target := int64(math.Floor(el*rate + s.phase))
				n := target - s.due
				if n <= 0 {
					continue
				}
				if n > maxOpenBatch {
					n = maxOpenBatch
				}
				s.due = target
				s.send(int(n))
			}
		}
	}
}
