package api

import (
	"net/http"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parleychat/parley/internal/obs"
)

// requestMetrics counts API requests by route pattern and status (parley_api_requests_total). The
// label sets are bounded: routes come from the table, statuses from the handlers.
type requestMetrics struct {
	requests *prometheus.CounterVec
	mu       sync.Mutex
	children map[[2]string]prometheus.Counter
}

func newRequestMetrics(m *obs.Metrics) *requestMetrics {
	rm := &requestMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "parley_api_requests_total", Help: "JSON API requests, by route and HTTP status.",
		}, []string{"route", "status"}),
		children: map[[2]string]prometheus.Counter{},
	}
	if err := m.Registry.Register(rm.requests); err != nil {
		// Registered already by another API on the same registry: share its vector.
		if are, ok := err.(prometheus.AlreadyRegisteredError); ok {
			rm.requests = are.ExistingCollector.(*prometheus.CounterVec)
		}
	}
	return rm
}

func (rm *requestMetrics) inc(route string, status int) {
	key := [2]string{route, strconv.Itoa(status)}
	rm.mu.Lock()
	c := rm.children[key]
	if c == nil {
		c = rm.requests.WithLabelValues(key[0], key[1])
		rm.children[key] = c
	}
	rm.mu.Unlock()
	c.Inc()
}

// counted wraps h so that its requests are counted under route.
func (a *API) counted(route string, h http.Handler) http.Handler {
	if a.metrics == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		a.metrics.inc(route, sw.status)
	})
}

// statusWriter remembers the status written. Unwrap lets http.ResponseController reach the
// underlying writer's Flush, which the event stream needs.
type statusWriter struct {
	http.ResponseWriter
	status  int
	written bool
}

func (w *statusWriter) WriteHeader(status int) {
	if !w.written {
		w.status, w.written = status, true
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.written = true
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
