package natscluster

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/cluster/clustertest"
	"github.com/parleychat/parley/internal/model"
)

// The directory benchmarks run on a 3-node cluster with R3 buckets: each write is one request
// to the bucket's stream leader, which answers once a majority has stored it. They report the
// latency a NICK (ClaimNick) or a JOIN (AddMember) waits for, one request at a time.

func benchWrites(b *testing.B, write func(ctx context.Context, d *Directory, i int) error) {
	h := startNetwork(b, 3, cluster.LivenessOptions{})
	d := h.nodes[1].cl.Directory()
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := write(ctx, d, i); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	reportPercentiles(b, lat)
}

func BenchmarkClaimNick(b *testing.B) {
	benchWrites(b, func(ctx context.Context, d *Directory, i int) error {
		return d.ClaimNick(ctx, fmt.Sprintf("bench%d", i), cluster.Owner{Client: "c", Node: "node1", Incarnation: 1})
	})
}

func BenchmarkAddMember(b *testing.B) {
	benchWrites(b, func(ctx context.Context, d *Directory, i int) error {
		return d.AddMember(ctx, &cluster.MemberRecord{Channel: "#bench", Client: model.ClientID(fmt.Sprint("c", i)), Node: "node1", Incarnation: 1})
	})
}

// BenchmarkWatchPropagation measures the time from a write returning on one node to the change
// arriving in another node's watch: how stale a replica is.
func BenchmarkWatchPropagation(b *testing.B) {
	h := startNetwork(b, 3, cluster.LivenessOptions{})
	writer := h.nodes[0].cl.Directory()
	var mu sync.Mutex
	arrived := map[string]time.Time{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan struct{})
	err := h.nodes[2].cl.Directory().Watch(ctx, func(c cluster.Change) {
		if c.Kind == cluster.ChangeSnapshot {
			close(ready)
			return
		}
		if c.Kind == cluster.ChangeUser && !c.Deleted {
			mu.Lock()
			arrived[string(c.User.ID)] = time.Now()
			mu.Unlock()
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	<-ready
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := fmt.Sprint("u", i)
		if err := writer.PutUser(ctx, cluster.UserRecord{ID: model.ClientID(id), Nick: "n"}); err != nil {
			b.Fatal(err)
		}
		done := time.Now()
		var at time.Time
		clustertest.Eventually(b, 5*time.Second, "the change arrives", func() bool {
			mu.Lock()
			defer mu.Unlock()
			at = arrived[id]
			return !at.IsZero()
		})
		lat = append(lat, max(at.Sub(done), 0))
	}
	b.StopTimer()
	reportPercentiles(b, lat)
}
