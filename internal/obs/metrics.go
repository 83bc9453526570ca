package obs

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Transports are the label values of Metrics.Connections.
var Transports = []string{"tcp", "tls", "ws", "wss"}

// Metrics holds parley's Prometheus collectors and the registry they are
// registered in. All names start with "parley_".
//
// Every collector is safe for concurrent use. On hot paths, call the fields
// directly (m.LinesIn.Inc()): they are resolved once, so no label lookup
// happens per line. For the labelled vectors, resolve the child once and keep
// it (g := m.Connections.WithLabelValues("tls") when the connection opens,
// g.Dec() when it closes) rather than looking it up per event.
type Metrics struct {
	// Registry holds the collectors below plus the Go runtime and process
	// collectors; other packages may register their own collectors in it.
	Registry *prometheus.Registry

	Connections       *prometheus.GaugeVec   // open connections by transport (tcp, tls, ws, wss)
	Clients           prometheus.Gauge       // registered (post-welcome) clients on this node
	Channels          prometheus.Gauge       // channels known to this node
	LinesIn           prometheus.Counter     // IRC lines read from clients
	LinesOut          prometheus.Counter     // IRC lines written to clients
	MessagesDelivered prometheus.Counter     // messages handed to local recipients
	FanOut            prometheus.Histogram   // local recipients per delivered message
	SendQDisconnects  prometheus.Counter     // clients dropped for exceeding limits.sendq
	FloodDelayed      prometheus.Counter     // lines held back by flood control
	FloodDropped      prometheus.Counter     // lines discarded (or clients dropped) by flood control
	HistoryAppend     prometheus.Histogram   // seconds to append one message to history
	BusPublish        prometheus.Histogram   // seconds to publish one event to the cluster bus
	Refused           *prometheus.CounterVec // connections refused, by reason
	FilterHits        *prometheus.CounterVec // message filter matches, by action
}

// fanOutBuckets span one recipient to a 10,000-member channel.
var fanOutBuckets = []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000}

// latencyBuckets span 100µs (an in-memory store) to 2.5s (a stalled cluster).
var latencyBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}

// NewMetrics creates the collectors and registers them, with the Go runtime
// and process collectors, in a new registry. Each call returns an
// independent set, so tests and in-process clusters do not collide.
//
// NewMetrics is safe to call from any goroutine.
func NewMetrics() *Metrics {
	reg := prometheus.NewRegistry()
	f := factory{reg}
	flood := f.counterVec("parley_flood_total", "Lines affected by flood control, by action (delay, drop).", "action")
	m := &Metrics{
		Registry:          reg,
		Connections:       f.gaugeVec("parley_connections", "Open client connections, by transport.", "transport"),
		Clients:           f.gauge("parley_clients", "Registered clients connected to this node."),
		Channels:          f.gauge("parley_channels", "Channels known to this node."),
		LinesIn:           f.counter("parley_lines_in_total", "IRC lines read from clients."),
		LinesOut:          f.counter("parley_lines_out_total", "IRC lines written to clients."),
		MessagesDelivered: f.counter("parley_messages_delivered_total", "Messages handed to local recipients."),
		FanOut:            f.histogram("parley_fanout_size", "Local recipients per delivered message.", fanOutBuckets),
		SendQDisconnects:  f.counter("parley_sendq_disconnects_total", "Clients disconnected for exceeding their send queue."),
		FloodDelayed:      flood.WithLabelValues("delay"),
		FloodDropped:      flood.WithLabelValues("drop"),
		HistoryAppend:     f.histogram("parley_history_append_seconds", "Time to append one message to history.", latencyBuckets),
		BusPublish:        f.histogram("parley_bus_publish_seconds", "Time to publish one event to the cluster bus.", latencyBuckets),
		Refused:           f.counterVec("parley_connections_refused_total", "Connections refused, by reason.", "reason"),
		FilterHits:        f.counterVec("parley_filter_hits_total", "Message filter matches, by action.", "action"),
	}
	// Create every transport's series up front so dashboards show 0, not a gap.
	for _, t := range Transports {
		m.Connections.WithLabelValues(t)
	}
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// Handler serves the registry in the Prometheus exposition format, for
// mounting at /metrics.
//
// Handler is safe to call from any goroutine; the handler is safe for
// concurrent use.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{
		// A failing collector should not hide every other metric.
		ErrorHandling:     promhttp.ContinueOnError,
		EnableOpenMetrics: true,
	})
}

// factory creates collectors and registers them in one registry.
type factory struct {
	reg *prometheus.Registry
}

func (f factory) gauge(name, help string) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
	f.reg.MustRegister(g)
	return g
}

func (f factory) gaugeVec(name, help, label string) *prometheus.GaugeVec {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, []string{label})
	f.reg.MustRegister(g)
	return g
}

func (f factory) counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	f.reg.MustRegister(c)
	return c
}

func (f factory) counterVec(name, help, label string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{label})
	f.reg.MustRegister(c)
	return c
}

func (f factory) histogram(name, help string, buckets []float64) prometheus.Histogram {
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets})
	f.reg.MustRegister(h)
	return h
}
