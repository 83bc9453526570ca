package clustertest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/model"
)

// LostLog records the lost-node reports of one node. Safe for concurrent use.
type LostLog struct {
	mu     sync.Mutex
	events []LostEvent
}

// LostEvent is one report.
type LostEvent struct {
	Node cluster.NodeRecord
	Won  bool
	At   time.Time
}

// Record installs the log as l's lost handler.
func (g *LostLog) Record(l cluster.Liveness) {
	l.SetLostHandler(func(n cluster.NodeRecord, won bool) {
		g.mu.Lock()
		g.events = append(g.events, LostEvent{n, won, time.Now()})
		g.mu.Unlock()
	})
}

// Events returns a copy of the reports so far.
func (g *LostLog) Events() []LostEvent {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]LostEvent(nil), g.events...)
}

// Seed writes a nick, a user and a membership of #seed for client c of node i, and returns the
// owner.
func Seed(t testing.TB, h Harness, i, c int) cluster.Owner {
	t.Helper()
	ctx := ctxT(t)
	o := owner(h, i, c)
	d := h.Dir(i)
	err := errors.Join(
		d.ClaimNick(ctx, fmt.Sprintf("nick%d-%d", i, c), o),
		d.PutUser(ctx, cluster.UserRecord{ID: o.Client, Node: o.Node, Incarnation: o.Incarnation, Nick: "n"}),
		d.AddMember(ctx, &cluster.MemberRecord{Channel: "#seed", Client: o.Client, Node: o.Node, Incarnation: o.Incarnation}),
	)
	if err != nil {
		t.Fatalf("seeding node %d: %v", i, err)
	}
	return o
}

// holds reports whether the replica holds any record of owner o.
func holds(r *Replica, o cluster.Owner) bool {
	for _, n := range r.Nicks() {
		if n == o {
			return true
		}
	}
	if _, ok := r.Users()[string(o.Client)]; ok {
		return true
	}
	_, ok := r.Members()["#seed "+string(o.Client)]
	return ok
}

func alive(l cluster.Liveness, node model.NodeID) (cluster.NodeRecord, bool) {
	for _, n := range l.Nodes() {
		if n.Node == node {
			return n, true
		}
	}
	return cluster.NodeRecord{}, false
}

// testNodeLoss: a crashed node is declared lost by both survivors within the timeout plus two
// seconds, exactly one of them cleans up, and its records go while the others' stay.
func testNodeLoss(t *testing.T, f Factory) {
	h := f(t, Options{Nodes: 3, Liveness: fastLiveness})
	rep := Watch(t, h.Dir(0))
	keep, doomed := Seed(t, h, 0, 1), Seed(t, h, 2, 1)
	lost := h.Live(2).Self()
	Eventually(t, 10*time.Second, "replica sees both nodes' records", func() bool { return holds(rep, keep) && holds(rep, doomed) })
	var logs [2]LostLog
	logs[0].Record(h.Live(0))
	logs[1].Record(h.Live(1))

	crashed := time.Now()
	h.Crash(2)
	Eventually(t, fastLiveness.Timeout+2*time.Second, "both survivors declare node 2 lost", func() bool {
		return len(logs[0].Events()) > 0 && len(logs[1].Events()) > 0
	})
	t.Logf("declared lost %v after the crash (timeout %v)", time.Since(crashed).Round(time.Millisecond), fastLiveness.Timeout)
	winners := 0
	for i := range logs {
		ev := logs[i].Events()
		if len(ev) != 1 || ev[0].Node.Node != lost.Node || ev[0].Node.Incarnation != lost.Incarnation {
			t.Fatalf("node %d reports %+v, want one report of %s/%d", i, ev, lost.Node, lost.Incarnation)
		}
		if ev[0].Won {
			winners++
		}
	}
	if winners != 1 {
		t.Fatalf("%d survivors won the cleanup, want 1", winners)
	}
	Eventually(t, 10*time.Second, "the lost node's records are deleted", func() bool { return !holds(rep, doomed) })
	if !holds(rep, keep) {
		t.Fatal("a survivor's records were deleted too")
	}
	if _, ok := alive(h.Live(0), lost.Node); ok {
		t.Fatalf("Nodes() still lists the lost node: %+v", h.Live(0).Nodes())
	}
	if err := h.Dir(1).ClaimNick(ctxT(t), "nick2-1", owner(h, 1, 9)); err != nil {
		t.Fatalf("the lost node's nick is not free: %v", err)
	}
}

// testRestart: a node restarted with a new incarnation removes its previous incarnation's
// records itself, and is alive again under the new one.
func testRestart(t *testing.T, f Factory) {
	h := f(t, Options{Nodes: 3, Liveness: fastLiveness})
	rep := Watch(t, h.Dir(0))
	old := Seed(t, h, 2, 1)
	Eventually(t, 10*time.Second, "replica sees the records", func() bool { return holds(rep, old) })

	h.Crash(2)
	h.Restart(2)
	self := h.Live(2).Self()
	if self.Incarnation <= old.Incarnation {
		t.Fatalf("restarted incarnation %d is not above the previous %d", self.Incarnation, old.Incarnation)
	}
	Eventually(t, 10*time.Second, "the previous incarnation's records are deleted", func() bool { return !holds(rep, old) })
	Eventually(t, 10*time.Second, "the survivors see the new incarnation alive", func() bool {
		n, ok := alive(h.Live(0), self.Node)
		return ok && n.Incarnation == self.Incarnation
	})
	fresh := Seed(t, h, 2, 2)
	Eventually(t, 10*time.Second, "the new incarnation's records replicate", func() bool { return holds(rep, fresh) })
}

// testPartition: a cut-off node's writes fail clearly while the others carry on and declare it
// lost; once healed it learns it was lost, starts a new incarnation, and its replica converges.
func testPartition(t *testing.T, f Factory) {
	h := f(t, Options{Nodes: 3, Liveness: fastLiveness})
	reps := []*Replica{Watch(t, h.Dir(0)), Watch(t, h.Dir(2))}
	cutOff := Seed(t, h, 2, 1)
	var logs LostLog
	logs.Record(h.Live(0))
	selfLost := make(chan cluster.NodeRecord, 1)
	h.Live(2).SetSelfLostHandler(func(old cluster.NodeRecord) { selfLost <- old })
	ctx := ctxT(t)

	h.Cut(2)
	begin := time.Now()
	err := h.Dir(2).ClaimNick(ctx, "minority", owner(h, 2, 5))
	if !errors.Is(err, cluster.ErrUnavailable) {
		t.Fatalf("claim on the cut-off node: err = %v, want ErrUnavailable", err)
	}
	t.Logf("the cut-off node's claim failed after %v: %v", time.Since(begin).Round(time.Millisecond), err)
	// The majority serves once a bucket whose stream leader was the cut-off node has elected
	// another (JetStream: a few seconds); until then its writes fail as unavailable, never wrongly.
	majority := func(what string, write func() error) {
		var err error
		Eventually(t, 15*time.Second, what+" on the majority succeeds", func() bool {
			err = write()
			if err != nil && !errors.Is(err, cluster.ErrUnavailable) {
				t.Fatalf("%s on the majority: err = %v, want nil or ErrUnavailable while it elects", what, err)
			}
			return err == nil
		})
	}
	majority("claim", func() error { return h.Dir(0).ClaimNick(ctx, "majority", owner(h, 0, 5)) })
	tried := false
	majority("create", func() error {
		err := h.Dir(1).CreateChannel(ctx, &cluster.ChannelRecord{Key: "#major", Name: "#major"})
		if tried && errors.Is(err, cluster.ErrExists) {
			return nil // an earlier attempt's answer was lost, not its write
		}
		tried = true
		return err
	})
	Eventually(t, fastLiveness.Timeout+2*time.Second, "the majority declares the cut-off node lost", func() bool {
		return len(logs.Events()) > 0
	})
	Eventually(t, 15*time.Second, "the cut-off node's records are deleted", func() bool { return !holds(reps[0], cutOff) })

	h.Heal(2)
	select {
	case old := <-selfLost:
		if old.Incarnation != cutOff.Incarnation {
			t.Fatalf("self-lost for incarnation %d, want %d", old.Incarnation, cutOff.Incarnation)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the healed node never learned it was declared lost")
	}
	Eventually(t, 20*time.Second, "the healed node's replica converges", func() bool {
		a, b := reps[0].Nicks(), reps[1].Nicks()
		_, major := b["majority"]
		_, channel := reps[1].Channels()["#major"] // created during the cut
		return major && channel && len(a) == len(b) && !holds(reps[1], cutOff)
	})
	Eventually(t, 10*time.Second, "the healed node is alive again under a new incarnation", func() bool {
		n, ok := alive(h.Live(0), h.Live(2).Self().Node)
		return ok && n.Incarnation > cutOff.Incarnation
	})
}
