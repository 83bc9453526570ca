package local

import (
	"context"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/cluster/clustertest"
	"github.com/parleychat/parley/internal/cluster/heartbeat"
	"github.com/parleychat/parley/internal/model"
)

// A peer whose heartbeat writes fail but which answers the probe (the heartbeat bucket lost its
// leader, the peer itself runs) is not declared lost; once it stops answering, it is.
func TestProbeKeepsAnAnsweringPeerAlive(t *testing.T) {
	st := NewState()
	opt := heartbeat.Options{LivenessOptions: cluster.LivenessOptions{Interval: 100 * time.Millisecond, Timeout: 500 * time.Millisecond}}
	bDir := st.Directory()
	b := NewLiveness(bDir, "b", opt)
	answers := make(chan bool, 1)
	answers <- true
	opt.Probe = func(_ context.Context, node model.NodeID) (uint64, bool) {
		ok := <-answers
		answers <- ok
		if node != "b" || !ok {
			return 0, false
		}
		return b.Self().Incarnation, true
	}
	a := NewLiveness(st.Directory(), "a", opt)
	var lost clustertest.LostLog
	lost.Record(a)
	for _, l := range []*heartbeat.Liveness{a, b} {
		if err := l.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(l.Stop)
	}
	clustertest.Eventually(t, 5*time.Second, "a sees b", func() bool { return !a.Silent("b") })

	bDir.SetReachable(false) // b's heartbeat writes fail from now on
	time.Sleep(4 * opt.Timeout)
	if ev := lost.Events(); len(ev) != 0 {
		t.Fatalf("b, answering the probe, was declared lost: %+v", ev)
	}
	<-answers
	answers <- false // b stops answering too
	clustertest.Eventually(t, 5*time.Second, "a declares b lost", func() bool { return len(lost.Events()) > 0 })
}
