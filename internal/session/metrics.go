package session

// Counter is the part of a Prometheus counter a session uses.
type Counter interface {
	Inc()
	Add(float64)
}

// Gauge is the part of a Prometheus gauge a session uses.
type Gauge interface {
	Inc()
	Dec()
}

// Metrics are the collectors sessions update. A nil *Metrics, or a nil field, records nothing.
// Fields hold resolved collectors, so the hot path does no label lookups.
type Metrics struct {
	LinesIn       Counter
	LinesOut      Counter
	FloodDelays   Counter
	FloodDrops    Counter // nick changes refused by flood control
	SendQExceeded Counter
	Connections   func(kind string) Gauge
}

func (m *Metrics) lineIn() {
	if m != nil && m.LinesIn != nil {
		m.LinesIn.Inc()
	}
}

// linesOut counts a written batch: one update per write, not per line, keeps the counter's cache
// line out of the fan-out path.
func (m *Metrics) linesOut(n int) {
	if m != nil && m.LinesOut != nil {
		m.LinesOut.Add(float64(n))
	}
}

func (m *Metrics) floodDelay() {
	if m != nil && m.FloodDelays != nil {
		m.FloodDelays.Inc()
	}
}

func (m *Metrics) sendqExceeded() {
	if m != nil && m.SendQExceeded != nil {
		m.SendQExceeded.Inc()
	}
}

func (m *Metrics) connOpened(kind string) {
	if m != nil && m.Connections != nil {
		m.Connections(kind).Inc()
	}
}

func (m *Metrics) connClosed(kind string) {
	if m != nil && m.Connections != nil {
		m.Connections(kind).Dec()
	}
}
