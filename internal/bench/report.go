package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"
)

// Report is the outcome of one run; it is printed as a human summary and as
// one JSON line. Rates are per second of the measured window (warmup
// excluded); latencies are one-way, sender write to receiver read.
type Report struct {
	Scenario string `json:"scenario"`
	Addr     string `json:"addr"`

	Clients             int     `json:"clients"`
	ClientsReady        int     `json:"clients_ready"`
	Senders             int     `json:"senders"`
	SetupSec            float64 `json:"setup_sec"`
	RegistrationsPerSec float64 `json:"registrations_per_sec"` // connect + register + join

	MeasuredSec        float64 `json:"measured_sec"`
	Sent               int64   `json:"sent"`
	SentPerSec         float64 `json:"sent_per_sec"`
	Deliveries         int64   `json:"deliveries"`
	DeliveriesPerSec   float64 `json:"deliveries_per_sec"`
	ExpectedDeliveries int64   `json:"expected_deliveries"` // sent x other members of the target channel
	DeliveryRatio      float64 `json:"delivery_ratio"`

	P50Ms  float64 `json:"p50_ms"`
	P99Ms  float64 `json:"p99_ms"`
	P999Ms float64 `json:"p999_ms"`
	MaxMs  float64 `json:"max_ms"`
	MeanMs float64 `json:"mean_ms"`

	Errors      int64  `json:"errors"` // failed setups + failed writes
	Disconnects int64  `json:"disconnects"`
	ServerError string `json:"server_error,omitempty"` // text of the first ERROR line
	FirstError  string `json:"first_error,omitempty"`
	OutOfOrder  int64  `json:"out_of_order"`
	Gaps        int64  `json:"gaps"`   // messages skipped in a sender's sequence
	Stalls      int64  `json:"stalls"` // closed-loop windows refilled after no receipt

	GenCPUPct float64 `json:"gen_cpu_pct"` // generator CPU, % of one core

	RSSBeforeKB    int64   `json:"rss_before_kb,omitempty"`
	RSSAfterKB     int64   `json:"rss_after_kb,omitempty"`
	RSSPerClientKB float64 `json:"rss_per_client_kb,omitempty"`
}

func (rep *Report) setupDone(r *run) {
	rep.ClientsReady = int(r.ready.Load())
	d := r.setupEnd.Sub(r.setupStart)
	rep.SetupSec = round(d.Seconds(), 3)
	if d > 0 {
		rep.RegistrationsPerSec = round(float64(rep.ClientsReady)/d.Seconds(), 1)
	}
}

// finish fills the counters once every goroutine has stopped.
func (rep *Report) finish(r *run) {
	t := r.totals()
	rep.Sent, rep.Deliveries = t.sent, t.delivered
	if rep.MeasuredSec > 0 {
		rep.SentPerSec = round(float64(t.sent)/rep.MeasuredSec, 1)
		rep.DeliveriesPerSec = round(float64(t.delivered)/rep.MeasuredSec, 1)
	}
	if rep.ExpectedDeliveries > 0 {
		rep.DeliveryRatio = round(float64(t.delivered)/float64(rep.ExpectedDeliveries), 4)
	}
	h := r.mergedHist()
	ms := func(ns int64) float64 { return round(float64(ns)/float64(time.Millisecond), 3) }
	rep.P50Ms, rep.P99Ms, rep.P999Ms = ms(h.Quantile(0.5)), ms(h.Quantile(0.99)), ms(h.Quantile(0.999))
	rep.MaxMs, rep.MeanMs = ms(h.Max()), ms(int64(h.Mean()))
	rep.Errors = r.failed.Load() + r.sendErrors.Load()
	rep.Disconnects = r.disconnects.Load()
	rep.OutOfOrder, rep.Gaps, rep.Stalls = r.outOfOrder.Load(), r.gaps.Load(), r.stalls.Load()
	rep.GenCPUPct = round(rep.GenCPUPct, 1)
	r.errMu.Lock()
	rep.ServerError, rep.FirstError = r.serverError, r.firstError
	r.errMu.Unlock()
}

func round(v float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(v*p) / p
}

// writeJSON prints the report as one line.
func (rep *Report) writeJSON(w io.Writer) error {
	b, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// writeSummary prints the report for a person.
func (rep *Report) writeSummary(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	p("parley bench %s against %s", rep.Scenario, rep.Addr)
	p("  clients       %d ready of %d, setup %.2fs (%.0f registrations/s)",
		rep.ClientsReady, rep.Clients, rep.SetupSec, rep.RegistrationsPerSec)
	if rep.Scenario != "idle" {
		p("  senders       %d", rep.Senders)
		p("  sent          %d in %.1fs = %.0f msgs/s", rep.Sent, rep.MeasuredSec, rep.SentPerSec)
		p("  deliveries    %d = %.0f msgs/s (%.2f%% of expected %d)",
			rep.Deliveries, rep.DeliveriesPerSec, 100*rep.DeliveryRatio, rep.ExpectedDeliveries)
		p("  latency ms    p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  mean %.3f",
			rep.P50Ms, rep.P99Ms, rep.P999Ms, rep.MaxMs, rep.MeanMs)
		p("  order         %d out of order, %d skipped, %d stalls", rep.OutOfOrder, rep.Gaps, rep.Stalls)
	} else {
		p("  held          %.1fs", rep.MeasuredSec)
		if rep.RSSAfterKB > 0 {
			p("  server RSS    %d KiB -> %d KiB, %.2f KiB per client",
				rep.RSSBeforeKB, rep.RSSAfterKB, rep.RSSPerClientKB)
		}
	}
	p("  errors        %d, disconnects %d", rep.Errors, rep.Disconnects)
	if rep.ServerError != "" {
		p("  server ERROR  %s", rep.ServerError)
	}
	if rep.FirstError != "" {
		p("  first error   %s", rep.FirstError)
	}
	p("  generator CPU %.1f%% of one core", rep.GenCPUPct)
}
