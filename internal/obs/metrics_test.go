package obs

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMetricsExposed(t *testing.T) {
	m := NewMetrics()
	m.Connections.WithLabelValues("tls").Inc()
	m.Clients.Set(3)
	m.Channels.Set(2)
	m.LinesIn.Add(5)
	m.LinesOut.Add(7)
	m.MessagesDelivered.Inc()
	m.FanOut.Observe(150)
	m.SendQDisconnects.Inc()
	m.FloodDelayed.Inc()
	m.FloodDropped.Add(2)
	m.HistoryAppend.Observe(0.002)
	m.BusPublish.Observe(0.0003)
	m.Refused.WithLabelValues("per_ip").Inc()
	m.FilterHits.WithLabelValues("block").Inc()

	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	text := string(body)
	for _, want := range []string{
		`parley_connections{transport="tls"} 1`,
		`parley_connections{transport="tcp"} 0`,
		`parley_connections{transport="wss"} 0`,
		"parley_clients 3",
		"parley_channels 2",
		"parley_lines_in_total 5",
		"parley_lines_out_total 7",
		"parley_messages_delivered_total 1",
		`parley_fanout_size_bucket{le="200"} 1`,
		`parley_fanout_size_bucket{le="100"} 0`,
		`parley_fanout_size_bucket{le="10000"} 1`,
		"parley_sendq_disconnects_total 1",
		`parley_flood_total{action="delay"} 1`,
		`parley_flood_total{action="drop"} 2`,
		`parley_history_append_seconds_bucket{le="0.0025"} 1`,
		`parley_bus_publish_seconds_bucket{le="0.0005"} 1`,
		`parley_connections_refused_total{reason="per_ip"} 1`,
		`parley_filter_hits_total{action="block"} 1`,
		"go_goroutines ",
		"process_",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestMetricsAreIndependent(t *testing.T) {
	a, b := NewMetrics(), NewMetrics()
	a.LinesIn.Inc()
	if got := value(t, b, "parley_lines_in_total"); got != 0 {
		t.Fatalf("second Metrics saw the first one's count: %v", got)
	}
	if got := value(t, a, "parley_lines_in_total"); got != 1 {
		t.Fatalf("count = %v, want 1", got)
	}
}

// value gathers m and returns the value of the unlabelled counter or gauge name.
func value(t *testing.T, m *Metrics, name string) float64 {
	t.Helper()
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name {
			mt := f.GetMetric()[0]
			return mt.GetCounter().GetValue() + mt.GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// TestMetricNames holds the naming conventions of the Prometheus docs
// ("Metric and label naming"): a prefix, _total on counters, base units.
func TestMetricNames(t *testing.T) {
	families, err := NewMetrics().Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	ours := 0
	for _, f := range families {
		name := f.GetName()
		if !strings.HasPrefix(name, "parley_") {
			continue
		}
		ours++
		if f.GetHelp() == "" {
			t.Errorf("%s has no help text", name)
		}
		isCounter := f.GetType().String() == "COUNTER"
		if isCounter != strings.HasSuffix(name, "_total") {
			t.Errorf("%s: type %s, but _total suffix is for counters only", name, f.GetType())
		}
		if strings.Contains(name, "milli") || strings.Contains(name, "_ms") {
			t.Errorf("%s: use seconds, not milliseconds", name)
		}
	}
	// Vectors without children are not gathered; the ones always present:
	// connections, clients, channels, lines in/out, delivered, fan-out,
	// sendq, flood, history, bus.
	if ours != 11 {
		t.Errorf("gathered %d parley_ families, want 11", ours)
	}
}

// BenchmarkLinesIn shows the hot-path cost of counting one line.
func BenchmarkLinesIn(b *testing.B) {
	m := NewMetrics()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.LinesIn.Inc()
		}
	})
}
