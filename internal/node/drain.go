package node

import (
	"context"
	"errors"
)

// Drain texts: what clients are told, and the reason in their ERROR line.
const (
	DrainNotice = "server is restarting, please reconnect"
	DrainReason = "Server draining"
)

// errDraining refuses connections that arrive while the node drains (WebSocket upgrades can
// still reach the HTTP door until it closes).
var errDraining = errors.New("server is restarting, please reconnect")

// Drain takes the node out of service for an upgrade: it stops accepting connections and turns
// /readyz unready, sends every client a NOTICE asking it to reconnect (to another node, or to
// this one once restarted), then closes every link with "ERROR :Closing link: Server draining",
// and shuts down once every client is gone or ctx ends. Safe for concurrent use; a second call
// only waits for ctx like Shutdown.
func (n *Node) Drain(ctx context.Context) error {
	n.drainOnce.Do(func() { close(n.drained) })
	n.readyMu.Lock()
	n.ready = false
	n.readyMu.Unlock()
	for _, l := range n.listeners {
		l.Close()
	}
	n.log.Info("draining", "clients", n.sessions.Count())
	n.sessions.NoticeAll(n.srv.Name(), DrainNotice)
	return n.Shutdown(ctx, DrainReason)
}

// draining reports whether Drain has started.
func (n *Node) draining() bool {
	select {
	case <-n.drained:
		return true
	default:
		return false
	}
}
