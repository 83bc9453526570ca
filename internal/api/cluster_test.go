package api

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// stubCluster is a fixed liveness view and JetStream answer.
type stubCluster struct {
	nodes []ClusterNode
	js    JetStreamStatus
	ctxOK bool // JetStream was asked with a deadline
}

func (s *stubCluster) LiveNodes() []ClusterNode { return s.nodes }

func (s *stubCluster) JetStream(ctx context.Context) JetStreamStatus {
	_, s.ctxOK = ctx.Deadline()
	return s.js
}

func getClusterJSON(t *testing.T, url string) ClusterStatus {
	t.Helper()
	req, _ := http.NewRequest("GET", url+"/api/v1/cluster", nil)
	req.Header.Set("Authorization", "Bearer read-token-0123456789")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /cluster: %d", resp.StatusCode)
	}
	var out ClusterStatus
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// A node of several lists every live node from the liveness view, sorted, with the JetStream
// health; a JetStream that does not answer is reported, not hidden behind an error status.
func TestClusterStatus(t *testing.T) {
	hb := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	stub := &stubCluster{
		nodes: []ClusterNode{{Name: "node-b", Incarnation: 7, Started: hb, Heartbeat: hb}, {Name: "node-a", Incarnation: 3}},
		js:    JetStreamStatus{Streams: 9, Storage: 1024},
	}
	_, _, srv := newTestAPI(t, Options{Cluster: stub})
	out := getClusterJSON(t, srv.URL)
	if !out.Clustered || out.JetStream == nil || !out.JetStream.OK || out.JetStream.Streams != 9 || !stub.ctxOK {
		t.Fatalf("cluster: %+v jetstream %+v (deadline %v)", out, out.JetStream, stub.ctxOK)
	}
	// The test network has no node name: it is listed as "" (self), then the two live nodes.
	if len(out.Nodes) != 3 || out.Nodes[1].Name != "node-a" || out.Nodes[2].Name != "node-b" ||
		!out.Nodes[2].Alive || out.Nodes[2].Incarnation != 7 || !out.Nodes[2].Heartbeat.Equal(hb) || !out.Nodes[0].Self {
		t.Fatalf("nodes: %+v", out.Nodes)
	}

	stub.js = JetStreamStatus{Error: "nats: JetStream system temporarily unavailable"}
	out = getClusterJSON(t, srv.URL)
	if out.JetStream.OK || out.JetStream.Error == "" {
		t.Fatalf("JetStream down reported as %+v", out.JetStream)
	}
}

// A single node reports itself alone and no JetStream entry.
func TestClusterStatusSingleNode(t *testing.T) {
	_, _, srv := newTestAPI(t, Options{})
	out := getClusterJSON(t, srv.URL)
	if out.Clustered || out.JetStream != nil || len(out.Nodes) != 1 || !out.Nodes[0].Self || !out.Nodes[0].Alive {
		t.Fatalf("single node: %+v", out)
	}
}
