package session

import (
	"time"

	"golang.org/x/time/rate"
)

// floodGate delays a client's lines beyond its burst ("fake lag", as ircd-ratbox and Ergo do): the
// reader sleeps, the kernel's receive buffer fills, and TCP pushes back on the flooder. Nothing is
// dropped, so the client's commands keep their order and effect.
type floodGate struct {
	lim *rate.Limiter
}

func newFloodGate(f Flood) floodGate {
	if !f.Enabled || f.Rate <= 0 {
		return floodGate{}
	}
	burst := f.Burst
	if burst < 1 {
		burst = 1
	}
	return floodGate{lim: rate.NewLimiter(rate.Limit(f.Rate), burst)}
}

// wait blocks until the next line may run and reports whether it had to wait.
func (g floodGate) wait() bool {
	if g.lim == nil {
		return false
	}
	r := g.lim.Reserve()
	d := r.Delay()
	if d <= 0 {
		return false
	}
	time.Sleep(d)
	return true
}
