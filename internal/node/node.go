package node

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/parleychat/parley/internal/casemap"
	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/cluster/local"
	"github.com/parleychat/parley/internal/commands"
	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/guard"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/obs"
	"github.com/parleychat/parley/internal/passhash"
	"github.com/parleychat/parley/internal/session"
	"github.com/parleychat/parley/internal/transport"
)

// Options are what the caller adds to the configuration.
type Options struct {
	Logger  *slog.Logger
	Version string
	// Hub joins in-process nodes for tests; nil gives a node of its own.
	Hub *local.Hub
	// ConfigPath is the file the configuration came from, re-read by Rehash; "" = none.
	ConfigPath string
	// LoadConfig, if set, is what Rehash calls instead of config.Load(ConfigPath), so that
	// command-line overrides survive a rehash.
	LoadConfig func() (*config.Config, error)
}

// Node is one running parley server. Its methods are safe for concurrent use.
type Node struct {
	log     *slog.Logger
	version string
	cfgMu   sync.Mutex
	cfg     *config.Config

	net      *core.Network
	srv      *commands.Server
	bus      cluster.Bus
	sessions *session.Registry
	metrics  *obs.Metrics
	state    *natsState
	accounts *nodeAccounts // account store and SASL (store.go)
	// sessionMetrics is shared by every session of the node.
	sessionMetrics *session.Metrics
	certs          *transport.CertStore
	// limiter applies limits.per_ip, per_cidr, connect_throttle and exempt at accept;
	// limiterCfg is the snapshot it was last configured from (guarded by cfgMu).
	limiter    *guard.Limiter
	limiterCfg *config.Config
	// loadConfig re-reads the configuration for Rehash; nil when the node has no file.
	loadConfig func() (*config.Config, error)
	// drained is closed when Drain starts; see drain.go.
	drainOnce sync.Once
	drained   chan struct{}

	history *nodeHistory // nil when history.enabled is false; see history.go
	cluster *nodeCluster // nil for a single node; see cluster.go
	bans    *nodeBans    // network bans, see bans.go

	listeners []*transport.Listener
	ircAddrs  []net.Addr
	tlsAddrs  []net.Addr
	httpSrv   *http.Server
	httpAddr  net.Addr
	ready     bool
	readyMu   sync.RWMutex
}

// New builds a node from a validated configuration. Nothing listens until Start.
func New(cfg *config.Config, opt Options) (*Node, error) {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Version == "" {
		opt.Version = "parley-dev"
	}
	cm, err := casemap.Parse(cfg.Server.Casemapping)
	if err != nil {
		return nil, fmt.Errorf("config: server.casemapping: %w", err)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("config: data_dir: %w", err)
	}
	n := &Node{log: opt.Logger, version: opt.Version, cfg: cfg, sessions: session.NewRegistry(), metrics: obs.NewMetrics()}
	n.sessionMetrics = newSessionMetrics(n.metrics)
	nodeName := cfg.Cluster.Node
	if nodeName == "" {
		nodeName = cfg.Server.Name
	}
	started := time.Now()
	state, err := openState(cfg, nodeName, opt)
	if err != nil {
		return nil, err
	}
	n.state = state
	n.log.Debug("state ready", "took", time.Since(started).String(), "embedded", state.server != nil)
	n.limiter, n.limiterCfg = guard.New(guardConfig(&cfg.Limits), nil), cfg
	n.loadConfig, n.drained = configLoader(opt), make(chan struct{})
	nodeID := cfg.Cluster.Node
	if nodeID == "" {
		nodeID = cfg.Server.Name
	}
	if clustered(cfg) {
		nc, err := n.openCluster(cfg, model.NodeID(nodeID))
		if err != nil {
			n.state.close()
			return nil, err
		}
		n.cluster, n.bus = nc, nc.cl.Bus()
	} else {
		n.bus = local.New(opt.Hub)
	}
	n.net = core.New(core.Options{
		Node: model.NodeID(nodeID), Casemap: cm, Settings: coreSettings(cfg), Bus: n.bus, Logger: opt.Logger,
		OnDeliver: func(recipients int) {
			n.metrics.MessagesDelivered.Add(float64(recipients))
			n.metrics.FanOut.Observe(float64(recipients))
		},
	})
	if n.cluster != nil {
		if err := n.startCluster(n.cluster); err != nil {
			n.closeCluster(context.Background())
			n.state.close()
			return nil, err
		}
	}
	n.srv = commands.NewServer(n.net, n.commandsConfig(cfg), passhash.Verify)
	if err := n.openAccounts(cfg); err != nil {
		n.closeCluster(context.Background())
		n.state.close()
		return nil, err
	}
	if err := n.openHistory(cfg); err != nil {
		n.closeAccounts()
		n.state.close()
		return nil, err
	}
	if err := n.openBans(); err != nil {
		n.closeHistory()
		n.closeAccounts()
		n.state.close()
		return nil, err
	}
	return n, nil
}

// coreSettings extracts the limits core enforces.
func coreSettings(cfg *config.Config) core.Settings {
	l := cfg.Limits
	return core.Settings{
		ServerName: cfg.Server.Name, Network: cfg.Server.Network,
		NickLen: l.NickLen, ChannelLen: l.ChannelLen, TopicLen: l.TopicLen, KickLen: l.KickLen,
		AwayLen: l.AwayLen, RealnameLen: l.RealnameLen, MaxChannels: l.MaxChannels,
		MaxListEntries: l.MaxListEntries, WhowasEntries: l.WhowasEntries,
	}
}

// commandsConfig extracts what the protocol engine needs.
func (n *Node) commandsConfig(cfg *config.Config) commands.Config {
	cc := commands.Config{
		ServerName: cfg.Server.Name, Network: cfg.Server.Network, Info: cfg.Server.Info,
		Version: n.version, Password: cfg.Server.Password, MaxTargets: cfg.Limits.MaxTargets,
		Admin: commands.Admin{Location1: cfg.Server.Admin.Location1, Location2: cfg.Server.Admin.Location2, Email: cfg.Server.Admin.Email},
	}
	if motd := cfg.Server.MOTDText(); motd != "" {
		cc.MOTD = strings.Split(strings.TrimRight(motd, "\n"), "\n")
	}
	for _, o := range cfg.Opers {
		cc.Opers = append(cc.Opers, commands.Oper{Name: o.Name, Password: o.Password, Class: o.Class, Hosts: o.Hosts})
	}
	cc.STS = n.stsPolicy()
	n.hardeningConfig(cfg, &cc)
	cc.Accounts = accountsConfig(cfg)
	return cc
}

// sessionOptions derives the per-connection limits from the configuration.
func (n *Node) sessionOptions() *session.Options {
	n.cfgMu.Lock()
	l := n.cfg.Limits
	n.cfgMu.Unlock()
	return &session.Options{
		SendQ:               int64(l.SendQ),
		PingInterval:        l.PingInterval.Duration(),
		PingTimeout:         l.PingTimeout.Duration(),
		RegistrationTimeout: l.RegistrationTimeout.Duration(),
		Flood:               floodOptions(l.Flood),
		Limits:              utf8Limits(),
		ErrLineTooLong:      transport.ErrLineTooLong,
		Logger:              n.log,
		Metrics:             n.sessionMetrics,
	}
}

// newSessionMetrics resolves the collectors sessions update, once per node.
func newSessionMetrics(m *obs.Metrics) *session.Metrics {
	return &session.Metrics{
		LinesIn: m.LinesIn, LinesOut: m.LinesOut, FloodDelays: m.FloodDelayed, FloodDrops: m.FloodDropped, SendQExceeded: m.SendQDisconnects,
		Connections: func(kind string) session.Gauge { return m.Connections.WithLabelValues(kind) },
	}
}

// Network returns the node's network state (for tests and the API).
func (n *Node) Network() *core.Network { return n.net }

// IRCAddrs returns the addresses of the plain IRC listeners, once started.
func (n *Node) IRCAddrs() []net.Addr { return n.ircAddrs }

// TLSAddrs returns the addresses of the TLS listeners, once started.
func (n *Node) TLSAddrs() []net.Addr { return n.tlsAddrs }

// HTTPAddr returns the HTTP listener's address, or nil when HTTP is off.
func (n *Node) HTTPAddr() net.Addr { return n.httpAddr }

// Start opens every listener. On error, whatever was opened is closed again.
func (n *Node) Start() error {
	if err := n.startIRC(); err != nil {
		n.closeListeners()
		return err
	}
	n.offerSTS()
	if err := n.startHTTP(); err != nil {
		n.closeListeners()
		return err
	}
	n.readyMu.Lock()
	n.ready = true
	n.readyMu.Unlock()
	return nil
}

func (n *Node) handler(conn transport.Conn) {
	session.Serve(n.srv, n.sessions, conn, n.sessionOptions())
}

func (n *Node) startIRC() error {
	cfg := n.cfg
	for _, addr := range cfg.Listen.IRC {
		l, err := transport.Listen("tcp", addr, nil, n.handler, n.transportOptions())
		if err != nil {
			return fmt.Errorf("listen.irc %s: %w", addr, err)
		}
		n.listeners = append(n.listeners, l)
		n.ircAddrs = append(n.ircAddrs, l.Addr())
		n.log.Info("listening for IRC", "addr", l.Addr().String())
	}
	if len(cfg.Listen.TLS) == 0 {
		return nil
	}
	tlsConf, err := n.tlsConfig()
	if err != nil {
		return err
	}
	for _, addr := range cfg.Listen.TLS {
		l, err := transport.Listen("tcp", addr, tlsConf, n.handler, n.transportOptions())
		if err != nil {
			return fmt.Errorf("listen.tls %s: %w", addr, err)
		}
		n.listeners = append(n.listeners, l)
		n.tlsAddrs = append(n.tlsAddrs, l.Addr())
		n.log.Info("listening for IRC over TLS", "addr", l.Addr().String())
	}
	return nil
}

func (n *Node) tlsConfig() (*tls.Config, error) {
	cert, key := n.cfg.TLS.Cert, n.cfg.TLS.Key
	if n.cfg.DevTLS && cert == "" {
		var err error
		cert, key, err = transport.DevCertificate(n.cfg.DataDir+"/dev-tls", []string{n.cfg.Server.Name, "localhost", "127.0.0.1", "::1"})
		if err != nil {
			return nil, fmt.Errorf("--dev-tls: %w", err)
		}
		n.log.Warn("using a self-signed development certificate", "cert", cert)
	}
	store, err := transport.LoadCertStore(cert, key)
	if err != nil {
		return nil, fmt.Errorf("config: tls.cert/tls.key: %w", err)
	}
	n.certs = store
	return transport.ServerTLSConfig(store), nil
}

func (n *Node) closeListeners() {
	for _, l := range n.listeners {
		l.Close()
	}
	if n.httpSrv != nil {
		n.httpSrv.Close()
	}
}

// Shutdown stops accepting, tells every client why (ERROR :Closing link: reason), waits for their
// queues to drain until ctx ends, and releases the cluster bus.
func (n *Node) Shutdown(ctx context.Context, reason string) error {
	n.readyMu.Lock()
	n.ready = false
	n.readyMu.Unlock()
	for _, l := range n.listeners {
		l.Close()
	}
	err := n.sessions.CloseAll(ctx, reason)
	if n.httpSrv != nil {
		hctx, cancel := context.WithTimeout(context.Background(), time.Second)
		n.httpSrv.Shutdown(hctx)
		cancel()
	}
	cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	n.closeCluster(cctx)
	cancel()
	n.bus.Close()
	n.closeBans()
	n.closeHistory()
	n.closeAccounts()
	n.state.close()
	return err
}

// utf8Limits are the client line limits with UTF-8 enforced: the server advertises UTF8ONLY.
func utf8Limits() ircmsg.Limits {
	l := ircmsg.DefaultLimits
	l.UTF8Only = true
	return l
}
