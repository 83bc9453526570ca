// Package bench is the load generator behind `parley bench`. It speaks
// plain RFC 1459/2812 client IRC (no CAP needed), so it measures parley and
// any other IRC server alike, and it only ever connects to loopback.
//
// Scenarios: fanout (one channel, a few senders, many receivers), rooms
// (many small channels, everybody talks), idle (connect, register, join and
// sit; registrations/s and server memory per client) and latency (one
// message at a time between two clients).
//
// Measurement: every message carries a per-run tag, the sender's id and
// sequence number and its send time in unix nanoseconds. Receivers compute
// one-way latency on the shared clock, detect gaps and reordering per
// sender, and count a delivery only when the send time lies in the measured
// window, so warmup traffic and the drain after the senders stop are
// accounted exactly.
//
// Concurrency: one goroutine per connection reads (bufio.Reader, one
// bytes.Index per line for the payload marker) and answers PINGs. Senders
// run either one goroutine each (closed loop: a window of messages in flight,
// tokens returned by a witness receiver) or in a few scheduler goroutines
// (open loop at a fixed rate). Each write carries whole lines, and batches
// of them when several are due. Counters are per client and atomic; the
// latency histogram is sharded. The progress line and the report read the
// counters without stopping anyone.
package bench
