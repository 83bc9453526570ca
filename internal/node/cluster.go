package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/cluster/natscluster"
	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/model"
)

// nodeCluster is the node's membership of a network of several nodes: its own NATS connection
// (one publishing connection, so one sender's messages keep their order on every node; no echo;
// no reconnect buffer, so a cut-off node's writes fail at once instead of piling up), the
// natscluster Bus, Directory and Liveness, and the directory watch feeding core's replica.
type nodeCluster struct {
	conn   *nats.Conn
	cl     *natscluster.Cluster
	cancel context.CancelFunc // ends the watch
}

// clustered reports whether the configuration makes this node one of several: routes to peers, a
// route listener, or an external NATS.
func clustered(cfg *config.Config) bool {
	return cfg.Cluster.Listen != "" || len(cfg.Cluster.Routes) > 0 || cfg.Cluster.NATSURL != ""
}

// clusterReplicas is how many copies JetStream keeps of each directory bucket: 3 with three nodes
// or more (two peers in cluster.routes, or an external NATS cluster of three servers or more).
func clusterReplicas(cfg *config.Config, nc *nats.Conn) int {
	if len(cfg.Cluster.Routes) >= 2 || (cfg.Cluster.NATSURL != "" && len(nc.Servers()) >= 3) {
		return 3
	}
	return 1
}

// openCluster connects to the node's NATS for the cluster and opens the cluster layer. Nothing
// runs until startCluster.
func (n *Node) openCluster(cfg *config.Config, node model.NodeID) (*nodeCluster, error) {
	opts := []nats.Option{nats.NoEcho(), nats.ReconnectBufSize(-1), nats.MaxReconnects(-1),
		nats.ErrorHandler(n.natsAsyncError)}
	var nc *nats.Conn
	var err error
	if n.state.server != nil {
		nc, err = n.state.server.Connect("parley cluster "+string(node), opts...)
	} else {
		nc, err = nats.Connect(cfg.Cluster.NATSURL, append(opts, nats.Name("parley cluster "+string(node)))...)
	}
	if err != nil {
		return nil, fmt.Errorf("cluster: connect: %w", err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("cluster: jetstream: %w", err)
	}
	var cl *natscluster.Cluster
	err = retryClustered(cfg, n.log, "the directory", stateTimeout, func(ctx context.Context) (err error) {
		cl, err = natscluster.Open(ctx, nc, js, natscluster.Options{
			Node: node, Replicas: clusterReplicas(cfg, nc), Logger: n.log,
			Liveness: cluster.LivenessOptions{Timeout: cfg.Cluster.NodeTimeout.Duration()},
		})
		return err
	})
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("cluster: %w", err)
	}
	return &nodeCluster{conn: nc, cl: cl}, nil
}

// natsAsyncError logs what nats.go reports outside any call. A directory watch whose server went
// away misses its heartbeats ("consumer not active") until the watch's follower recreates it,
// which is routine when a node is lost, so that one is a debug line; anything else is a warning.
func (n *Node) natsAsyncError(_ *nats.Conn, sub *nats.Subscription, err error) {
	subject := ""
	if sub != nil {
		subject = sub.Subject
	}
	if errors.Is(err, nats.ErrConsumerNotActive) {
		n.log.Debug("cluster: a watch missed its heartbeats", "subject", subject, "err", err)
		return
	}
	n.log.Warn("cluster: NATS connection error", "subject", subject, "err", err)
}

// startCluster joins the network: remote events go to core, the heartbeat starts under a new
// incarnation (deleting what an earlier run of this node left), and the directory watch fills
// core's replica. It returns once the replica is complete.
func (n *Node) startCluster(nc *nodeCluster) error {
	live := nc.cl.Liveness()
	nc.cl.Bus().SetHandler(n.net.HandleBusEvent)
	n.net.AttachCluster(core.ClusterOptions{
		Directory:   nc.cl.Directory(),
		Incarnation: func() uint64 { return live.Self().Incarnation },
		Silent:      live.Silent,
	})
	live.SetLostHandler(func(lost cluster.NodeRecord, _ bool) {
		n.log.Warn("cluster: node lost", "node", string(lost.Node), "incarnation", lost.Incarnation)
		n.net.NodeLost(lost)
	})
	live.SetSelfLostHandler(func(old cluster.NodeRecord) {
		n.log.Error("cluster: this node was declared lost by the others; disconnecting its clients",
			"incarnation", old.Incarnation)
		go n.net.DropLocalUsers("This server lost contact with the network; please reconnect")
	})
	ctx, cancel := context.WithTimeout(context.Background(), stateTimeout)
	defer cancel()
	if err := live.Start(ctx); err != nil {
		return fmt.Errorf("cluster: heartbeat: %w", err)
	}
	wctx, wcancel := context.WithCancel(context.Background())
	nc.cancel = wcancel
	if err := nc.cl.Directory().Watch(wctx, n.net.ApplyChange); err != nil {
		return fmt.Errorf("cluster: directory watch: %w", err)
	}
	for !n.net.ClusterReady() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("cluster: the directory did not load: %w", ctx.Err())
		case <-time.After(5 * time.Millisecond):
		}
	}
	return nil
}

// closeCluster leaves the network gracefully: queued directory writes finish, the heartbeat and
// the node's remaining records are deleted (nobody declares it lost), the watch ends. A no-op for
// a single node.
func (n *Node) closeCluster(ctx context.Context) {
	nc := n.cluster
	if nc == nil {
		return
	}
	n.net.CloseCluster(ctx)
	// The QUITs of the node's clients went out on the bus; a round trip to the server makes sure it
	// holds them before the heartbeat's deletion tells the others the node has left.
	if err := nc.conn.FlushTimeout(time.Second); err != nil {
		n.log.Warn("cluster: the last events may not have reached the network", "err", err)
	}
	if err := nc.cl.Close(ctx); err != nil {
		// The peers' liveness cleanup removes whatever is left once the heartbeat stops.
		n.log.Warn("cluster: leaving the network", "err", err)
	}
	if nc.cancel != nil {
		nc.cancel()
	}
	nc.conn.Close()
}

// retryClustered runs open with a context of timeout. On a node of several it keeps trying for
// timeout (and at least a minute), each attempt bounded by 20 seconds and followed by a short
// pause: while the peers are joining, JetStream can lose its answer to a stream creation that
// several nodes make at once, or refuse it at once ("no suitable peers for placement") while
// its meta leader still counts a starting peer as offline. A refusal of that kind lasts a few
// seconds, and must not fail the start.
func retryClustered(cfg *config.Config, log *slog.Logger, what string, timeout time.Duration, open func(ctx context.Context) error) error {
	if !clustered(cfg) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		return open(ctx)
	}
	deadline := time.Now().Add(max(timeout, time.Minute))
	pause := 250 * time.Millisecond
	for {
		ctx, cancel := context.WithTimeout(context.Background(), min(timeout, 20*time.Second))
		err := open(ctx)
		cancel()
		if err == nil || time.Now().Add(pause).After(deadline) {
			return err
		}
		log.Warn("cluster: opening "+what+" failed; retrying", "err", err, "in", pause.String())
		time.Sleep(pause)
		pause = min(2*pause, 2*time.Second)
	}
}

// StopNATS stops the node's embedded NATS server under the running node, as a crash of that
// server or a cut network would: the node keeps its listeners but can no longer reach the
// directory, and its peers declare it lost after node_timeout. For tests of node loss; a no-op
// with an external NATS. Safe for concurrent use.
func (n *Node) StopNATS() {
	if n.state.server != nil {
		n.state.server.Shutdown()
	}
}
