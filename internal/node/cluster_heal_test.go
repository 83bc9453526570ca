package node_test

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/testkit"
)

// Guarantee 5 of issue 6 with real processes: one of three nodes is cut off (SIGSTOP: it neither
// sends nor answers, on its routes as on its heartbeat) and comes back (SIGCONT). The majority
// keeps serving and frees the cut node's nicks; when the network heals, the cut node learns it was
// declared lost and drops its stale clients, a registration queued while it was cut does not
// steal a nick taken meanwhile, and the network is one again with no duplicate nick. (That a cut
// node refuses registrations while it runs cut off is TestClusterNodeLost, in process.)
func TestClusterPartitionHeals(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-node test with real processes")
	}
	pc := startProcCluster(t, 3)
	alice := pc.connect(0, "alice")
	alice.Join("#p")
	stale := pc.connect(2, "stale")
	stale.Join("#p")
	expectFrom(t, alice, "stale", "JOIN")

	pc.signal(2, syscall.SIGSTOP)
	cutAt := time.Now()
	t.Cleanup(func() {
		if pc.nodes[2].cmd != nil {
			pc.nodes[2].cmd.Process.Signal(syscall.SIGCONT)
		}
	})
	alice.Timeout = procNodeTimeout + 9*time.Second
	if m := expectFrom(t, alice, "stale", "QUIT"); !strings.Contains(m.Param(0), "Node lost") {
		t.Fatalf("QUIT reason %q", m.Param(0))
	}
	alice.Timeout = 5 * time.Second
	t.Logf("majority saw the cut node's client QUIT %v after the cut", time.Since(cutAt))
	// The majority serves: the nick is free and taken on node 2.
	var owner *testkit.Client
	testkit.CheckFor(t, 20*time.Second, 200*time.Millisecond, func() error {
		c := testkit.Dial(t, pc.nodes[1].irc)
		c.Send("NICK stale")
		c.Send("USER stale 0 * :majority")
		m, err := readUntil(c, "001", "433", "FAIL")
		if err == nil && m.Command != "001" {
			c.Conn.Close()
			return fmt.Errorf("stale still taken: %s", m.String())
		}
		owner = c
		return err
	})
	owner.Nick = "stale"
	owner.Join("#p")
	expectFrom(t, alice, "stale", "JOIN")
	// A client of the cut node registers for the same nick; the kernel accepts the connection
	// and keeps its lines until the process runs again.
	queued := testkit.Dial(t, pc.nodes[2].irc)
	queued.Send("NICK stale")
	queued.Send("USER queued 0 * :queued")

	pc.signal(2, syscall.SIGCONT)
	healAt := time.Now()
	stale.Timeout = 20 * time.Second
	if err := expectGone(stale); err != nil {
		t.Fatalf("stale client of the healed node: %v", err)
	}
	t.Logf("healed node dropped its stale client %v after SIGCONT", time.Since(healAt))
	queued.Timeout = 20 * time.Second
	if m, err := readUntil(queued, "001", "433", "FAIL", "ERROR"); err == nil && m.Command == "001" {
		t.Fatalf("the healed node registered a second stale: %s", m.String())
	}

	// One network again: a new client of the healed node sees the majority's state.
	testkit.CheckFor(t, 30*time.Second, 200*time.Millisecond, func() error {
		return tryRegister(pc.nodes[2].irc, "probe3b", true)
	})
	late := pc.connect(2, "late")
	late.Join("#p")
	expectFrom(t, alice, "late", "JOIN")
	expectFrom(t, owner, "late", "JOIN")
	testkit.CheckFor(t, clusterWait, 50*time.Millisecond, func() error {
		names := namesOf(late, "#p")
		if strings.Count(" "+names+" ", " stale ") != 1 || !strings.Contains(names, "alice") {
			return fmt.Errorf("NAMES #p on the healed node: %q", names)
		}
		return nil
	})
	// WHO reads each node's replica, which the directory's watches bring up to date after the
	// heal (a watch served by the healed node's server can stall while JetStream re-elects).
	for _, c := range []*testkit.Client{alice, late} {
		testkit.CheckFor(t, clusterWait, 200*time.Millisecond, func() error {
			if who := whoNicks(c, "stale"); len(who) != 1 {
				return fmt.Errorf("WHO stale from %s: %v", c.Nick, who)
			}
			return nil
		})
	}
	late.Send("PRIVMSG stale :hello across the healed network")
	if m := expectFrom(t, owner, "late", "PRIVMSG"); m.Param(1) != "hello across the healed network" {
		t.Fatalf("owner got %s", m.String())
	}
}

// expectGone reads until the server closes the connection, after an ERROR line or none; it fails
// if the client is still served when its read time-out runs out.
func expectGone(c *testkit.Client) error {
	var last ircmsg.Message
	for {
		m, err := c.ReadMsg()
		if err != nil {
			if strings.Contains(err.Error(), "timeout") {
				return fmt.Errorf("still connected (last line %s)", last.String())
			}
			return nil
		}
		last = m
	}
}
