package node

import (
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/guard"
	"github.com/parleychat/parley/internal/transport"
)

// errServerFull refuses connections past limits.max_clients.
var errServerFull = errors.New("server is full, try again later")

// transportOptions are the options of every TCP and TLS listener.
func (n *Node) transportOptions() transport.Options {
	return transport.Options{Logger: n.log, OnAccept: n.admit, HandshakeTimeout: n.handshakeTimeout()}
}

// handshakeTimeout bounds the PROXY header, the TLS handshake and the WebSocket upgrade request:
// the transport's default, or limits.registration_timeout when that is shorter, since a
// connection that cannot even start within the registration time would be dropped anyway.
func (n *Node) handshakeTimeout() time.Duration {
	n.cfgMu.Lock()
	reg := n.cfg.Limits.RegistrationTimeout.Duration()
	n.cfgMu.Unlock()
	if reg > 0 && reg < transport.DefaultHandshakeTimeout {
		return reg
	}
	return transport.DefaultHandshakeTimeout
}

// admit is the transport's gate for every door (TCP, TLS, WebSocket): limits.max_clients, then
// the per-address limits of the guard. It runs once the client's real address is known (after
// the PROXY header or X-Forwarded-For), and its refusals are counted by reason.
func (n *Node) admit(remote net.Addr) (release func(), err error) {
	n.cfgMu.Lock()
	cfg := n.cfg
	if cfg != n.limiterCfg {
		// The configuration was reloaded: apply the new limits, keeping the counts.
		n.limiter.SetConfig(guardConfig(&cfg.Limits))
		n.limiterCfg = cfg
	}
	n.cfgMu.Unlock()
	if n.draining() {
		n.metrics.Refused.WithLabelValues("draining").Inc()
		return nil, errDraining
	}
	if n.bans != nil {
		if err := n.bans.admit(remote); err != nil { // ip and cidr bans, issue 8
			n.metrics.Refused.WithLabelValues("banned").Inc()
			return nil, err
		}
	}
	if max := cfg.Limits.MaxClients; max > 0 && n.sessions.Count() >= max {
		n.metrics.Refused.WithLabelValues("max_clients").Inc()
		return nil, errServerFull
	}
	release, err = n.limiter.Acquire(remote)
	if err != nil {
		label := "no_address"
		var r *guard.Refusal
		if errors.As(err, &r) {
			label = r.Reason
		}
		n.metrics.Refused.WithLabelValues(label).Inc()
		n.log.Debug("connection refused", "remote", remote.String(), "reason", label)
		return nil, err
	}
	return release, nil
}

// guardConfig translates the limits section; config validation has checked every value.
func guardConfig(l *config.Limits) guard.Config {
	gc := guard.Config{
		PerIP: l.PerIP, IPv4Prefix: l.PerCIDR.IPv4Prefix, IPv6Prefix: l.PerCIDR.IPv6Prefix, PerCIDR: l.PerCIDR.Max,
		Burst: l.ConnectThrottle.Burst, Refill: l.ConnectThrottle.Refill, Per: l.ConnectThrottle.Per.Duration(),
	}
	for _, s := range l.Exempt {
		if p, err := netip.ParsePrefix(s); err == nil {
			gc.Exempt = append(gc.Exempt, p)
		}
	}
	return gc
}
