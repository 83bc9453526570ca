package node

import (
	"context"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/cluster/embedded"
	"github.com/parleychat/parley/internal/config"
)

// stateTimeout bounds how long start-up waits for NATS and JetStream.
const stateTimeout = 15 * time.Second

// natsState is the node's connection to its state: the embedded NATS server (unless an external
// one is configured), the client connection, and JetStream.
type natsState struct {
	server *embedded.Server // nil with cluster.nats_url
	conn   *nats.Conn
	js     jetstream.JetStream
}

// openState starts the embedded NATS server with JetStream in the data directory (or connects to
// cluster.nats_url) and waits until JetStream answers.
func openState(cfg *config.Config, nodeName string, opt Options) (*natsState, error) {
	ctx, cancel := context.WithTimeout(context.Background(), stateTimeout)
	defer cancel()
	st := &natsState{}
	if cfg.Cluster.NATSURL != "" {
		nc, err := nats.Connect(cfg.Cluster.NATSURL, nats.Name("parley "+nodeName), nats.MaxReconnects(-1))
		if err != nil {
			return nil, fmt.Errorf("cluster.nats_url: %w", err)
		}
		st.conn = nc
	} else {
		srv, err := embedded.Start(ctx, embedded.Options{
			DataDir: cfg.DataDir, ServerName: nodeName, Listen: cfg.Cluster.Listen, Routes: cfg.Cluster.Routes,
			ClusterName: cfg.Cluster.Name, Logger: opt.Logger,
		})
		if err != nil {
			return nil, err
		}
		st.server = srv
		nc, err := srv.Connect("parley " + nodeName)
		if err != nil {
			srv.Shutdown()
			return nil, fmt.Errorf("embedded nats: %w", err)
		}
		st.conn = nc
		if err := srv.Ready(ctx); err != nil {
			st.close()
			return nil, fmt.Errorf("cluster: JetStream not ready (are the peers in cluster.routes up?): %w", err)
		}
	}
	js, err := jetstream.New(st.conn)
	if err != nil {
		st.close()
		return nil, fmt.Errorf("jetstream: %w", err)
	}
	st.js = js
	return st, nil
}

// close drains the client connection and stops the embedded server. Safe on a partly opened state.
func (st *natsState) close() {
	if st == nil {
		return
	}
	if st.conn != nil {
		st.conn.Close()
	}
	if st.server != nil {
		st.server.Shutdown()
	}
}
