package testkit

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/node"
)

// ClusterConfigs returns the configurations of an n-node network on 127.0.0.1: each node is
// named node-1 ... node-n, has its own data directory and an embedded NATS whose route listener is
// on a port that was free a moment ago, with routes to every other node. node_timeout is 3s.
func ClusterConfigs(t testing.TB, n int) []*config.Config {
	t.Helper()
	routes := make([]string, n)
	for i := range routes {
		routes[i] = FreeAddr(t)
	}
	cfgs := make([]*config.Config, n)
	name := ClusterName()
	for i := range cfgs {
		cfg := Config(t)
		cfg.Cluster.Node = fmt.Sprintf("node-%d", i+1)
		cfg.Cluster.Name = name
		cfg.Cluster.Listen = routes[i]
		cfg.Cluster.NodeTimeout = config.Duration(3 * time.Second)
		for j, r := range routes {
			if j != i {
				cfg.Cluster.Routes = append(cfg.Cluster.Routes, r)
			}
		}
		cfgs[i] = cfg
	}
	return cfgs
}

var clusterSeq atomic.Uint64

// ClusterName returns a NATS cluster name no other network of this test binary uses (nor of
// another test process): a route port picked for one test can still be served for a moment by a
// server of the test before, and servers of the same name would merge into one cluster whose
// JetStream counts the departed peers.
func ClusterName() string {
	return fmt.Sprintf("test-%d-%d", os.Getpid(), clusterSeq.Add(1))
}

// StartCluster starts n in-process nodes forming one network (ClusterConfigs) and returns them once
// every one is ready; they shut down when the test ends.
func StartCluster(t testing.TB, n int) []*node.Node {
	t.Helper()
	return StartClusterConfigs(t, ClusterConfigs(t, n))
}

// StartClusterConfigs starts one node per configuration, all at once (an embedded NATS cluster
// needs a quorum of its peers before JetStream answers), and returns them once every one is
// ready; they shut down when the test ends.
func StartClusterConfigs(t testing.TB, cfgs []*config.Config) []*node.Node {
	t.Helper()
	nodes := make([]*node.Node, len(cfgs))
	errs := make([]error, len(cfgs))
	var wg sync.WaitGroup
	for i, cfg := range cfgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nodes[i], errs[i] = newNode(cfg)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			for _, n := range nodes {
				if n != nil {
					stopNode(n)
				}
			}
			t.Fatalf("node %d: %v", i+1, err)
		}
	}
	for _, n := range nodes {
		t.Cleanup(func() { stopNode(n) })
	}
	return nodes
}
