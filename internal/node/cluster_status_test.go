package node_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/api"
	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/node"
	"github.com/parleychat/parley/internal/testkit"
)

const statusToken = "cluster-status-token-0123456789"

func getClusterStatus(t *testing.T, httpAddr string) api.ClusterStatus {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+httpAddr+"/api/v1/cluster", nil)
	req.Header.Set("Authorization", "Bearer "+statusToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out api.ClusterStatus
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/cluster: HTTP %d, %v", resp.StatusCode, err)
	}
	return out
}

// GET /api/v1/cluster on a real three-node network: every node listed alive with its heartbeat
// and incarnation, the clients counted where they are connected, and JetStream answering; then
// the API's moderation on one node (topic, modes, kick) reaches every node.
func TestClusterStatusAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-node test")
	}
	cfgs := testkit.ClusterConfigs(t, 3)
	for _, c := range cfgs {
		c.API.Tokens = []config.APIToken{{Token: statusToken, Name: "status", Scopes: []string{"read", "admin"}}}
	}
	nodes := testkit.StartClusterConfigs(t, cfgs)
	ann := connectTo(t, nodes[0], "ann")
	cid := connectTo(t, nodes[2], "cid")
	connectTo(t, nodes[2], "dee")
	waitUser(t, nodes, "dee", true)
	ann.Join("#m")
	cid.Join("#m")
	waitMember(t, nodes, "#m", "cid", true)

	want := map[string]int{"node-1": 1, "node-2": 0, "node-3": 2}
	testkit.CheckFor(t, clusterWait, 50*time.Millisecond, func() error {
		out := getClusterStatus(t, nodes[1].HTTPAddr().String())
		if out.Node != "node-2" || !out.Clustered || len(out.Nodes) != 3 {
			return fmt.Errorf("status %+v", out)
		}
		if out.JetStream == nil || !out.JetStream.OK || out.JetStream.Streams == 0 {
			return fmt.Errorf("jetstream %+v", out.JetStream)
		}
		for _, n := range out.Nodes {
			if !n.Alive || n.Incarnation == 0 || n.Heartbeat == nil || n.Clients != want[n.Name] || n.Self != (n.Name == "node-2") {
				return fmt.Errorf("node %+v, want %d clients, alive with a heartbeat", n, want[n.Name])
			}
		}
		return nil
	})

	// The API's moderation on node 1 is the network's: the directory has it, every node shows it.
	apiCall(t, nodes[0], "PUT", "/channels/%23m/topic", `{"topic":"set through the API"}`)
	apiCall(t, nodes[0], "POST", "/channels/%23m/modes", `{"modes":"+m"}`)
	testkit.CheckFor(t, clusterWait, 20*time.Millisecond, func() error {
		for i, n := range nodes {
			c := n.Network().FindChannel("#m")
			if c == nil || c.Topic().Text != "set through the API" {
				return fmt.Errorf("node %d: #m topic not updated", i+1)
			}
			if modes, _ := c.Modes().String(true); !strings.Contains(modes, "m") {
				return fmt.Errorf("node %d: #m modes %s", i+1, modes)
			}
		}
		return nil
	})
	apiCall(t, nodes[0], "POST", "/channels/%23m/kick", `{"nick":"cid","reason":"api"}`)
	expectFrom(t, cid, "status", "KICK")
	waitMember(t, nodes, "#m", "cid", false)
}

// apiCall makes one admin API request on the node and fails the test on an error status.
func apiCall(t *testing.T, n *node.Node, method, path, body string) {
	t.Helper()
	req, _ := http.NewRequest(method, "http://"+n.HTTPAddr().String()+"/api/v1"+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+statusToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: HTTP %d", method, path, resp.StatusCode)
	}
}
