package node

import (
	"net"

	"github.com/parleychat/parley/internal/commands"
)

// stsPolicy is the IRCv3 sts offer: the first TLS listener's port and tls.sts_duration. None with a
// development certificate: a lasting policy would lock clients onto a certificate they cannot
// verify.
func (n *Node) stsPolicy() *commands.STSPolicy {
	if n.cfg.DevTLS || len(n.tlsAddrs) == 0 {
		return nil
	}
	tcp, ok := n.tlsAddrs[0].(*net.TCPAddr)
	if !ok {
		return nil
	}
	return &commands.STSPolicy{Port: tcp.Port, Duration: n.cfg.TLS.STSDuration.Duration()}
}

// offerSTS updates the protocol config once the TLS listeners' ports are known.
func (n *Node) offerSTS() {
	if n.stsPolicy() != nil {
		n.cfgMu.Lock()
		cfg := n.cfg
		n.cfgMu.Unlock()
		n.srv.SetConfig(n.commandsConfig(cfg))
	}
}
