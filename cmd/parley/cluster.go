package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/parleychat/parley/internal/api"
	"github.com/parleychat/parley/internal/config"
)

const clusterUsage = `usage:
  parley cluster status [--config FILE] [--json]

Shows the nodes of the network as the running server of FILE sees them (each node, whether its
heartbeat is current, its clients) and whether JetStream answers. It asks the server's JSON API
(GET /api/v1/cluster on listen.http, with the first api.tokens entry with the read or admin
scope). Exit codes: 0 all well, 1 a node is not alive, JetStream does not answer or the server
cannot be asked, 2 bad usage or configuration.
`

// clusterStatus is the answer of GET /api/v1/cluster (docs/api.md, "Cluster").
type clusterStatus = api.ClusterStatus

// clusterCmd runs `parley cluster ...`.
func clusterCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "status" {
		if len(args) > 0 && (args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
			fmt.Fprint(stdout, clusterUsage)
			return 0
		}
		fmt.Fprint(stderr, clusterUsage)
		return 2
	}
	fs := flag.NewFlagSet("parley cluster status", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	path := fs.String("config", "", "configuration file of the node to ask")
	asJSON := fs.Bool("json", false, "print the API's answer as JSON")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, clusterUsage)
			return 0
		}
		fmt.Fprintf(stderr, "parley cluster status: %v\n\n%s", err, clusterUsage)
		return 2
	}
	cfg, err := loadAccountConfig(*path)
	if err != nil {
		fmt.Fprintln(stderr, "parley cluster status: bad configuration:")
		fmt.Fprintln(stderr, err)
		return 2
	}
	c, why := newReadAPIClient(cfg)
	if c == nil {
		fmt.Fprintf(stderr, "parley cluster status: cannot ask the server: %s\n", why)
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var raw json.RawMessage
	if err := c.call(ctx, "GET", "/cluster", nil, &raw); err != nil {
		fmt.Fprintf(stderr, "parley cluster status: %v\n", err)
		return 1
	}
	var st clusterStatus
	if err := json.Unmarshal(raw, &st); err != nil {
		fmt.Fprintf(stderr, "parley cluster status: unexpected answer: %v\n", err)
		return 1
	}
	if *asJSON {
		fmt.Fprintln(stdout, string(raw))
	} else {
		printClusterStatus(stdout, &st, time.Now())
	}
	if !clusterHealthy(&st) {
		return 1
	}
	return 0
}

// newReadAPIClient is newAPIClient with any token that can read: the status needs no more.
func newReadAPIClient(cfg *config.Config) (*apiClient, string) {
	for _, t := range cfg.API.Tokens {
		if slices.Contains(t.Scopes, "read") || slices.Contains(t.Scopes, "admin") {
			// newAPIClient takes the first token with the admin scope: hand it this one alone. The
			// scope named here is only the client's; the server checks the token's real scopes.
			only := *cfg
			only.API.Tokens = []config.APIToken{{Name: t.Name, Token: t.Token, Scopes: []string{"admin"}}}
			return newAPIClient(&only)
		}
	}
	return nil, "api.tokens has no entry with the read or admin scope"
}

// clusterHealthy reports whether every node listed is alive and JetStream answers.
func clusterHealthy(st *clusterStatus) bool {
	for _, n := range st.Nodes {
		if !n.Alive {
			return false
		}
	}
	return st.JetStream == nil || st.JetStream.OK
}

// printClusterStatus writes the status as a table, heartbeats as ages relative to now.
func printClusterStatus(w io.Writer, st *clusterStatus, now time.Time) {
	if !st.Clustered {
		fmt.Fprintf(w, "single node %s (no cluster configured)\n", st.Node)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tALIVE\tCLIENTS\tHEARTBEAT")
	for _, n := range st.Nodes {
		name, alive, hb := n.Name, "yes", "-"
		if n.Self {
			name += " (this node)"
		}
		if !n.Alive {
			alive = "NO"
		}
		if n.Heartbeat != nil {
			hb = now.Sub(*n.Heartbeat).Round(100*time.Millisecond).String() + " ago"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", name, alive, n.Clients, hb)
	}
	tw.Flush()
	switch js := st.JetStream; {
	case js == nil:
	case js.OK:
		fmt.Fprintf(w, "JetStream: ok, %d streams, %d bytes stored, %d bytes in memory\n", js.Streams, js.Storage, js.Memory)
	default:
		fmt.Fprintf(w, "JetStream: NOT ANSWERING: %s\n", js.Error)
	}
}
