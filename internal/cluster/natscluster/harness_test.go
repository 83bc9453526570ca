package natscluster

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/cluster/clustertest"
	"github.com/parleychat/parley/internal/cluster/embedded"
	"github.com/parleychat/parley/internal/freeport"
	"github.com/parleychat/parley/internal/model"
)

// testNode is one parley node of a test network: an embedded server and the cluster on it.
type testNode struct {
	opt embedded.Options
	srv *embedded.Server
	nc  *nats.Conn
	cl  *Cluster
}

// netHarness is a network of embedded servers joined by routes on 127.0.0.1, each node talking
// to its own server over TCP (so a restarted server is reconnected to).
type netHarness struct {
	t         testing.TB
	live      cluster.LivenessOptions
	nodes     []*testNode
	replicas3 bool // R3 buckets although fewer nodes run here (the others run elsewhere)
}

// quiet drops nats-server's own logging: a test that stops servers makes routes complain.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// startNetwork starts n nodes with R3 buckets (R1 for a single node).
func startNetwork(t testing.TB, n int, live cluster.LivenessOptions) *netHarness {
	t.Helper()
	if testing.Short() {
		t.Skip("a JetStream cluster takes seconds to form; skipped with -short")
	}
	routes, clients := freeAddrs(t, n), freeAddrs(t, n)
	h := &netHarness{t: t, live: live}
	for i := range n {
		opt := embedded.Options{
			DataDir: t.TempDir(), ServerName: fmt.Sprintf("node%d", i), ClientListen: clients[i], Logger: quiet,
		}
		if n > 1 {
			opt.Listen, opt.Routes = routes[i], routes
		}
		h.nodes = append(h.nodes, &testNode{opt: opt})
	}
	var wg sync.WaitGroup
	for _, nd := range h.nodes {
		wg.Add(1)
		go func() { defer wg.Done(); h.startServer(nd) }()
	}
	wg.Wait()
	for i := range h.nodes {
		h.open(i)
	}
	t.Cleanup(h.stop)
	return h
}

func (h *netHarness) startServer(nd *testNode) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	srv, err := embedded.Start(ctx, nd.opt)
	if err == nil {
		err = srv.Ready(ctx)
	}
	if err != nil {
		h.t.Errorf("server %s: %v", nd.opt.ServerName, err)
		return
	}
	nd.srv = srv
}

// open connects node i to its server, opens the cluster and starts its liveness.
func (h *netHarness) open(i int) {
	nd := h.nodes[i]
	if nd.srv == nil {
		h.t.FailNow()
	}
	nc, err := nats.Connect(nd.srv.ClientURL(), nats.Name(nd.opt.ServerName), nats.NoEcho(),
		nats.ReconnectBufSize(-1), nats.IgnoreDiscoveredServers(), nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
	if err != nil {
		h.t.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		h.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	replicas := 1
	if len(h.nodes) >= 3 || h.replicas3 {
		replicas = 3
	}
	cl, err := Open(ctx, nc, js, Options{
		Node: model.NodeID(nd.opt.ServerName), Replicas: replicas, Liveness: h.live,
		Logger: slog.New(slog.NewTextHandler(h.t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		h.t.Fatal(err)
	}
	if err := cl.Liveness().Start(ctx); err != nil {
		h.t.Fatal(err)
	}
	nd.nc, nd.cl = nc, cl
}

func (h *netHarness) stop() {
	for _, nd := range h.nodes {
		if nd.cl != nil {
			nd.cl.Liveness().Stop()
			nd.cl.Bus().Close()
		}
		if nd.nc != nil {
			nd.nc.Close()
		}
		if nd.srv != nil {
			nd.srv.Shutdown()
		}
	}
}

func (h *netHarness) Dir(i int) cluster.Directory { return h.nodes[i].cl.Directory() }
func (h *netHarness) Live(i int) cluster.Liveness { return h.nodes[i].cl.Liveness() }

// Crash stops the node's heartbeats and its server, leaving every record behind.
func (h *netHarness) Crash(i int) {
	nd := h.nodes[i]
	nd.cl.Liveness().Stop()
	nd.srv.Shutdown()
	nd.nc.Close()
}

// Restart starts the server again on its data directory and ports, and a new node on it.
func (h *netHarness) Restart(i int) {
	h.startServer(h.nodes[i])
	h.open(i)
}

// Cut shuts the node's server down while the node keeps running: its connection reconnects in
// vain, so its writes fail at once (no reconnect buffer), and its peers lose a third of the
// JetStream cluster but keep a quorum.
func (h *netHarness) Cut(i int) { h.nodes[i].srv.Shutdown() }

// Heal brings the server back; the node's connection finds it again.
func (h *netHarness) Heal(i int) {
	h.startServer(h.nodes[i])
	clustertest.Eventually(h.t, 10*time.Second, "the node reconnects", h.nodes[i].nc.IsConnected)
}

// freeAddrs returns n loopback addresses for servers to bind (see freeport).
func freeAddrs(t testing.TB, n int) []string { return freeport.Addrs(t, n) }

func TestContract(t *testing.T) {
	if testing.Short() {
		t.Skip("a JetStream cluster takes seconds to form; skipped with -short")
	}
	// The tests that do not stop nodes share one network, owned by this test (a subtest's temp
	// dirs go when it ends); their keys do not collide.
	top := t
	var shared *netHarness
	clustertest.Run(t, func(t *testing.T, opt clustertest.Options) clustertest.Harness {
		if opt.Liveness != (cluster.LivenessOptions{}) {
			return startNetwork(t, 3, opt.Liveness)
		}
		if shared == nil {
			began := time.Now()
			shared = startNetwork(top, 3, cluster.LivenessOptions{})
			t.Logf("3-node JetStream cluster up in %v", time.Since(began).Round(time.Millisecond))
		}
		return shared
	})
}
