package cluster

import (
	"context"
	"time"

	"github.com/parleychat/parley/internal/model"
)

// Liveness tells which nodes are alive. Each node writes a heartbeat every second; a node whose
// heartbeat has not changed for the node timeout is declared lost by the survivors, and exactly
// one of them (the one whose create of the marker lost.<node>.<incarnation> succeeds) deletes the
// lost incarnation's nicks, users and memberships from the Directory. Every node then sees those
// deletions through Directory.Watch, like any other change.
//
// A node is never declared lost by a node that cannot write to the directory (a minority side of
// a partition): the claim needs a quorum, and a node reports a loss only once a claim succeeded.
//
// All methods are safe for concurrent use.
type Liveness interface {
	// Start writes this node's first heartbeat under a new incarnation, deletes whatever records a
	// previous incarnation of this node left behind, and starts the heartbeat loop, which runs
	// until Close. Set the handlers before Start so that no report is missed.
	Start(ctx context.Context) error
	// Self returns this node's current heartbeat record; its Incarnation is what this node's
	// records must carry.
	Self() NodeRecord
	// Nodes returns the nodes currently alive as this node sees them, itself included, sorted by
	// name.
	Nodes() []NodeRecord
	// SetLostHandler installs the function told about each peer declared lost: on the node that
	// won the cleanup (won true, called before it deletes the records) and on every other node
	// once it sees the marker (won false). Calls come from one goroutine and must not block for long.
	SetLostHandler(h func(lost NodeRecord, won bool))
	// SetSelfLostHandler installs the function called when this node learns it was declared lost
	// (it was cut off for longer than the timeout): its users are gone from the directory, so the
	// node must disconnect its local clients. After h returns the node continues under a new
	// incarnation.
	SetSelfLostHandler(h func(old NodeRecord))
	// Silent reports whether this node has not seen node's heartbeat change for longer than two
	// intervals (or does not know it): a verdict on it may be coming.
	Silent(node model.NodeID) bool
	// Close stops the heartbeats and removes this node's heartbeat and remaining records, a
	// graceful leave that declares nothing lost. Safe to call more than once.
	Close(ctx context.Context) error
}

// LivenessOptions are the timings of a Liveness.
type LivenessOptions struct {
	Interval time.Duration // between heartbeats; default 1s
	Timeout  time.Duration // silence after which a node is lost (cluster.node_timeout); default 10s
}

// WithDefaults returns o with zero fields set to their defaults.
func (o LivenessOptions) WithDefaults() LivenessOptions {
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	return o
}
