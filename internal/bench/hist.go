package bench

import (
	"math"
	"math/bits"
	"sync/atomic"
)

// The histogram is log-linear, in the manner of HdrHistogram: values below
// subCount get one bucket each, and every power of two above that is split
// into subCount linear sub-buckets. With subCount = 64 a reported value is
// within 1/64 (about 1.6%) of the true one, which is finer than the noise of
// a load test, and the whole table stays a few tens of kilobytes.
const (
	subBits  = 6
	subCount = 1 << subBits
	// maxValue bounds what is tracked precisely: 2^40 ns is about 18 minutes,
	// longer than any run may last. Larger values fall into the top bucket.
	maxValue = 1<<40 - 1
	nBuckets = subCount + (40-subBits)*subCount
)

// Histogram counts non-negative int64 values (latencies in nanoseconds).
// Record, Merge and every accessor are safe for concurrent use; readers see a
// consistent-enough view for progress lines and an exact one once recording
// has stopped.
type Histogram struct {
	counts [nBuckets]atomic.Uint64
	total  atomic.Uint64
	sum    atomic.Uint64
	max    atomic.Int64
	min    atomic.Int64
}

// NewHistogram returns an empty histogram. It is safe to call from any goroutine.
func NewHistogram() *Histogram {
	h := &Histogram{}
	h.min.Store(math.MaxInt64)
	return h
}

// bucketOf maps a value to its bucket index.
func bucketOf(v int64) int {
	if v < subCount {
		return int(v)
	}
	// shift makes v>>shift land in [subCount, 2*subCount).
	shift := bits.Len64(uint64(v)) - subBits - 1
	return subCount + shift*subCount + int(v>>shift) - subCount
}

// bucketHigh is the largest value that maps to bucket i.
func bucketHigh(i int) int64 {
	if i < subCount {
		return int64(i)
	}
	shift := (i - subCount) / subCount
	sub := int64((i-subCount)%subCount + subCount)
	return (sub+1)<<shift - 1
}

// Record adds one value; negative values count as zero. It is safe for
// concurrent use.
func (h *Histogram) Record(v int64) {
	if v < 0 {
		v = 0
	}
	if v > maxValue {
		v = maxValue
	}
	h.counts[bucketOf(v)].Add(1)
	h.total.Add(1)
	h.sum.Add(uint64(v))
	for cur := h.max.Load(); v > cur; cur = h.max.Load() {
		if h.max.CompareAndSwap(cur, v) {
			break
		}
	}
	for cur := h.min.Load(); v < cur; cur = h.min.Load() {
		if h.min.CompareAndSwap(cur, v) {
			break
		}
	}
}

// Merge adds every count of o into h. It is safe for concurrent use, though
// values recorded into o while merging may or may not be included.
func (h *Histogram) Merge(o *Histogram) {
	for i := range o.counts {
		if n := o.counts[i].Load(); n != 0 {
			h.counts[i].Add(n)
		}
	}
	h.total.Add(o.total.Load())
	h.sum.Add(o.sum.Load())
	if o.total.Load() == 0 {
		return
	}
	if m := o.max.Load(); m > h.max.Load() {
		h.max.Store(m)
	}
	if m := o.min.Load(); m < h.min.Load() {
		h.min.Store(m)
	}
}

// Count returns the number of recorded values. Safe for concurrent use.
func (h *Histogram) Count() uint64 { return h.total.Load() }

// Max returns the largest recorded value, or 0 when empty. Safe for concurrent use.
func (h *Histogram) Max() int64 { return h.max.Load() }

// Min returns the smallest recorded value, or 0 when empty. Safe for concurrent use.
func (h *Histogram) Min() int64 {
	if h.total.Load() == 0 {
		return 0
	}
	return h.min.Load()
}

// Mean returns the arithmetic mean, or 0 when empty. Safe for concurrent use.
func (h *Histogram) Mean() float64 {
	n := h.total.Load()
	if n == 0 {
		return 0
	}
	return float64(h.sum.Load()) / float64(n)
}

// Quantile returns the value at quantile q (0 < q <= 1): the highest value
// equivalent to the bucket holding the ceil(q*count)-th smallest recording,
// never more than Max. It returns 0 when empty. Safe for concurrent use.
func (h *Histogram) Quantile(q float64) int64 {
	n := h.total.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(n)))
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			return min(bucketHigh(i), h.Max())
		}
	}
	return h.Max()
}
