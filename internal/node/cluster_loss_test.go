package node_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/testkit"
)

// Guarantee 4 of issue 6 (in process): a node that goes away takes its clients off the network.
// The others' users see them QUIT with a reason, their nicks are free, no ghost remains in NAMES.
func TestClusterNodeLeaves(t *testing.T) {
	nodes := startNetwork(t)
	alice := connectTo(t, nodes[0], "alice")
	alice.Join("#loss")
	waitMember(t, nodes, "#loss", "alice", true)
	gone := connectTo(t, nodes[2], "gone")
	gone.Join("#loss")
	expectFrom(t, alice, "gone", "JOIN")
	waitMember(t, nodes, "#loss", "gone", true)

	start := time.Now()
	testkit.StopNode(nodes[2])
	m := expectFrom(t, alice, "gone", "QUIT")
	if m.Param(0) == "" {
		t.Fatalf("QUIT without a reason: %s", m.String())
	}
	t.Logf("QUIT %q after %v", m.Param(0), time.Since(start))
	live := nodes[:2]
	waitUser(t, live, "gone", false)
	waitMember(t, live, "#loss", "gone", false)
	again := connectTo(t, nodes[1], "gone") // the nick is free
	again.Join("#loss")
	waitMember(t, live, "#loss", "gone", true)
	alice.Send("NAMES #loss")
	names := alice.Expect("353")
	if strings.Count(names.Param(3), "gone") != 1 {
		t.Fatalf("NAMES #loss on A: %q", names.Param(3))
	}
}

// Guarantee 4 of issue 6, the node's NATS server failing under it: its peers stop hearing its
// heartbeat, declare it lost within node_timeout, and their users see its clients QUIT with the
// reason "Node lost"; the cut-off node refuses new registrations.
func TestClusterNodeLost(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-node test")
	}
	cfgs := testkit.ClusterConfigs(t, 3)
	nodes := testkit.StartClusterConfigs(t, cfgs)
	alice := connectTo(t, nodes[0], "alice")
	alice.Join("#loss")
	victim := connectTo(t, nodes[2], "victim")
	waitMember(t, nodes, "#loss", "alice", true)
	victim.Join("#loss")
	waitMember(t, nodes, "#loss", "victim", true)

	start := time.Now()
	nodes[2].StopNATS() // its embedded NATS server stops: no heartbeat, no directory
	m := expectFrom(t, alice, "victim", "QUIT")
	took := time.Since(start)
	if !strings.Contains(m.Param(0), "Node lost") {
		t.Fatalf("QUIT reason %q", m.Param(0))
	}
	if limit := cfgs[2].Cluster.NodeTimeout.Duration() + 3*time.Second; took > limit {
		t.Fatalf("QUIT after %v, want within %v", took, limit)
	}
	t.Logf("victim's QUIT %q after %v (node_timeout %v)", m.Param(0), took, cfgs[2].Cluster.NodeTimeout.Duration())
	waitUser(t, nodes[:2], "victim", false)
	waitMember(t, nodes[:2], "#loss", "victim", false)
	// The nick is free once the survivors' cleanup removed the lost node's records (it waits for
	// JetStream to move the lost server's stream leaders).
	testkit.CheckFor(t, 30*time.Second, 100*time.Millisecond, func() error {
		c := testkit.Dial(t, testkit.IRCAddr(nodes[1]))
		c.Send("NICK victim")
		c.Send("USER victim 0 * :again")
		m, err := readUntil(c, "001", "433")
		if err == nil && m.Command != "001" {
			c.Conn.Close()
			err = fmt.Errorf("nick still taken")
		}
		return err
	})

	// The cut-off node refuses new registrations instead of inventing state.
	c := testkit.Dial(t, testkit.IRCAddr(nodes[2]))
	c.Send("NICK late")
	c.Send("USER late 0 * :late")
	if m, err := readUntil(c, "001", "FAIL"); err != nil || m.Command != "FAIL" {
		t.Fatalf("registration on the cut-off node: %v %v", m.Command, err)
	}

}
