package commands

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleychat/parley/internal/core"
)

// Config is the part of the configuration the protocol needs. It is an immutable snapshot: Server
// swaps it whole on reload.
type Config struct {
	ServerName string
	Network    string
	Info       string
	Version    string
	MOTD       []string // lines; nil means "no MOTD" (422)
	Password   string   // hash for PASS, "" = none
	Opers      []Oper
	Admin      Admin
	MaxTargets int
	// STS is the policy the sts capability advertises; nil when no TLS listener exists, and then sts
	// is not offered.
	STS *STSPolicy
	// Accounts configures registration and nick reservation; accounts work only after SetAccounts.
	Accounts AccountsConfig
	// OperClasses maps each oper class to its privileges (Priv* constants).
	OperClasses map[string][]string
	// Filters are the spam filters, in match order (filter.go).
	Filters []Filter
	// OnFilterHit, if set, is told of each filter match (metrics, log). Must not block.
	OnFilterHit func(filter, action, nick string)
	// Rehash, if set, re-reads the configuration file for REHASH and reports the changed keys
	// that need a restart.
	Rehash func() (needRestart []string, err error)
	// Bans is the network ban list (UBAN, checks at registration and login); nil = no bans.
	Bans NetworkBans
}

// Oper is an operator block: name, password hash, class and optional user@host masks.
type Oper struct {
	Name     string
	Password string
	Class    string
	Hosts    []string
}

// Admin is what ADMIN answers.
type Admin struct {
	Location1, Location2, Email string
}

// Server is the protocol engine shared by every connection of a node. Safe for concurrent use.
type Server struct {
	Net     *core.Network
	cfg     atomic.Pointer[Config]
	started time.Time
	// VerifyPassword checks a password against a stored hash; set by the node (passhash.Verify).
	VerifyPassword func(hash string, password []byte) bool

	clients sync.Map // *Client -> struct{}: every connection, for cap-notify
	capn    capNotifier
	monitor monitorRegistry
	acct    accountState // SASL, REGISTER, NickServ, ChanServ (accounts.go)
}

// NewServer returns a Server over the network with the initial config.
func NewServer(net *core.Network, cfg Config, verify func(string, []byte) bool) *Server {
	s := &Server{Net: net, started: time.Now(), VerifyPassword: verify}
	s.monitor.init()
	s.SetConfig(cfg)
	net.SetWatcher(monitorWatcher{s})
	return s
}

// Config returns the current config snapshot; do not modify it. Safe for concurrent use.
func (s *Server) Config() *Config { return s.cfg.Load() }

// SetConfig swaps in a new config snapshot and announces any change to the capabilities on offer
// (see NotifyCapsChanged). Safe for concurrent use.
func (s *Server) SetConfig(cfg Config) {
	if cfg.MaxTargets <= 0 {
		cfg.MaxTargets = 4
	}
	s.cfg.Store(&cfg)
	s.NotifyCapsChanged()
}

// Name returns the server name used as the source of numerics.
func (s *Server) Name() string { return s.Config().ServerName }
