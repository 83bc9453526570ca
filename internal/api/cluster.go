package api

import (
	"context"
	"net/http"
	"sort"
	"time"

	"github.com/parleychat/parley/internal/model"
)

// Cluster is what GET /cluster needs beyond core's replica of the directory: the nodes the
// liveness layer holds alive, and whether JetStream answers. It is declared here, by its
// consumer; a node of several passes its own (Options.Cluster). Implementations must be safe for
// concurrent use.
type Cluster interface {
	// LiveNodes returns the heartbeat of every node currently considered alive.
	LiveNodes() []ClusterNode
	// JetStream asks JetStream for the account's state, within ctx.
	JetStream(ctx context.Context) JetStreamStatus
}

// ClusterNode is one node's heartbeat as the liveness layer last read it.
type ClusterNode struct {
	Name        string
	Incarnation uint64
	Started     time.Time
	Heartbeat   time.Time // the node's own clock: informative only
}

// JetStreamStatus is the answer of JetStream to an account-info request; Error is set when it did
// not answer (no quorum, no leader, NATS unreachable).
type JetStreamStatus struct {
	Error   string
	Streams int
	Memory  uint64 // bytes
	Storage uint64 // bytes
	Domain  string
}

// clusterTimeout bounds the JetStream check of one request: a node cut off from its peers must
// still answer GET /cluster, saying that JetStream does not.
const clusterTimeout = 2 * time.Second

// ClusterStatus is the body of GET /cluster, exported for the clients that read it (`parley
// cluster status`, tests).
type ClusterStatus struct {
	Node      string              `json:"node"`
	Clustered bool                `json:"clustered"`
	Nodes     []ClusterNodeStatus `json:"nodes"`
	JetStream *ClusterJetStream   `json:"jetstream,omitempty"`
}

// ClusterNodeStatus is one node in a ClusterStatus.
type ClusterNodeStatus struct {
	Name        string     `json:"name"`
	Self        bool       `json:"self"`
	Alive       bool       `json:"alive"`
	Clients     int        `json:"clients"`
	Incarnation uint64     `json:"incarnation,omitempty"`
	Started     *time.Time `json:"started,omitempty"`
	Heartbeat   *time.Time `json:"heartbeat,omitempty"`
}

// ClusterJetStream is JetStream's health in a ClusterStatus.
type ClusterJetStream struct {
	OK      bool   `json:"ok"`
	Error   string `json:"error,omitempty"`
	Streams int    `json:"streams"`
	Memory  uint64 `json:"memory_bytes"`
	Storage uint64 `json:"storage_bytes"`
	Domain  string `json:"domain,omitempty"`
}

// getCluster answers GET /cluster: every node known from the liveness layer or from the clients
// in this node's replica, with its client count, and JetStream's health. On a single node it
// lists this node alone, with "clustered": false and no JetStream entry.
func (a *API) getCluster(w http.ResponseWriter, r *http.Request, _ *caller) {
	self := string(a.net.Node())
	nodes := map[string]*ClusterNodeStatus{self: {Name: self, Self: true, Alive: true}}
	get := func(name string) *ClusterNodeStatus {
		if nodes[name] == nil {
			nodes[name] = &ClusterNodeStatus{Name: name}
		}
		return nodes[name]
	}
	for _, u := range a.net.Users() {
		if info := u.Info(); info.Registered {
			get(nodeName(info.Node, self)).Clients++
		}
	}
	out := ClusterStatus{Node: self, Clustered: a.opt.Cluster != nil}
	if a.opt.Cluster != nil {
		for _, n := range a.opt.Cluster.LiveNodes() {
			j := get(n.Name)
			j.Alive, j.Incarnation = true, n.Incarnation
			started, hb := n.Started.UTC(), n.Heartbeat.UTC()
			j.Started, j.Heartbeat = &started, &hb
		}
		ctx, cancel := context.WithTimeout(r.Context(), clusterTimeout)
		js := a.opt.Cluster.JetStream(ctx)
		cancel()
		out.JetStream = &ClusterJetStream{OK: js.Error == "", Error: js.Error, Streams: js.Streams,
			Memory: js.Memory, Storage: js.Storage, Domain: js.Domain}
	}
	for _, n := range nodes {
		out.Nodes = append(out.Nodes, *n)
	}
	sort.Slice(out.Nodes, func(i, j int) bool { return out.Nodes[i].Name < out.Nodes[j].Name })
	writeJSON(w, http.StatusOK, out)
}

// nodeName is the node a user is on; a user created before the node had a name counts as local.
func nodeName(n model.NodeID, self string) string {
	if n == "" {
		return self
	}
	return string(n)
}
