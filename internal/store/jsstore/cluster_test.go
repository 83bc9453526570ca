package jsstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/cluster/embedded"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/storetest"

	"github.com/parleychat/parley/internal/freeport"
)

// startCluster starts three embedded servers routed on 127.0.0.1 and opens an R3 store on each,
// all at once, as three nodes booting together do.
func startCluster(t *testing.T) []*Store {
	addrs := freeport.Addrs(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	stores := make([]*Store, 3)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i := range 3 {
		srv, err := embedded.Start(ctx, embedded.Options{
			DataDir: t.TempDir(), ServerName: fmt.Sprint("n", i), Listen: addrs[i], Routes: addrs,
			Logger: slog.New(slog.NewTextHandler(t.Output(), nil)),
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Shutdown)
		wg.Go(func() { stores[i], errs[i] = openR3(ctx, t, srv) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	return stores
}

// openR3 opens the store once the cluster can place three replicas, retrying while it cannot.
func openR3(ctx context.Context, t *testing.T, srv *embedded.Server) (*Store, error) {
	if err := srv.Ready(ctx); err != nil {
		return nil, err
	}
	nc, err := srv.Connect("jsstore-cluster-test")
	if err != nil {
		return nil, err
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	for {
		s, err := Open(ctx, js, Options{Replicas: 3, Fold: storetest.Fold})
		if err == nil || ctx.Err() != nil {
			return s, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestCluster races nodes for one account name, checks revision conflicts on replicated buckets
// (which JetStream reports with a different error code than single-replica ones), and checks
// that a ban added on one node reaches a watcher on another.
func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("3-node cluster takes seconds; skipped with -short")
	}
	nodes := startCluster(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	var wg sync.WaitGroup
	errs := make([]error, 12)
	for i := range errs {
		wg.Go(func() { errs[i] = nodes[i%3].CreateAccount(ctx, store.Account{Name: "Racer"}) })
	}
	wg.Wait()
	winners := 0
	for _, err := range errs {
		if err == nil {
			winners++
		} else if !errors.Is(err, store.ErrExists) {
			t.Errorf("losing create on a cluster: %v", err)
		}
	}
	if winners != 1 {
		t.Fatalf("%d creates won across the cluster, want 1", winners)
	}

	a, err := nodes[0].Account(ctx, "racer")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nodes[1].UpdateAccount(ctx, a); err != nil {
		t.Fatalf("update on node 1: %v", err)
	}
	if _, err := nodes[2].UpdateAccount(ctx, a); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale update on node 2: err = %v, want ErrConflict", err)
	}
	c := storeChannel("#c")
	if err := nodes[0].RegisterChannel(ctx, c); err != nil {
		t.Fatal(err)
	}
	// Other nodes learn registrations through their watch of the bucket, a moment later.
	var reg store.ChannelReg
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if reg, err = nodes[1].Channel(ctx, "#c"); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatalf("registration never reached node 1: %v", err)
	}
	if _, err := nodes[1].UpdateChannel(ctx, reg); err != nil {
		t.Fatal(err)
	}
	if _, err := nodes[2].UpdateChannel(ctx, reg); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("stale channel update: err = %v, want ErrConflict", err)
	}

	events, err := nodes[2].WatchBans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := nodes[0].AddBan(ctx, store.Ban{Kind: store.BanIP, Pattern: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case ev := <-events:
		if ev.Op != store.BanAdded || ev.Ban.ID != b.ID {
			t.Fatalf("event = %+v", ev)
		}
	case <-ctx.Done():
		t.Fatal("ban added on node 0 never reached node 2's watch")
	}
}

func storeChannel(name string) store.ChannelReg {
	return store.ChannelReg{Name: name, Founder: "racer", Created: time.Now()}
}
