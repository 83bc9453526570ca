package natscluster

import (
	"fmt"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/cluster/clustertest"
	"github.com/parleychat/parley/internal/model"
)

// sink collects what a bus delivers.
type sink struct {
	mu  sync.Mutex
	got []*model.Event
	at  []time.Time
}

func (s *sink) handle(_ string, ev *model.Event) {
	s.mu.Lock()
	s.got = append(s.got, ev)
	s.at = append(s.at, time.Now())
	s.mu.Unlock()
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got)
}

func sampleEvent() *model.Event {
	return &model.Event{
		Kind: model.KindPrivmsg, ID: "abc", Time: time.Unix(1700000000, 123), Node: "node0",
		Source: model.Prefix{Nick: "zoë", User: "z", Host: "h.example"}, Account: "zoe", Bot: true,
		Target: "#chan", Status: '@', Text: "hello\x01world", Params: []string{"a", ""},
		Tags:     []model.Tag{{Key: "+draft/react", Value: "👍"}},
		Channels: []string{"#chan", "#other"},
	}
}

func TestCodecRoundTrip(t *testing.T) {
	ev := sampleEvent()
	data, err := encodeEvent("node0", ev)
	if err != nil {
		t.Fatal(err)
	}
	from, got, err := decodeEvent(data)
	if err != nil || from != "node0" {
		t.Fatalf("decode: from %q, %v", from, err)
	}
	if !got.Time.Equal(ev.Time) {
		t.Fatalf("time %v, want %v", got.Time, ev.Time)
	}
	got.Time = ev.Time
	if !reflect.DeepEqual(got, ev) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, ev)
	}
	if _, _, err := decodeEvent([]byte(`{"v":2,"k":1}`)); err != errWireVersion {
		t.Fatalf("newer version: err = %v", err)
	}
}

func FuzzDecodeEvent(f *testing.F) {
	data, _ := encodeEvent("n", sampleEvent())
	f.Add(data)
	f.Add([]byte(`{"v":1,"k":4,"to":"#a","p":["x"]}`))
	f.Add([]byte(`{"v":1,"tg":[["a"]]}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, data []byte) {
		from, ev, err := decodeEvent(data)
		if err != nil {
			return
		}
		// Whatever decodes must encode and decode to the same event.
		again, err := encodeEvent(from, ev)
		if err != nil {
			t.Fatal(err)
		}
		_, ev2, err := decodeEvent(again)
		if err != nil || !reflect.DeepEqual(ev, ev2) {
			t.Fatalf("re-decode: %v\n%+v\n%+v", err, ev, ev2)
		}
	})
}

func FuzzKeys(f *testing.F) {
	for _, s := range []string{"alice", "#chan", "zoë", "a.b", "_2e", "-", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s == "" {
			return
		}
		k := encodeKey(s)
		back, err := decodeKey(k)
		if err != nil || back != s {
			t.Fatalf("%q -> %q -> %q, %v", s, k, back, err)
		}
		ch, cl, err := splitMemberKey(memberKey(s, s+"x"))
		if err != nil || ch != s || cl != s+"x" {
			t.Fatalf("member key of %q: %q %q %v", s, ch, cl, err)
		}
		if _, err := decodeKey(s); err == nil && encodeKey(mustDecode(s)) != s {
			t.Fatalf("%q decodes but is not canonical", s)
		}
	})
}

func mustDecode(s string) string { d, _ := decodeKey(s); return d }

// busPair returns the buses of two nodes of one network.
func busPair(t testing.TB) (*Bus, *Bus) {
	h := startNetwork(t, 3, cluster.LivenessOptions{})
	return h.nodes[0].cl.Bus(), h.nodes[1].cl.Bus()
}

// TestBus: interest-based delivery across nodes, one sender's order, no echo, nested interest.
func TestBus(t *testing.T) {
	a, b := busPair(t)
	var got sink
	b.SetHandler(got.handle)
	var own sink
	a.SetHandler(own.handle)
	subj := cluster.ChannelSubject("net", "#order")
	for range 2 {
		if err := b.Subscribe(subj); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Subscribe(subj); err != nil {
		t.Fatal(err)
	}
	// Subscriptions propagate to the other server asynchronously: publish until one arrives.
	clustertest.Eventually(t, 5*time.Second, "interest reaches the publisher's server", func() bool {
		_ = a.Publish(subj, &model.Event{Kind: model.KindPrivmsg, Text: "warmup"})
		return got.count() > 0
	})
	time.Sleep(50 * time.Millisecond)
	got.mu.Lock()
	got.got = nil
	got.mu.Unlock()

	const n = 2000
	for i := range n {
		if err := a.Publish(subj, &model.Event{Kind: model.KindPrivmsg, Text: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	clustertest.Eventually(t, 5*time.Second, "every message arrives", func() bool { return got.count() >= n })
	got.mu.Lock()
	for i, ev := range got.got[:n] {
		if ev.Text != fmt.Sprint(i) {
			t.Fatalf("message %d is %q: one sender's order broken", i, ev.Text)
		}
	}
	got.mu.Unlock()
	if c := own.count(); c != 0 {
		t.Fatalf("the publisher received %d of its own messages", c)
	}

	// One Unsubscribe of two keeps the interest; the second ends it.
	if err := b.Unsubscribe(subj); err != nil {
		t.Fatal(err)
	}
	if b.Subscriptions() != 1 {
		t.Fatalf("after one of two unsubscribes: %d subscriptions", b.Subscriptions())
	}
	b.Unsubscribe(subj)
	if b.Subscriptions() != 0 {
		t.Fatal("interest remains after the last unsubscribe")
	}
	before := got.count()
	time.Sleep(100 * time.Millisecond) // let the unsubscribe reach the other server
	a.Publish(subj, &model.Event{Kind: model.KindPrivmsg, Text: "late"})
	time.Sleep(200 * time.Millisecond)
	if got.count() != before {
		t.Fatal("a node without interest received a message")
	}
	if b.Dropped() != 0 {
		t.Fatalf("dropped %d", b.Dropped())
	}
	b.Close()
	if err := b.Subscribe(subj); err != ErrClosed {
		t.Fatalf("Subscribe after Close: %v", err)
	}
}

// BenchmarkBusLatency publishes at a moderate rate (one message per 200µs, about 5,000/s) from
// one node to a subscriber on another, and reports publish-to-handler latency percentiles.
func BenchmarkBusLatency(b *testing.B) {
	pa, pb := busPair(b)
	var got sink
	pb.SetHandler(got.handle)
	subj := cluster.ChannelSubject("net", "#bench")
	pb.Subscribe(subj)
	clustertest.Eventually(b, 5*time.Second, "interest propagates", func() bool {
		pa.Publish(subj, &model.Event{Kind: model.KindPrivmsg})
		return got.count() > 0
	})
	time.Sleep(50 * time.Millisecond)
	got.mu.Lock()
	got.got, got.at = nil, nil
	got.mu.Unlock()
	sent := make([]time.Time, 0, b.N)
	b.ResetTimer()
	tick := time.NewTicker(200 * time.Microsecond)
	defer tick.Stop()
	for i := 0; i < b.N; i++ {
		<-tick.C
		sent = append(sent, time.Now())
		pa.Publish(subj, &model.Event{Kind: model.KindPrivmsg, ID: fmt.Sprint(i), Text: "a line of moderate length for a chat message"})
	}
	clustertest.Eventually(b, 10*time.Second, "all delivered", func() bool { return got.count() >= b.N })
	b.StopTimer()
	got.mu.Lock()
	lat := make([]time.Duration, b.N)
	for i := range lat {
		lat[i] = got.at[i].Sub(sent[i])
	}
	got.mu.Unlock()
	reportPercentiles(b, lat)
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
	b.ReportMetric(0, "ns/op")
}

func BenchmarkCodec(b *testing.B) {
	ev := sampleEvent()
	b.ReportAllocs()
	for b.Loop() {
		data, _ := encodeEvent("node0", ev)
		decodeEvent(data)
	}
}
