// Package clustertest is the contract every cluster.Directory and cluster.Liveness implementation
// passes: the in-process one (local) and the NATS one (natscluster, on a real three-node
// JetStream cluster). Implementations provide a Factory that starts a network of nodes.
package clustertest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/model"
)

// Harness is a running network of nodes, numbered from 0. Methods are called from the test
// goroutine only.
type Harness interface {
	// Dir and Live return node i's directory and its started liveness.
	Dir(i int) cluster.Directory
	Live(i int) cluster.Liveness
	// Crash stops node i the way a crash does: no goodbye, no cleanup, heartbeats stop.
	Crash(i int)
	// Restart starts node i again after Crash, as a new incarnation with Start done.
	Restart(i int)
	// Cut cuts node i off from the others (its directory writes fail); Heal reconnects it with
	// the same Directory and Liveness, which must find their way back.
	Cut(i int)
	Heal(i int)
}

// Options are what a test asks of a Factory.
type Options struct {
	Nodes    int
	Liveness cluster.LivenessOptions
}

// Factory starts a network for one test and stops it when the test ends.
type Factory func(t *testing.T, opt Options) Harness

// Run runs the whole contract.
func Run(t *testing.T, f Factory) {
	t.Run("NickRace", func(t *testing.T) { testNickRace(t, f) })
	t.Run("ChannelRace", func(t *testing.T) { testChannelRace(t, f) })
	t.Run("CASConverges", func(t *testing.T) { testCAS(t, f) })
	t.Run("Semantics", func(t *testing.T) { testSemantics(t, f) })
	t.Run("WatchOrder", func(t *testing.T) { testWatchOrder(t, f) })
	t.Run("NodeLoss", func(t *testing.T) { testNodeLoss(t, f) })
	t.Run("Restart", func(t *testing.T) { testRestart(t, f) })
	t.Run("Partition", func(t *testing.T) { testPartition(t, f) })
}

// fastLiveness keeps the loss tests short: heartbeats every 200ms, lost after 2s of silence.
var fastLiveness = cluster.LivenessOptions{Interval: 200 * time.Millisecond, Timeout: 2 * time.Second}

// Fast returns the options of the loss tests, for factories that need to know them up front.
func Fast() cluster.LivenessOptions { return fastLiveness }

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func owner(h Harness, node, client int) cluster.Owner {
	self := h.Live(node).Self()
	return cluster.Owner{Client: clientID(node, client), Node: self.Node, Incarnation: self.Incarnation}
}

func clientID(node, client int) model.ClientID {
	return model.ClientID(fmt.Sprintf("n%d-c%d", node, client))
}

// testNickRace: 3 nodes x 50 goroutines race for 20 nicks; each nick ends with exactly one
// owner, every loser got ErrTaken, and every replica agrees on the owners.
func testNickRace(t *testing.T, f Factory) {
	const nodes, perNode, nicks = 3, 50, 20
	h := f(t, Options{Nodes: nodes})
	ctx := ctxT(t)
	reps := make([]*Replica, nodes)
	for i := range reps {
		reps[i] = Watch(t, h.Dir(i))
	}
	var (
		mu      sync.Mutex
		winners = map[string][]cluster.Owner{}
		bad     []error
		wg      sync.WaitGroup
	)
	for n := range nodes {
		for g := range perNode {
			o := owner(h, n, g)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := range nicks {
					nick := fmt.Sprintf("racer%d", (k+g)%nicks) // start at different nicks
					err := h.Dir(n).ClaimNick(ctx, nick, o)
					mu.Lock()
					switch {
					case err == nil:
						winners[nick] = append(winners[nick], o)
					case !errors.Is(err, cluster.ErrTaken):
						bad = append(bad, err)
					}
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	for _, err := range bad {
		t.Errorf("a loser got %v, want ErrTaken", err)
	}
	for k := range nicks {
		nick := fmt.Sprintf("racer%d", k)
		if w := winners[nick]; len(w) != 1 {
			t.Fatalf("%s has %d winners: %v", nick, len(w), w)
		}
	}
	for i, r := range reps {
		Eventually(t, 10*time.Second, fmt.Sprintf("replica %d agrees on the owners", i), func() bool {
			got := r.Nicks()
			for nick, w := range winners {
				if got[nick] != w[0] {
					return false
				}
			}
			return len(got) == nicks
		})
	}
}

// testChannelRace: 150 creators of one channel, exactly one founder.
func testChannelRace(t *testing.T, f Factory) {
	const nodes, perNode = 3, 50
	h := f(t, Options{Nodes: nodes})
	ctx := ctxT(t)
	var (
		mu       sync.Mutex
		founders []string
		bad      []error
		wg       sync.WaitGroup
	)
	for n := range nodes {
		for g := range perNode {
			wg.Add(1)
			go func() {
				defer wg.Done()
				by := fmt.Sprintf("n%d-g%d", n, g)
				rec := &cluster.ChannelRecord{Key: "#race", Name: "#Race", Created: time.Now(), Topic: by}
				err := h.Dir(n).CreateChannel(ctx, rec)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					founders = append(founders, by)
					if rec.Revision == 0 {
						bad = append(bad, errors.New("CreateChannel did not set the revision"))
					}
				case !errors.Is(err, cluster.ErrExists):
					bad = append(bad, err)
				}
			}()
		}
	}
	wg.Wait()
	for _, err := range bad {
		t.Error(err)
	}
	if len(founders) != 1 {
		t.Fatalf("%d founders: %v", len(founders), founders)
	}
	got, err := h.Dir(2).GetChannel(ctx, "#race")
	if err != nil || got.Topic != founders[0] || got.Name != "#Race" {
		t.Fatalf("GetChannel = %+v, %v; want the founder %s's record", got, err, founders[0])
	}
}

// testCAS: concurrent read-modify-write of one channel from all nodes loses no update.
func testCAS(t *testing.T, f Factory) {
	const nodes, perNode, increments = 3, 4, 10
	h := f(t, Options{Nodes: nodes})
	ctx := ctxT(t)
	if err := h.Dir(0).CreateChannel(ctx, &cluster.ChannelRecord{Key: "#cas", Name: "#cas"}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var conflicts, failures sync.Map
	for n := range nodes {
		for g := range perNode {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := h.Dir(n)
				for range increments {
					for {
						rec, err := d.GetChannel(ctx, "#cas")
						if err == nil {
							rec.Limit++
							err = d.UpdateChannel(ctx, &rec)
						}
						if err == nil {
							break
						}
						if !errors.Is(err, cluster.ErrConflict) {
							failures.Store(err.Error(), true)
							return
						}
						conflicts.Store(fmt.Sprint(n, g, rec.Revision), true)
					}
				}
			}()
		}
	}
	wg.Wait()
	failures.Range(func(k, _ any) bool { t.Error(k); return true })
	rec, err := h.Dir(1).GetChannel(ctx, "#cas")
	if err != nil {
		t.Fatal(err)
	}
	if want := nodes * perNode * increments; rec.Limit != want {
		t.Fatalf("after %d increments the counter is %d: updates were lost", want, rec.Limit)
	}
	n := 0
	conflicts.Range(func(_, _ any) bool { n++; return true })
	t.Logf("%d increments, %d conflicts retried", rec.Limit, n)
}
