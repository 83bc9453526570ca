package embedded

import (
	"context"
	"fmt"
	"net"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// Connect opens an in-process client connection (no socket) named name, for diagnostics in the
// server's connection list. Extra options are applied after the in-process ones. Safe for
// concurrent use.
func (s *Server) Connect(name string, opts ...nats.Option) (*nats.Conn, error) {
	all := append([]nats.Option{nats.InProcessServer(s.ns), nats.Name(name)}, opts...)
	return nats.Connect("", all...)
}

// Ready waits until JetStream can serve requests: at once for a single node, and once the
// JetStream meta group has elected a leader for a clustered one (which needs a quorum of the
// peers). Safe for concurrent use.
func (s *Server) Ready(ctx context.Context) error {
	return waitFor(ctx, func() (bool, error) {
		if !s.ns.JetStreamIsClustered() {
			return s.ns.JetStreamEnabled(), nil
		}
		return s.MetaLeader() != "" && s.ns.JetStreamIsCurrent(), nil
	})
}

// MetaLeader returns the name of the JetStream meta group leader, "" while there is none or when
// the server is not clustered. Safe for concurrent use.
func (s *Server) MetaLeader() string {
	info, err := s.ns.Jsz(&server.JSzOptions{})
	if err != nil || info.Meta == nil {
		return ""
	}
	return info.Meta.Leader
}

// ClientURL returns the client URL, or "" for a single node started without
// Options.ClientListen. Safe for concurrent use.
func (s *Server) ClientURL() string {
	if s.ns.Addr() == nil {
		return ""
	}
	return s.ns.ClientURL()
}

// RouteAddr returns the route listener's address, or "" for a single node; with a listen port of
// 0 it tells peers where to connect. Safe for concurrent use.
func (s *Server) RouteAddr() string {
	if a := s.ns.ClusterAddr(); a != nil {
		return net.JoinHostPort(a.IP.String(), fmt.Sprint(a.Port))
	}
	return ""
}

// Name returns the server's name (Options.ServerName, or the generated one). Safe for concurrent
// use.
func (s *Server) Name() string { return s.ns.Name() }

// Shutdown stops the server, waits for it to finish writing, and releases the data directory.
// Clients connected through Connect are disconnected. Safe to call more than once and from any
// goroutine.
func (s *Server) Shutdown() {
	s.once.Do(func() {
		s.ns.Shutdown()
		s.ns.WaitForShutdown()
		if s.lock != nil {
			s.lock.Close()
		}
	})
}
