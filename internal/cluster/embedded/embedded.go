// Package embedded runs an in-process NATS server with JetStream, so one parley node needs no
// other process, and several nodes can cluster their embedded servers over routes.
//
// A single node opens no TCP port at all (nats-server's DontListen): the node talks to its server
// through in-process pipes, and several parley servers can run side by side on one machine. A
// clustered node listens only on its route address, plus an optional client port for external
// tools (on loopback when not given: nats-server routes only once a client listener is up).
//
// Durability: JetStream writes each acknowledged message to the operating system before the
// acknowledgement (it survives the process being killed) but fsyncs only every two minutes by
// default (nats-server's sync_interval); SyncAlways fsyncs every write, so acknowledged data also
// survives power loss, at a cost measured in the package benchmarks.
package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// startTimeout bounds the wait for the server when the caller's context has no deadline.
const startTimeout = 10 * time.Second

// Options configures an embedded server. The zero value apart from DataDir is a single node.
type Options struct {
	DataDir      string       // JetStream stores into <DataDir>/nats
	ServerName   string       // unique per node (the cluster.node name); default: generated
	Listen       string       // route address "host:port" (port 0 = any); "" = single node
	Routes       []string     // peers' route addresses "host:port"
	ClusterName  string       // default "parley"; every node of one cluster must agree
	ClientListen string       // client address for external tools; "" = none for a single node, loopback on any port when clustered
	SyncAlways   bool         // fsync every JetStream write instead of every two minutes
	Logger       *slog.Logger // nats-server logs, notices at Debug; default slog.Default()
}

// Server is a running embedded NATS server.
type Server struct {
	ns   *server.Server
	lock *os.File // advisory lock on the store directory, held until Shutdown
	once sync.Once
}

// Start starts the server and returns once it accepts connections with JetStream enabled, or
// fails within a bounded time (the context's deadline, else ten seconds) with an error naming
// the data directory. A clustered node does not wait for its peers here: see Ready.
func Start(ctx context.Context, opt Options) (*Server, error) {
	sopts, err := serverOptions(opt)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(sopts.StoreDir, 0o700); err != nil {
		return nil, fmt.Errorf("data_dir %s: %w", opt.DataDir, err)
	}
	lock, err := lockDir(filepath.Join(sopts.StoreDir, "parley.lock"))
	if err != nil {
		return nil, fmt.Errorf("data_dir %s: %w", opt.DataDir, err)
	}
	s, err := start(ctx, opt, sopts)
	if err != nil {
		lock.Close()
		return nil, err
	}
	s.lock = lock
	return s, nil
}

func start(ctx context.Context, opt Options, sopts *server.Options) (*Server, error) {
	ns, err := server.NewServer(sopts)
	if err != nil {
		return nil, fmt.Errorf("nats server: %w", err)
	}
	logger := opt.Logger
	if logger == nil {
		logger = slog.Default()
	}
	nl := &natsLog{log: logger}
	ns.SetLoggerV2(nl, logger.Enabled(ctx, slog.LevelDebug), false, false)
	ns.Start()

	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, startTimeout)
		defer cancel()
	}
	err = waitFor(ctx, func() (bool, error) {
		if msg := nl.fatalMessage(); msg != "" {
			return false, errors.New(msg)
		}
		// ReadyForConnections checks only while its duration lasts; a short one makes it a probe.
		return ns.ReadyForConnections(2*time.Millisecond) && ns.JetStreamEnabled(), nil
	})
	if err != nil {
		ns.Shutdown()
		ns.WaitForShutdown()
		return nil, fmt.Errorf("data_dir %s: embedded nats server: %w", opt.DataDir, err)
	}
	return &Server{ns: ns}, nil
}

// serverOptions translates Options into nats-server options.
func serverOptions(opt Options) (*server.Options, error) {
	if opt.DataDir == "" {
		return nil, errors.New("data_dir: required for the embedded nats server")
	}
	so := &server.Options{
		ServerName: opt.ServerName,
		JetStream:  true,
		StoreDir:   filepath.Join(opt.DataDir, "nats"),
		SyncAlways: opt.SyncAlways,
		NoSigs:     true, // the node owns signal handling
		DontListen: opt.ClientListen == "",
	}
	if opt.ClientListen != "" {
		host, port, err := splitHostPort(opt.ClientListen)
		if err != nil {
			return nil, fmt.Errorf("client listen address: %w", err)
		}
		so.Host, so.Port = host, port
	}
	if opt.Listen == "" {
		if len(opt.Routes) > 0 {
			return nil, errors.New("cluster routes given without a listen address")
		}
		return so, nil
	}
	if so.DontListen {
		// nats-server starts routing only after its client listener is up, so a clustered
		// server without one never forms routes. Listen on loopback, on any free port.
		so.DontListen, so.Host, so.Port = false, "127.0.0.1", server.RANDOM_PORT
	}
	host, port, err := splitHostPort(opt.Listen)
	if err != nil {
		return nil, fmt.Errorf("cluster listen address: %w", err)
	}
	so.Cluster = server.ClusterOpts{Name: opt.ClusterName, Host: host, Port: port}
	if so.Cluster.Name == "" {
		so.Cluster.Name = "parley"
	}
	for _, r := range opt.Routes {
		if _, _, err := splitHostPort(r); err != nil {
			return nil, fmt.Errorf("cluster route %q: %w", r, err)
		}
		so.Routes = append(so.Routes, &url.URL{Scheme: "nats-route", Host: r})
	}
	return so, nil
}

// splitHostPort parses "host:port"; port 0 becomes nats-server's "any free port" (-1).
func splitHostPort(addr string) (string, int, error) {
	host, ps, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(ps)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("bad port in %q", addr)
	}
	if port == 0 {
		port = server.RANDOM_PORT
	}
	return host, port, nil
}

// waitFor polls cond until it reports true, fails, or ctx ends.
func waitFor(ctx context.Context, cond func() (bool, error)) error {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := cond()
		if err != nil || ok {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not ready: %w", ctx.Err())
		case <-tick.C:
		}
	}
}
