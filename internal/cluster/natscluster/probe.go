package natscluster

import (
	"context"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/parleychat/parley/internal/cluster/heartbeat"
	"github.com/parleychat/parley/internal/model"
)

// The liveness probe: every node answers a core NATS request on its own subject with its
// incarnation. Core NATS needs no JetStream leader, so a survivor can tell a peer whose heartbeat
// writes fail (the nodes bucket's leader died with another node) from a dead or cut-off one
// before declaring it lost.

// probeTimeout bounds one probe: a live peer on a working route answers in well under a
// millisecond.
const probeTimeout = 500 * time.Millisecond

func probeSubject(node model.NodeID) string { return "parley._live." + encodeKey(string(node)) }

// answerProbes subscribes the node's probe subject; the answer is the running liveness's
// incarnation, and nothing once it is closed or stopped.
func answerProbes(nc *nats.Conn, node model.NodeID, live func() *heartbeat.Liveness) (*nats.Subscription, error) {
	return nc.Subscribe(probeSubject(node), func(m *nats.Msg) {
		l := live()
		if l == nil || !l.Running() {
			return
		}
		_ = m.Respond(strconv.AppendUint(nil, l.Self().Incarnation, 10))
	})
}

// prober returns the heartbeat's Probe over nc.
func prober(nc *nats.Conn) func(ctx context.Context, node model.NodeID) (uint64, bool) {
	return func(ctx context.Context, node model.NodeID) (uint64, bool) {
		ctx, cancel := context.WithTimeout(ctx, probeTimeout)
		defer cancel()
		m, err := nc.RequestWithContext(ctx, probeSubject(node), nil)
		if err != nil {
			return 0, false
		}
		inc, err := strconv.ParseUint(string(m.Data), 10, 64)
		return inc, err == nil
	}
}
