package jsstore

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/cluster/embedded"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/storetest"
)

// node is a store on its own embedded server; closing it stops the server too, so reopening
// the directory is a restart.
type node struct {
	*Store
	srv *embedded.Server
	nc  *nats.Conn
}

func (n *node) Close() error {
	err := n.Store.Close()
	n.nc.Close()
	n.srv.Shutdown()
	return err
}

func openNode(t testing.TB, dir string, syncAlways bool) *node {
	t.Helper()
	n, err := startNode(dir, syncAlways)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

func startNode(dir string, syncAlways bool) (*node, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv, err := embedded.Start(ctx, embedded.Options{DataDir: dir, SyncAlways: syncAlways})
	if err != nil {
		return nil, err
	}
	nc, err := srv.Connect("jsstore-test")
	if err != nil {
		srv.Shutdown()
		return nil, err
	}
	n := &node{srv: srv, nc: nc}
	js, err := jetstream.New(nc)
	if err == nil {
		n.Store, err = Open(ctx, js, Options{Fold: storetest.Fold})
	}
	if err != nil {
		nc.Close()
		srv.Shutdown()
		return nil, err
	}
	return n, nil
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openNode(t, t.TempDir(), false) })
}

func TestPersistence(t *testing.T) {
	storetest.RunPersistence(t, func(t *testing.T, dir string) store.Store { return openNode(t, dir, false) })
}

// TestOpenIdempotent opens the store twice on one server, as a restarted node or a second node
// on a shared NATS does; the second Open must bind to the buckets the first created.
func TestOpenIdempotent(t *testing.T) {
	n := openNode(t, t.TempDir(), false)
	ctx := context.Background()
	if err := n.CreateAccount(ctx, store.Account{Name: "kept"}); err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(n.nc)
	again, err := Open(ctx, js, Options{Fold: storetest.Fold})
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	defer again.Close()
	if _, err := again.Account(ctx, "KEPT"); err != nil {
		t.Errorf("second store does not see the first's account: %v", err)
	}
	if _, err := Open(ctx, js, Options{}); err == nil {
		t.Error("Open without a fold function succeeded")
	}
}

// TestNewerRecordRefused stores a record as a newer parley would, and checks it is refused
// rather than misread.
func TestNewerRecordRefused(t *testing.T) {
	n := openNode(t, t.TempDir(), false)
	ctx := context.Background()
	if _, err := n.accounts.Put(ctx, encodeKey("future"), []byte(`{"v":2,"name":"future"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Account(ctx, "future"); err == nil {
		t.Error("a version 2 record was read")
	}
}
