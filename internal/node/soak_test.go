package node_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/testkit"
)

// The soak test (issue 8): a real `parley serve` process under churn for PARLEY_SOAK (10m, say)
// — connects, joins, messages, QUITs, abrupt closes (RST) and slow readers — then checks that it
// is back where it started: goroutines and file descriptors at their baseline, RSS bounded, no
// panic in the log, and every message of one channel in its history. Linux only (/proc).

const (
	soakChurners  = 24 // clients cycling connect → join → talk → leave, each on its own goroutine
	soakSlow      = 2  // clients that join every churn channel and stop reading
	soakChannels  = 5
	soakHistory   = "#soakhist"
	soakToken     = "soak-read-token-0123456789"
	soakMsgGap    = 100 * time.Millisecond
	soakSettle    = 60 * time.Second // how long the counts may take to come back down
	soakGoroutine = 10               // tolerance over the baseline
	soakFDs       = 10
)

// soakStats counts what the load did.
type soakStats struct {
	conns, msgs, quits, aborts, slow, refused atomic.Int64
}

func TestSoak(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("PARLEY_SOAK"))
	if err != nil || d <= 0 {
		t.Skip("set PARLEY_SOAK to a duration (PARLEY_SOAK=10m) to run the soak test against a real server process")
	}
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("the soak test reads /proc")
	}
	srv := startSoakServer(t)
	time.Sleep(2 * time.Second) // let start-up goroutines settle
	base := srv.sample(t)
	t.Logf("baseline: goroutines %d, fds %d, rss %d KiB", base.goroutines, base.fds, base.rssKiB)

	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var st soakStats
	var wg sync.WaitGroup
	for i := range soakChurners {
		wg.Add(1)
		go func() { defer wg.Done(); churner(ctx, srv.irc, i, &st) }()
	}
	for i := range soakSlow {
		wg.Add(1)
		go func() { defer wg.Done(); slowReader(ctx, srv.irc, i, &st) }()
	}
	var sent atomic.Int64
	wg.Add(1)
	go func() { defer wg.Done(); historySender(ctx, srv.irc, &sent, &st) }()
	peak := srv.watchRSS(ctx, t)
	wg.Wait()

	end := srv.settle(t, base)
	stored := countHistory(t, srv.http, soakHistory)
	sendq := srv.metric(t, "parley_sendq_disconnects_total")
	srv.stop(t)
	t.Logf("soak: %v, connections %d (quit %d, aborted %d, slow readers %d of which %.0f dropped for sendq, refused %d), messages %d",
		d, st.conns.Load(), st.quits.Load(), st.aborts.Load(), st.slow.Load(), sendq, st.refused.Load(), st.msgs.Load())
	t.Logf("soak: rss start %d KiB, peak %d KiB, end %d KiB; goroutines %d -> %d; fds %d -> %d; history %d sent, %d stored",
		base.rssKiB, peak.Load(), end.rssKiB, base.goroutines, end.goroutines, base.fds, end.fds, sent.Load(), stored)
	if stored != int(sent.Load()) {
		t.Errorf("history of %s holds %d messages, %d were sent", soakHistory, stored, sent.Load())
	}
	if end.rssKiB > max(3*base.rssKiB, base.rssKiB+200<<10) {
		t.Errorf("rss grew from %d KiB to %d KiB", base.rssKiB, end.rssKiB)
	}
	if log := srv.log(); strings.Contains(log, "panic") {
		t.Errorf("the server log mentions a panic:\n%s", log)
	}
}

// soakServer is the parley process under test.
type soakServer struct {
	cmd       *exec.Cmd
	irc, http string
	logPath   string
}

func startSoakServer(t *testing.T) *soakServer {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "parley")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/parleychat/parley/cmd/parley").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	s := &soakServer{irc: testkit.FreeAddr(t), http: testkit.FreeAddr(t), logPath: filepath.Join(dir, "server.log")}
	cfg := fmt.Sprintf(`server: {name: soak.test, network: SoakNet}
listen: {irc: [%q], http: %q}
data_dir: %q
limits: {exempt: ["127.0.0.0/8"], sendq: 64KiB, flood: {enabled: false}}
api: {tokens: [{name: soak, token: %s, scopes: [read]}]}
`, s.irc, s.http, filepath.Join(dir, "data"), soakToken)
	cfgPath := filepath.Join(dir, "parley.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(s.logPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logf.Close() })
	s.cmd = exec.Command(bin, "serve", "--config", cfgPath)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.cmd.Process.Kill(); s.cmd.Wait() })
	testkit.CheckFor(t, 30*time.Second, 100*time.Millisecond, func() error {
		c, err := net.Dial("tcp", s.irc)
		if err == nil {
			c.Close()
		}
		return err
	})
	return s
}

// soakSample is one reading of the process.
type soakSample struct {
	goroutines, fds int
	rssKiB          int64
}

func (s *soakServer) sample(t *testing.T) soakSample {
	t.Helper()
	pid := s.cmd.Process.Pid
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	return soakSample{goroutines: s.goroutines(t), fds: len(fds), rssKiB: rssKiB(t, pid)}
}

// goroutines reads go_goroutines from /metrics.
func (s *soakServer) goroutines(t *testing.T) int {
	t.Helper()
	return int(s.metric(t, "go_goroutines"))
}

// metric reads one unlabelled series from /metrics.
func (s *soakServer) metric(t *testing.T, name string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + s.http + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no %s in /metrics", name)
	return 0
}

func rssKiB(t *testing.T, pid int) int64 {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	t.Fatal("no VmRSS")
	return 0
}

// watchRSS samples RSS every second until ctx ends and keeps the peak.
func (s *soakServer) watchRSS(ctx context.Context, t *testing.T) *atomic.Int64 {
	var peak atomic.Int64
	pid := s.cmd.Process.Pid
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
					for _, line := range strings.Split(string(data), "\n") {
						if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
							n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
							peak.Store(max(peak.Load(), n))
						}
					}
				}
			}
		}
	}()
	return &peak
}

// settle waits until goroutines and fds are back within tolerance of base, and returns the last
// sample; it fails the test if they are not within soakSettle.
func (s *soakServer) settle(t *testing.T, base soakSample) soakSample {
	t.Helper()
	var last soakSample
	deadline := time.Now().Add(soakSettle)
	for {
		last = s.sample(t)
		if last.goroutines <= base.goroutines+soakGoroutine && last.fds <= base.fds+soakFDs {
			return last
		}
		if time.Now().After(deadline) {
			t.Errorf("after %v: goroutines %d (baseline %d), fds %d (baseline %d)", soakSettle,
				last.goroutines, base.goroutines, last.fds, base.fds)
			return last
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func (s *soakServer) log() string {
	data, _ := os.ReadFile(s.logPath)
	return string(data)
}

// stop sends SIGTERM and waits for a clean exit.
func (s *soakServer) stop(t *testing.T) {
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("server exit: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("server did not exit within 30s of SIGTERM")
	}
}
