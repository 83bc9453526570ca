package node_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/testkit"
)

// Guarantee 4 of issue 6 with a real process: `kill -9` of one of three `parley serve` processes.
// The others' users see its clients QUIT with a clear reason within node_timeout and a few
// seconds, its nicks are free, no ghost is left in NAMES or WHO; restarted on the same data
// directory, the node does not bring its old clients back and registers new ones.
func TestClusterKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-node test with real processes")
	}
	pc := startProcCluster(t, 3)
	alice := pc.connect(0, "alice")
	alice.Join("#k")
	bob := pc.connect(1, "bob")
	bob.Join("#k")
	expectFrom(t, alice, "bob", "JOIN")
	victims := []*testkit.Client{pc.connect(2, "victim1"), pc.connect(2, "victim2")}
	for _, v := range victims {
		v.Join("#k")
		expectFrom(t, alice, v.Nick, "JOIN")
		expectFrom(t, bob, v.Nick, "JOIN")
	}
	// The survivors' replicas hold the victims before the kill. (A kill within milliseconds of a
	// JOIN, before the membership reached a replica whose watch the dead node served, is covered
	// in process by core's TestNodeLostQuitsJoinsShownAheadOfTheReplica.)
	testkit.CheckFor(t, clusterWait, 50*time.Millisecond, func() error {
		for _, c := range []*testkit.Client{alice, bob} {
			if names := " " + namesOf(c, "#k") + " "; !strings.Contains(names, " victim1 ") || !strings.Contains(names, " victim2 ") {
				return fmt.Errorf("NAMES #k from %s: %q", c.Nick, names)
			}
		}
		return nil
	})

	start := time.Now()
	pc.kill(2)
	// The killed process may have led the heartbeat bucket's stream: the survivors then wait for
	// JetStream to elect a new leader (4 to 9 seconds, docs/clustering.md) before node_timeout
	// can run out on a heartbeat they can read.
	limit := procNodeTimeout + 9*time.Second
	for _, c := range []*testkit.Client{alice, bob} {
		c.Timeout = limit
		// The QUITs come in any order (a node's users are quit in no particular order).
		pending := map[string]bool{"victim1": true, "victim2": true}
		for len(pending) > 0 {
			m := c.ExpectFunc("a victim's QUIT", func(m ircmsg.Message) bool {
				return m.Command == "QUIT" && pending[sourceNick(m.Source)]
			})
			if !strings.Contains(m.Param(0), "Node lost") {
				t.Fatalf("%s saw %s QUIT with %q", c.Nick, m.Source, m.Param(0))
			}
			delete(pending, sourceNick(m.Source))
		}
		c.Timeout = 5 * time.Second
	}
	took := time.Since(start)
	if took > limit {
		t.Fatalf("QUITs after %v, want within %v", took, limit)
	}
	t.Logf("both survivors saw both QUITs %v after kill -9 (node_timeout %v)", took, procNodeTimeout)

	for _, c := range []*testkit.Client{alice, bob} {
		if names := namesOf(c, "#k"); strings.Contains(names, "victim") {
			t.Fatalf("%s: ghost in NAMES #k: %q", c.Nick, names)
		}
		if who := whoNicks(c, "#k"); len(who) != 2 {
			t.Fatalf("%s: WHO #k = %v, want alice and bob", c.Nick, who)
		}
	}
	// The survivors free the nicks once JetStream has moved the lost server's stream leaders.
	testkit.CheckFor(t, 20*time.Second, 200*time.Millisecond, func() error {
		return tryRegister(pc.nodes[1].irc, "victim1", true)
	})
	t.Logf("victim1 free again %v after kill -9", time.Since(start))

	// The killed node comes back on the same data directory: its old clients stay gone.
	pc.start(2)
	pc.waitReady(2)
	fresh := pc.connect(2, "fresh")
	fresh.Join("#k")
	expectFrom(t, alice, "fresh", "JOIN")
	for _, c := range []*testkit.Client{alice, fresh} {
		// The JOIN line travels on the bus, the membership through the directory watch: NAMES on
		// node 1 can lag the JOIN by a directory round trip.
		testkit.CheckFor(t, clusterWait, 50*time.Millisecond, func() error {
			if names := namesOf(c, "#k"); strings.Contains(names, "victim") || !strings.Contains(names, "fresh") {
				return fmt.Errorf("%s: NAMES #k after the restart: %q", c.Nick, names)
			}
			return nil
		})
		// victim1 was taken again above and quit at once: its QUIT may need a moment to cross.
		testkit.CheckFor(t, clusterWait, 50*time.Millisecond, func() error {
			if who := whoNicks(c, "victim*"); len(who) != 0 {
				return fmt.Errorf("%s: WHO victim* after the restart: %v", c.Nick, who)
			}
			return nil
		})
	}
	// Nothing about the old clients reached the survivors while the node came back.
	for _, m := range alice.Roundtrip() {
		if strings.HasPrefix(m.Source, "victim") {
			t.Fatalf("alice saw a resurrected client: %s", m.String())
		}
	}
}

// sourceNick is the nick part of a message source (nick!user@host).
func sourceNick(source string) string {
	if i := strings.IndexByte(source, '!'); i >= 0 {
		return source[:i]
	}
	return source
}
