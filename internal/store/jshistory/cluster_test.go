package jshistory

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/cluster/embedded"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/storetest"
)

// cluster starts n clustered embedded servers (JetStream replicated across them) and waits for
// their meta leader.
func cluster(t *testing.T, n int) []*embedded.Server {
	t.Helper()
	if testing.Short() {
		t.Skip("a clustered JetStream takes seconds to form")
	}
	addrs := routeAddrs(t, n)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var servers []*embedded.Server
	for i, addr := range addrs {
		s, err := embedded.Start(ctx, embedded.Options{DataDir: t.TempDir(), ServerName: fmt.Sprintf("s%d", i+1),
			Listen: addr, Routes: addrs, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Shutdown)
		servers = append(servers, s)
	}
	for _, s := range servers {
		if err := s.Ready(ctx); err != nil {
			t.Fatalf("%s: %v", s.Name(), err)
		}
	}
	return servers
}

// routeAddrs returns n loopback addresses free a moment ago, on ports below the range the
// system hands out for outgoing connections: a released ephemeral port can be taken by the
// first servers' route connections before the last server listens on it.
func routeAddrs(t *testing.T, n int) []string {
	t.Helper()
	var addrs []string
	for port := 20000 + rand.IntN(10000); len(addrs) < n && port < 32000; port++ {
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		if l, err := net.Listen("tcp", addr); err == nil {
			l.Close()
			addrs = append(addrs, addr)
		}
	}
	if len(addrs) < n {
		t.Fatal("no free ports below 32000")
	}
	return addrs
}

// openClustered opens a History on a three-replica stream, trying again while the young cluster
// does not yet see every peer online.
func openClustered(t *testing.T, js jetstream.JetStream) *History {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		h, err := Open(t.Context(), js, Options{Network: "Test Net", Fold: storetest.Fold, Logger: quiet, Replicas: 3})
		if err == nil {
			t.Cleanup(func() { h.Close() })
			return h
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestFollowerAcrossPeerLoss: in a cluster of three, each History's follower sits on its own
// server, so the loss of a third server does not hold it up: what one node stores while a peer
// is down reaches the other node at once.
func TestFollowerAcrossPeerLoss(t *testing.T) {
	servers := cluster(t, 3)
	a := openClustered(t, peer(t, servers[0], "a"))
	b := openClustered(t, peer(t, servers[1], "b"))
	// The stream is empty: no start-up scan made a consumer, every consumer is a follower's.
	// The followers start in the background: wait for both.
	checkFor(t, 10*time.Second, func() error {
		// Short requests: a young cluster may leave one unanswered for a while.
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		placed := map[string]int{}
		names := b.stream.ConsumerNames(ctx)
		for name := range names.Name() {
			if c, err := b.stream.Consumer(ctx, name); err == nil && c.CachedInfo().Cluster != nil {
				placed[c.CachedInfo().Cluster.Leader]++
			}
		}
		if names.Err() != nil {
			return fmt.Errorf("listing consumers: %w", names.Err())
		}
		if placed["s1"] != 1 || placed["s2"] != 1 || len(placed) != 2 {
			return fmt.Errorf("followers' consumers are on %v, want one on s1 and one on s2", placed)
		}
		return nil
	})
	now := time.Now()
	appendTexts(t, a, "#a", now, "before")
	caughtUp(t, b)
	servers[2].Shutdown()
	start := time.Now()
	appendTexts(t, a, "#a", now.Add(time.Second), "while s3 is down")
	caughtUp(t, b)
	if got := latestTexts(t, b, store.Channel("#a")); !equal(got, []string{"before", "while s3 is down"}) {
		t.Errorf("b: %q", got)
	}
	if lag := time.Since(start); lag > time.Second {
		t.Errorf("b took %v to see a message stored while a peer was down", lag)
	}
}
