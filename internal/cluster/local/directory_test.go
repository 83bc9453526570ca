package local

import (
	"context"
	"fmt"
	"testing"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/cluster/clustertest"
	"github.com/parleychat/parley/internal/cluster/heartbeat"
	"github.com/parleychat/parley/internal/model"
)

// harness runs nodes as views of one State.
type harness struct {
	t     *testing.T
	st    *State
	opt   clustertest.Options
	dirs  []*Directory
	lives []*heartbeat.Liveness
}

func newHarness(t *testing.T, opt clustertest.Options) clustertest.Harness {
	h := &harness{t: t, st: NewState(), opt: opt}
	h.dirs = make([]*Directory, opt.Nodes)
	h.lives = make([]*heartbeat.Liveness, opt.Nodes)
	for i := range opt.Nodes {
		h.start(i)
	}
	t.Cleanup(func() {
		for _, l := range h.lives {
			l.Stop()
		}
	})
	return h
}

func (h *harness) start(i int) {
	h.dirs[i] = h.st.Directory()
	h.lives[i] = NewLiveness(h.dirs[i], model.NodeID(fmt.Sprintf("node%d", i)), heartbeat.Options{LivenessOptions: h.opt.Liveness})
	if err := h.lives[i].Start(context.Background()); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) Dir(i int) cluster.Directory { return h.dirs[i] }
func (h *harness) Live(i int) cluster.Liveness { return h.lives[i] }
func (h *harness) Crash(i int)                 { h.lives[i].Stop(); h.dirs[i].SetReachable(false) }
func (h *harness) Restart(i int)               { h.start(i) }
func (h *harness) Cut(i int)                   { h.dirs[i].SetReachable(false) }
func (h *harness) Heal(i int)                  { h.dirs[i].SetReachable(true) }

func TestContract(t *testing.T) { clustertest.Run(t, newHarness) }
