package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// runMain runs Main and decodes the JSON line, which must be the last line
// of stdout.
func runMain(t *testing.T, args ...string) (Report, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), args, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("Main(%v) = %d\nstdout:\n%s\nstderr:\n%s", args, code, &stdout, &stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var rep Report
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil {
		t.Fatalf("last stdout line is not the JSON report: %v\n%s", err, &stdout)
	}
	return rep, stdout.String()
}

func checkClean(t *testing.T, rep Report) {
	t.Helper()
	if rep.Errors != 0 || rep.Disconnects != 0 || rep.OutOfOrder != 0 || rep.Gaps != 0 || rep.Stalls != 0 {
		t.Errorf("errors %d, disconnects %d, out of order %d, gaps %d, stalls %d (first error %q)",
			rep.Errors, rep.Disconnects, rep.OutOfOrder, rep.Gaps, rep.Stalls, rep.FirstError)
	}
}

// checkDeliveries: with no loss and a full drain, every message sent in the
// window reaches every other member exactly once.
func checkDeliveries(t *testing.T, rep Report, perMessage int64) {
	t.Helper()
	if rep.Sent == 0 {
		t.Fatalf("nothing sent: %+v", rep)
	}
	if want := rep.Sent * perMessage; rep.Deliveries != want || rep.ExpectedDeliveries != want {
		t.Errorf("deliveries %d, expected %d, want sent %d x %d = %d",
			rep.Deliveries, rep.ExpectedDeliveries, rep.Sent, perMessage, want)
	}
	if rep.DeliveryRatio != 1 {
		t.Errorf("delivery ratio %v, want 1", rep.DeliveryRatio)
	}
	if !(rep.P50Ms > 0 && rep.P50Ms <= rep.P99Ms && rep.P99Ms <= rep.P999Ms && rep.P999Ms <= rep.MaxMs) {
		t.Errorf("latencies not positive and ordered: p50 %v p99 %v p999 %v max %v",
			rep.P50Ms, rep.P99Ms, rep.P999Ms, rep.MaxMs)
	}
	if got := float64(rep.Deliveries) / rep.MeasuredSec; math.Abs(got-rep.DeliveriesPerSec) > 0.1 {
		t.Errorf("deliveries/s %v, want %v", rep.DeliveriesPerSec, got)
	}
}

func TestFanoutClosedLoop(t *testing.T) {
	// pb0 is taken, so client 0 must retry with a suffix after 433.
	rl := startRelay(t, "pb0")
	rep, out := runMain(t, "fanout", "--addr", rl.addr(), "--members", "6", "--senders", "2",
		"--duration", "700ms", "--warmup", "200ms", "--size", "200")
	if rep.Scenario != "fanout" || rep.ClientsReady != 6 || rep.Senders != 2 {
		t.Fatalf("report %+v", rep)
	}
	checkClean(t, rep)
	checkDeliveries(t, rep, 5)
	if rep.GenCPUPct <= 0 {
		t.Errorf("generator CPU %v%%, want > 0", rep.GenCPUPct)
	}
	if got := rl.pongs.Load(); got < 6 {
		t.Errorf("relay got %d PONGs, want one per client", got)
	}
	if !strings.Contains(out, "deliveries") || !strings.Contains(out, "p99") {
		t.Errorf("human summary missing:\n%s", out)
	}
}

func TestFanoutFixedRate(t *testing.T) {
	rl := startRelay(t)
	rep, _ := runMain(t, "fanout", "--addr", rl.addr(), "--members", "4", "--senders", "2",
		"--rate", "300", "--duration", "1s", "--warmup", "200ms", "--json")
	checkClean(t, rep)
	checkDeliveries(t, rep, 3)
	if rep.SentPerSec < 250 || rep.SentPerSec > 350 {
		t.Errorf("sent %v msgs/s, want about 300", rep.SentPerSec)
	}
}

func TestRooms(t *testing.T) {
	rl := startRelay(t)
	rep, _ := runMain(t, "rooms", "--addr", rl.addr(), "--rooms", "3", "--members", "3",
		"--per-member-rate", "20", "--duration", "1s", "--warmup", "200ms", "--json")
	if rep.ClientsReady != 9 || rep.Senders != 9 {
		t.Fatalf("report %+v", rep)
	}
	checkClean(t, rep)
	checkDeliveries(t, rep, 2)
	if rep.SentPerSec < 150 || rep.SentPerSec > 210 {
		t.Errorf("sent %v msgs/s, want about 9 x 20 = 180", rep.SentPerSec)
	}
	for ch, n := range rl.members() {
		if n != 3 {
			t.Errorf("%s had at most %d members, want 3", ch, n)
		}
	}
}

func TestLatency(t *testing.T) {
	rl := startRelay(t)
	rep, _ := runMain(t, "latency", "--addr", rl.addr(), "--duration", "500ms", "--warmup", "100ms", "--json")
	checkClean(t, rep)
	checkDeliveries(t, rep, 1)
	if rep.Senders != 1 || rep.ClientsReady != 2 {
		t.Errorf("report %+v", rep)
	}
}

func TestIdle(t *testing.T) {
	rl := startRelay(t)
	// The relay runs inside the test binary, so its RSS is ours.
	rep, out := runMain(t, "idle", "--addr", rl.addr(), "--clients", "20", "--channels", "3", "--rooms", "5",
		"--duration", "200ms", "--server-pid", strconv.Itoa(os.Getpid()))
	checkClean(t, rep)
	if rep.ClientsReady != 20 || rep.RegistrationsPerSec <= 0 || rep.Sent != 0 {
		t.Errorf("report %+v", rep)
	}
	if rep.RSSBeforeKB <= 0 || rep.RSSAfterKB <= 0 {
		t.Errorf("RSS before %d after %d, want both > 0", rep.RSSBeforeKB, rep.RSSAfterKB)
	}
	if !strings.Contains(out, "server RSS") {
		t.Errorf("summary lacks the RSS line:\n%s", out)
	}
	// 20 clients x 3 joins over 5 channels: 12 members each.
	m := rl.members()
	for i := range 5 {
		if n := m["#bench-i"+strconv.Itoa(i)]; n != 12 {
			t.Errorf("#bench-i%d had at most %d members, want 12", i, n)
		}
	}
}

func TestDisconnectReported(t *testing.T) {
	rl := startRelay(t)
	rl.killAt, rl.killNick = 50, "pb2"
	rep, _ := runMain(t, "fanout", "--addr", rl.addr(), "--members", "5", "--senders", "1",
		"--duration", "500ms", "--warmup", "100ms", "--json")
	if rep.Disconnects != 1 {
		t.Errorf("disconnects %d, want 1", rep.Disconnects)
	}
	if !strings.Contains(rep.ServerError, "relay kill test") {
		t.Errorf("server error %q, want the relay's ERROR text", rep.ServerError)
	}
	if rep.DeliveryRatio >= 1 || rep.DeliveryRatio < 0.7 {
		t.Errorf("delivery ratio %v: one of four receivers left, want in [0.7, 1)", rep.DeliveryRatio)
	}
}

func TestSetupFailureCounted(t *testing.T) {
	// Every nick the client could fall back to is taken, so the one client
	// of the pair fails registration and the run cannot start.
	taken := []string{"pb1"}
	for i := 1; i < maxNickTries; i++ {
		taken = append(taken, "pb1_"+strconv.Itoa(i))
	}
	rl := startRelay(t, taken...)
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"latency", "--addr", rl.addr(), "--duration", "200ms", "--json"}, &stdout, &stderr)
	if code != exitFail {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitFail, &stderr)
	}
	var rep Report
	if err := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &rep); err != nil {
		t.Fatalf("JSON line: %v\n%s", err, &stdout)
	}
	if rep.Errors != 1 || rep.ClientsReady != 1 || !strings.Contains(rep.FirstError, "nick in use") {
		t.Errorf("report %+v", rep)
	}
}
