package session

import (
	"math"
	"strings"
	"time"

	"github.com/parleychat/parley/internal/ircmsg"
	"golang.org/x/time/rate"
)

// Flood is per-client flood control: a token bucket of Burst lines refilled at Rate per second,
// and one bucket per command class. Lines beyond them are delayed ("fake lag"), never dropped;
// only nick changes past their bucket are refused. Enabled false turns every bucket off.
type Flood struct {
	Enabled bool
	Burst   int
	Rate    float64
	// Messages counts each target of PRIVMSG, NOTICE and TAGMSG; Joins each channel of a JOIN;
	// Nicks each nick change after registration.
	Messages FloodClass
	Joins    FloodClass
	Nicks    FloodClass
}

// FloodClass is a token bucket for one class of commands; Burst 0 turns it off.
type FloodClass struct {
	Burst int
	Rate  float64
}

// floodGate delays a client's lines beyond its burst ("fake lag", as ircd-ratbox and Ergo do): the
// processor sleeps, the inbox fills, the reader stops, the kernel's receive buffer fills, and TCP
// pushes back on the flooder. Nothing is dropped, so the client's commands keep their order and
// effect. Owned by the processor goroutine; the limiters themselves are safe anyway.
type floodGate struct {
	lines    *rate.Limiter
	messages *rate.Limiter
	joins    *rate.Limiter
	nicks    *rate.Limiter
}

func newFloodGate(f Flood) floodGate {
	if !f.Enabled {
		return floodGate{}
	}
	return floodGate{
		lines:    bucket(f.Burst, f.Rate),
		messages: bucket(f.Messages.Burst, f.Messages.Rate),
		joins:    bucket(f.Joins.Burst, f.Joins.Rate),
		nicks:    bucket(f.Nicks.Burst, f.Nicks.Rate),
	}
}

func bucket(burst int, perSecond float64) *rate.Limiter {
	if burst <= 0 || !(perSecond > 0) {
		return nil
	}
	return rate.NewLimiter(rate.Limit(perSecond), burst)
}

// verdict is what the gate decided for one line.
type verdict struct {
	delay     time.Duration // wait this long before running the line
	refuse    bool          // do not run it (a nick change too fast)
	retryIn   time.Duration // with refuse: when a nick change would be allowed again
	reserved  []*rate.Reservation
	limitedBy string // the bucket that caused the delay or refusal, for tests and logs
}

// cancel gives back the tokens a verdict took, for a line that is exempt or refused.
func (v *verdict) cancel() {
	for _, r := range v.reserved {
		r.Cancel()
	}
}

// check reserves tokens for m from every bucket it counts against; registered tells nick changes
// (limited) from the nick given at registration (not limited).
func (g *floodGate) check(m *ircmsg.Message, registered bool) verdict {
	var v verdict
	take := func(lim *rate.Limiter, n int, name string) {
		if lim == nil || n <= 0 {
			return
		}
		n = min(n, lim.Burst()) // a line may never need more than a full bucket
		r := lim.ReserveN(time.Now(), n)
		if !r.OK() {
			return
		}
		v.reserved = append(v.reserved, r)
		if d := r.Delay(); d > v.delay {
			v.delay, v.limitedBy = d, name
		}
	}
	take(g.lines, 1, "lines")
	switch m.Command {
	case "PRIVMSG", "NOTICE", "TAGMSG":
		take(g.messages, countList(m.Param(0)), "messages")
	case "JOIN":
		take(g.joins, countList(m.Param(0)), "joins")
	case "NICK":
		if registered && g.nicks != nil {
			r := g.nicks.Reserve()
			if d := r.Delay(); d > 0 {
				r.Cancel() // refused changes do not use up the bucket
				v.refuse, v.retryIn, v.limitedBy = true, d, "nicks"
			}
		}
	}
	return v
}

// countList counts the elements of a comma-separated parameter ("#a,#b" is 2, "" is 0).
func countList(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(s, ",") + 1
}

// floodCheck applies the flood gate to m before it runs, and reports whether to run it. Lines of
// flood-exempt operators pass at once; a nick change that comes too fast is answered with
// ERR_NICKTOOFAST (438) and not run.
func (s *Session) floodCheck(m *ircmsg.Message) bool {
	v := s.flood.check(m, s.client.Registered())
	if v.delay <= 0 && !v.refuse {
		return true
	}
	// Checked only when a bucket would act, so the common case costs no oper lookup.
	if s.srv.FloodExempt(s.client) {
		v.cancel()
		return true
	}
	if v.refuse {
		v.cancel()
		s.opt.Metrics.floodDrop()
		s.srv.RejectNickTooFast(s.client, m, int(math.Ceil(v.retryIn.Seconds())))
		return false
	}
	s.opt.Metrics.floodDelay()
	time.Sleep(v.delay)
	return true
}

func (m *Metrics) floodDrop() {
	if m != nil && m.FloodDrops != nil {
		m.FloodDrops.Inc()
	}
}
