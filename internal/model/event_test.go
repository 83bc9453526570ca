package model

import (
	"sync"
	"sync/atomic"
	"testing"
)

func TestEncodedOncePerKey(t *testing.T) {
	var ev Event
	var calls atomic.Int32
	var wg sync.WaitGroup
	results := make([][]byte, 64)
	for i := range results {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			key := uint64(i % 3)
			results[i] = ev.Encoded(key, func() []byte { calls.Add(1); return []byte{byte(key)} })
		}(i)
	}
	wg.Wait()
	if n := calls.Load(); n != 3 {
		t.Fatalf("encode called %d times for 3 keys", n)
	}
	for i, r := range results {
		if len(r) != 1 || r[0] != byte(i%3) {
			t.Fatalf("result %d = %v", i, r)
		}
	}
	// Every caller of one key shares one slice.
	if &results[0][0] != &results[3][0] {
		t.Fatal("same key returned different slices")
	}
}

func TestPrefixesRank(t *testing.T) {
	p := Op | Voice
	if !p.AtLeast(Halfop) || !p.AtLeast(Voice) || p.AtLeast(Admin) {
		t.Fatalf("rank checks wrong for %b", p)
	}
	if got := string(p.Symbols(nil, true)); got != "@+" {
		t.Fatalf("multi-prefix symbols = %q", got)
	}
	if got := string(p.Symbols(nil, false)); got != "@" {
		t.Fatalf("symbols = %q", got)
	}
	if Prefixes(0).AtLeast(Voice) {
		t.Fatal("no rank counts as voice")
	}
}

func BenchmarkEncodedHit(b *testing.B) {
	var ev Event
	ev.Encoded(1, func() []byte { return []byte("x") })
	ev.Encoded(2, func() []byte { return []byte("y") })
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		ev.Encoded(2, nil)
	}
}
