package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/freeport"
)

func startT(t testing.TB, opt Options) *Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	}
	s, err := Start(ctx, opt)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(s.Shutdown)
	return s
}

// kvT opens (creating if needed) bucket "test" through an in-process connection.
func kvT(t *testing.T, s *Server, replicas int) jetstream.KeyValue {
	t.Helper()
	nc, err := s.Connect("test")
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	// A new cluster elects its meta leader before every peer is known to it, and placing three
	// replicas needs all three, so retry for a while.
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		kv, err := js.CreateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket: "test", Storage: jetstream.FileStorage, Replicas: replicas,
		})
		if errors.Is(err, jetstream.ErrBucketExists) {
			kv, err = js.KeyValue(ctx, "test")
		}
		cancel()
		if err == nil {
			return kv
		}
		if time.Now().After(deadline) {
			t.Fatalf("bucket: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestStartStop(t *testing.T) {
	dir := t.TempDir()
	begin := time.Now()
	s := startT(t, Options{DataDir: dir, ServerName: "n1"})
	t.Logf("start on an empty data dir took %v", time.Since(begin))
	if u := s.ClientURL(); u != "" {
		t.Errorf("single node ClientURL = %q, want no client port", u)
	}
	if a := s.RouteAddr(); a != "" {
		t.Errorf("single node RouteAddr = %q, want none", a)
	}
	if err := s.Ready(context.Background()); err != nil {
		t.Fatal(err)
	}
	kv := kvT(t, s, 1)
	if _, err := kv.Put(context.Background(), "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "nats", "jetstream")); err != nil {
		t.Errorf("JetStream did not store under <data_dir>/nats: %v", err)
	}
	s.Shutdown()
	s.Shutdown() // safe twice
}

func TestRestartKeepsData(t *testing.T) {
	dir := t.TempDir()
	s := startT(t, Options{DataDir: dir})
	if _, err := kvT(t, s, 1).Put(context.Background(), "alice", []byte("1")); err != nil {
		t.Fatal(err)
	}
	s.Shutdown()

	s = startT(t, Options{DataDir: dir})
	e, err := kvT(t, s, 1).Get(context.Background(), "alice")
	if err != nil {
		t.Fatalf("after restart: %v", err)
	}
	if string(e.Value()) != "1" {
		t.Errorf("after restart value = %q", e.Value())
	}
}

func TestSideBySide(t *testing.T) {
	a := startT(t, Options{DataDir: t.TempDir(), ServerName: "a"})
	b := startT(t, Options{DataDir: t.TempDir(), ServerName: "b"})
	ctx := context.Background()
	if _, err := kvT(t, a, 1).Put(ctx, "k", []byte("a")); err != nil {
		t.Fatal(err)
	}
	if _, err := kvT(t, b, 1).Get(ctx, "k"); !errors.Is(err, jetstream.ErrKeyNotFound) {
		t.Errorf("server b sees server a's key: err = %v", err)
	}
}

func TestSameDirRefused(t *testing.T) {
	dir := t.TempDir()
	startT(t, Options{DataDir: dir})
	_, err := Start(context.Background(), Options{DataDir: dir})
	if err == nil || !strings.Contains(err.Error(), dir) || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("second Start on one data dir: err = %v, want a lock error naming %s", err, dir)
	}
}

func TestUnusableDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Start(context.Background(), Options{DataDir: file})
	if err == nil || !strings.Contains(err.Error(), "data_dir "+file) {
		t.Fatalf("Start on a file: err = %v, want an error naming data_dir", err)
	}
}

func TestBadOptions(t *testing.T) {
	for _, opt := range []Options{
		{},
		{DataDir: "x", Listen: "nocolon"},
		{DataDir: "x", Listen: "127.0.0.1:99999"},
		{DataDir: "x", Routes: []string{"127.0.0.1:1"}},
		{DataDir: "x", ClientListen: "127.0.0.1:x"},
	} {
		if _, err := serverOptions(opt); err == nil {
			t.Errorf("serverOptions(%+v) accepted", opt)
		}
	}
}

func TestClientListen(t *testing.T) {
	s := startT(t, Options{DataDir: t.TempDir(), ClientListen: "127.0.0.1:0"})
	u := s.ClientURL()
	if !strings.HasPrefix(u, "nats://127.0.0.1:") {
		t.Fatalf("ClientURL = %q", u)
	}
	nc, err := nats.Connect(u)
	if err != nil {
		t.Fatalf("TCP connect: %v", err)
	}
	nc.Close()
}

func TestCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("3-node cluster takes seconds; skipped with -short")
	}
	// Every node lists every route address, its own included (nats-server skips itself), the way
	// an operator configures one list for the whole cluster.
	addrs := freeAddrs(t, 3)
	var nodes []*Server
	for i, addr := range addrs {
		nodes = append(nodes, startT(t, Options{
			DataDir: t.TempDir(), ServerName: fmt.Sprintf("n%d", i+1),
			Listen: addr, Routes: addrs,
		}))
	}
	begin := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	for _, n := range nodes {
		if err := n.Ready(ctx); err != nil {
			t.Fatalf("%s: no meta leader: %v", n.Name(), err)
		}
	}
	t.Logf("meta leader %s elected after %v", nodes[0].MetaLeader(), time.Since(begin))

	kv := kvT(t, nodes[2], 3)
	if _, err := kv.Put(ctx, "k", []byte("v")); err != nil {
		t.Fatalf("R3 put: %v", err)
	}
	e, err := kvT(t, nodes[0], 3).Get(ctx, "k")
	if err != nil || string(e.Value()) != "v" {
		t.Fatalf("R3 get from another node: %v", err)
	}
}

// freeAddrs returns n loopback addresses for servers to bind (see freeport).
func freeAddrs(t *testing.T, n int) []string { return freeport.Addrs(t, n) }

func BenchmarkStart(b *testing.B) {
	for b.Loop() {
		s, err := Start(context.Background(), Options{DataDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		s.Shutdown()
	}
}
