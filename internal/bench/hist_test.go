package bench

import (
	"math"
	"sync"
	"testing"
)

func TestHistogramPercentilesUniform(t *testing.T) {
	h := NewHistogram()
	for v := int64(1); v <= 100000; v++ {
		h.Record(v)
	}
	for _, tc := range []struct {
		q    float64
		want int64
	}{{0.5, 50000}, {0.9, 90000}, {0.99, 99000}, {0.999, 99900}, {1, 100000}} {
		got := h.Quantile(tc.q)
		// A bucket's highest value is at most 1/64 above any value in it.
		if got < tc.want || float64(got) > float64(tc.want)*(1+1.0/subCount) {
			t.Errorf("Quantile(%v) = %d, want %d within +%.1f%%", tc.q, got, tc.want, 100.0/subCount)
		}
	}
	if h.Count() != 100000 || h.Max() != 100000 || h.Min() != 1 {
		t.Errorf("count %d max %d min %d", h.Count(), h.Max(), h.Min())
	}
	if m := h.Mean(); math.Abs(m-50000.5) > 1e-6 {
		t.Errorf("mean %v, want 50000.5", m)
	}
}

func TestHistogramSmallValuesExact(t *testing.T) {
	h := NewHistogram()
	for v := int64(0); v < subCount; v++ {
		h.Record(v)
	}
	// 64 values 0..63: the 32nd smallest is 31, the 64th is 63.
	if got := h.Quantile(0.5); got != 31 {
		t.Errorf("p50 = %d, want 31", got)
	}
	if got := h.Quantile(0.99); got != 63 {
		t.Errorf("p99 = %d, want 63", got)
	}
}

func TestHistogramSkewed(t *testing.T) {
	// 990 fast values and 10 slow ones: p99 is still fast, p99.9 is slow.
	h := NewHistogram()
	for range 990 {
		h.Record(1_000_000) // 1 ms
	}
	for range 10 {
		h.Record(250_000_000) // 250 ms
	}
	if p := h.Quantile(0.99); p < 1_000_000 || p > 1_016_000 {
		t.Errorf("p99 = %d, want about 1ms", p)
	}
	if p := h.Quantile(0.999); p != 250_000_000 {
		t.Errorf("p99.9 = %d, want 250ms (capped at max)", p)
	}
}

func TestHistogramEmptyAndClamp(t *testing.T) {
	h := NewHistogram()
	if h.Quantile(0.5) != 0 || h.Min() != 0 || h.Max() != 0 || h.Mean() != 0 {
		t.Error("empty histogram must report zeros")
	}
	h.Record(-5)
	h.Record(math.MaxInt64)
	if h.Min() != 0 || h.Max() != maxValue {
		t.Errorf("min %d max %d, want 0 and %d", h.Min(), h.Max(), int64(maxValue))
	}
}

func TestBucketBounds(t *testing.T) {
	for v := int64(0); v < 1<<20; v += 1 + v/97 {
		i := bucketOf(v)
		if hi := bucketHigh(i); hi < v {
			t.Fatalf("bucketHigh(bucketOf(%d)) = %d < v", v, hi)
		}
		if i > 0 && bucketHigh(i-1) >= v {
			t.Fatalf("value %d also fits bucket %d", v, i-1)
		}
	}
	if i := bucketOf(maxValue); i != nBuckets-1 {
		t.Errorf("bucketOf(max) = %d, want %d", i, nBuckets-1)
	}
}

func TestHistogramConcurrentMerge(t *testing.T) {
	a, b := NewHistogram(), NewHistogram()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for v := range int64(1000) {
				if g%2 == 0 {
					a.Record(v)
				} else {
					b.Record(v + 1000)
				}
			}
		})
	}
	wg.Wait()
	m := NewHistogram()
	m.Merge(a)
	m.Merge(b)
	if m.Count() != 4000 || m.Min() != 0 || m.Max() != 1999 {
		t.Errorf("merged count %d min %d max %d", m.Count(), m.Min(), m.Max())
	}
	if p := m.Quantile(0.5); p < 999 || p > 1015 {
		t.Errorf("merged p50 = %d, want about 999", p)
	}
}
