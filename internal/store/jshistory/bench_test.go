package jshistory

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/cluster/embedded"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/storetest"
)

// The benchmarks share one filled stream: PARLEY_HISTORY_BENCH_N messages (default 1,000,000)
// over 1,000 channels, written by fill as fast as asynchronous appends go. They report the fill
// rate, the start-up scan of the filled stream, and per-query latency.

var (
	benchOnce sync.Once
	benchJS   jetstream.JetStream
	benchH    *History
	benchN    int
)

var vocabulary = []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
	"india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo"}

func benchHistory(b *testing.B) *History {
	benchOnce.Do(func() {
		benchN = 1_000_000
		if s := os.Getenv("PARLEY_HISTORY_BENCH_N"); s != "" {
			benchN, _ = strconv.Atoi(s)
		}
		dir, err := os.MkdirTemp("", "parley-history-bench")
		if err != nil {
			b.Fatal(err)
		}
		// The fixture outlives one benchmark, so nothing here is tied to b's cleanups; the
		// process exit ends the server, and the directory is left in the system's temp dir.
		srv, err := embedded.Start(context.Background(), embedded.Options{DataDir: dir, Logger: quiet})
		if err != nil {
			b.Fatal(err)
		}
		nc, err := srv.Connect("bench")
		if err != nil {
			b.Fatal(err)
		}
		js, err := jetstream.New(nc)
		if err != nil {
			b.Fatal(err)
		}
		benchJS = js
		snap := dir + "/index.snap"
		bopen := func(snapshot string) *History {
			h, err := Open(context.Background(), js, Options{Network: "Test Net", Fold: storetest.Fold, Logger: quiet, SnapshotPath: snapshot})
			if err != nil {
				b.Fatal(err)
			}
			return h
		}
		h := bopen("")
		start := time.Now()
		fill(b, h, benchN)
		b.Logf("filled %d messages in %v (%.0f/s)", benchN, time.Since(start), float64(benchN)/time.Since(start).Seconds())
		h.Close()
		start = time.Now()
		h = bopen(snap) // no snapshot yet: reads the whole stream
		b.Logf("start-up scan of %d messages: %v", h.Scanned().Messages, time.Since(start))
		start = time.Now()
		h.Close()
		b.Logf("index snapshot saved at close: %v", time.Since(start))
		start = time.Now()
		benchH = bopen(snap)
		b.Logf("start-up from the snapshot (%d indexed, %d read after it): %v", benchH.Len(), benchH.Scanned().Messages, time.Since(start))
	})
	if benchH == nil {
		b.Skip("fixture failed")
	}
	return benchH
}

// fill appends n messages in batches of 1,000, with 8 appends in flight.
func fill(b *testing.B, h *History, n int) {
	base := time.Now().Add(-time.Duration(n) * time.Millisecond)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for lo := 0; lo < n; lo += 1000 {
		hi := min(n, lo+1000)
		entries := make([]store.Entry, 0, hi-lo)
		for i := lo; i < hi; i++ {
			ch := fmt.Sprintf("#c%d", i%1000)
			text := vocabulary[i%len(vocabulary)] + " " + vocabulary[(i/7)%len(vocabulary)] + " message " + strconv.Itoa(i)
			entries = append(entries, store.Entry{Target: store.Channel(ch), Event: privmsg(base.Add(time.Duration(i)*time.Millisecond), ch, text)})
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := h.Append(context.Background(), entries); err != nil {
				b.Error(err)
			}
		}()
	}
	wg.Wait()
}

func BenchmarkLatest100(b *testing.B) {
	h := benchHistory(b)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		evs, err := h.Latest(ctx, store.Channel(fmt.Sprintf("#c%d", i%1000)), store.Bound{}, 100)
		if err != nil || len(evs) != min(100, benchN/1000) {
			b.Fatalf("latest: %d, %v", len(evs), err)
		}
	}
}

func BenchmarkBefore100(b *testing.B) {
	h := benchHistory(b)
	ctx := context.Background()
	mid := time.Now().Add(-time.Duration(benchN/2) * time.Millisecond)
	for i := 0; b.Loop(); i++ {
		evs, err := h.Before(ctx, store.Channel(fmt.Sprintf("#c%d", i%1000)), store.Bound{Time: mid}, 100)
		if err != nil || len(evs) != min(100, benchN/2000) {
			b.Fatalf("before: %d, %v", len(evs), err)
		}
	}
}

func BenchmarkSearch(b *testing.B) {
	h := benchHistory(b)
	ctx := context.Background()
	all := make([]store.Target, 1000)
	for i := range all {
		all[i] = store.Channel(fmt.Sprintf("#c%d", i))
	}
	for i := 0; b.Loop(); i++ {
		q := store.SearchQuery{Targets: all, Text: vocabulary[i%len(vocabulary)] + " " + vocabulary[(i+3)%len(vocabulary)], Limit: 100}
		if _, err := h.Search(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSearchOneChannel(b *testing.B) {
	h := benchHistory(b)
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		q := store.SearchQuery{Targets: []store.Target{store.Channel(fmt.Sprintf("#c%d", i%1000))}, Text: "alpha", Limit: 20}
		if _, err := h.Search(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendParallel measures one sender's append (publish and wait for the
// acknowledgement) with 16 senders per CPU sharing the waits, with a follower (clustered) and
// without (Solo). cpu-µs/op is the process's CPU time (the embedded server's included) per append:
// what the follower costs shows there more than in the wall time.
func BenchmarkAppendParallel(b *testing.B) {
	for _, solo := range []bool{false, true} {
		name := "follower"
		if solo {
			name = "solo"
		}
		b.Run(name, func(b *testing.B) {
			_, js := server(b, b.TempDir())
			h := open(b, js, Options{Solo: solo})
			b.SetParallelism(16)
			var seq atomic.Int64
			cpu := cpuTime()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					ev := privmsg(time.Now(), "#bench", "message "+strconv.FormatInt(seq.Add(1), 10))
					if err := h.Append(context.Background(), []store.Entry{{Target: store.Channel("#bench"), Event: ev}}); err != nil {
						b.Fatal(err)
					}
				}
			})
			if !solo {
				caughtUp(b, h) // the follower's work for these appends belongs to them
			}
			b.StopTimer()
			if used := cpuTime() - cpu; used > 0 {
				b.ReportMetric(float64(used.Microseconds())/float64(b.N), "cpu-µs/op")
			}
		})
	}
}
