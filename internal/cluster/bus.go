// Package cluster defines how parley nodes share one network: a Bus that carries events between
// nodes. Implementations live in sub-packages: local (in process, for one node and for tests) and,
// for real networks, NATS.
package cluster

import (
	"github.com/parleychat/parley/internal/model"
)

// Handler receives events published by other nodes. It is called from the bus's delivery goroutine,
// one event at a time, in the order the publishing node sent them on that subject.
type Handler func(subject string, ev *model.Event)

// Bus carries events between nodes. A node subscribes to a subject only while it has local interest
// in it (a channel with local members, its own node subject), so each event reaches each interested
// node once.
type Bus interface {
	// Publish sends ev to every other node subscribed to subject. It must not block on slow peers.
	// Safe for concurrent use; one goroutine's publishes on one subject keep their order.
	Publish(subject string, ev *model.Event) error
	// SetHandler installs the handler for remote events; call it before the first Subscribe.
	SetHandler(h Handler)
	// Subscribe and Unsubscribe manage this node's interest (counted: the last Unsubscribe of a
	// subject ends it). When Subscribe returns, the node's server knows the interest, so events
	// published after the caller tells the others (through the directory) are delivered. Safe
	// for concurrent use.
	Subscribe(subject string) error
	Unsubscribe(subject string) error
	// Close releases the bus; later calls fail.
	Close() error
}

// Subjects for a network named net. Keys are case-folded names, so every node agrees on them.
func ChannelSubject(net, key string) string { return "parley." + net + ".chan." + key }

// UserSubject is where events addressed to one user (private messages, invites) travel.
func UserSubject(net, key string) string { return "parley." + net + ".user." + key }

// NodeSubject is one node's own subject, for events addressed to a node.
func NodeSubject(net string, node model.NodeID) string {
	return "parley." + net + ".node." + string(node)
}

// ControlSubject carries network-wide events (nick changes, quits, wallops).
func ControlSubject(net string) string { return "parley." + net + ".control" }
