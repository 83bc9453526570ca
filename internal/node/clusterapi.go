package node

import (
	"context"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/api"
)

// clusterStatus gives GET /api/v1/cluster (and `parley cluster status`) what the replica lacks:
// the heartbeats the liveness layer holds alive and whether JetStream answers this node.
type clusterStatus struct {
	nc *nodeCluster
	js jetstream.JetStream // on the cluster connection, for the account-info check
}

var _ api.Cluster = clusterStatus{}

// LiveNodes implements api.Cluster. Safe for concurrent use.
func (s clusterStatus) LiveNodes() []api.ClusterNode {
	recs := s.nc.cl.Liveness().Nodes()
	out := make([]api.ClusterNode, 0, len(recs))
	for _, r := range recs {
		out = append(out, api.ClusterNode{Name: string(r.Node), Incarnation: r.Incarnation,
			Started: r.Started, Heartbeat: r.Heartbeat})
	}
	return out
}

// JetStream implements api.Cluster: one account-info request, which needs the meta leader, so
// it fails on a node cut off from the majority. Safe for concurrent use.
func (s clusterStatus) JetStream(ctx context.Context) api.JetStreamStatus {
	info, err := s.js.AccountInfo(ctx)
	if err != nil {
		return api.JetStreamStatus{Error: err.Error()}
	}
	return api.JetStreamStatus{Streams: info.Streams, Memory: info.Memory, Storage: info.Store, Domain: info.Domain}
}

// apiCluster is the API's view of the network's nodes; nil on a single node.
func (n *Node) apiCluster() api.Cluster {
	if n.cluster == nil {
		return nil
	}
	js, err := jetstream.New(n.cluster.conn)
	if err != nil { // only for invalid options, which there are none of
		n.log.Warn("cluster status: no JetStream context", "err", err)
		return nil
	}
	return clusterStatus{nc: n.cluster, js: js}
}
