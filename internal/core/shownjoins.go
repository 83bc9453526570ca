package core

import (
	"time"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/model"
)

// A remote JOIN reaches local members through the bus before the membership reaches the replica
// through the directory's watch; usually milliseconds apart, but a watch served from the node that
// just died stalls until JetStream moves it. If that node is declared lost meanwhile, the replica
// does not know the user was in the channel, and the local members, who were shown the JOIN, would
// keep a ghost in their member lists. So the node remembers, for a while, the remote JOINs it showed
// ahead of the replica, and a node's loss shows their QUIT too.

// shownJoinTTL is how long a JOIN shown ahead of the replica is remembered: far more than any
// watch stall before the node would be declared lost.
const shownJoinTTL = time.Minute

type shownJoin struct {
	at      time.Time
	channel string // folded name
	source  model.Prefix
}

// noteShownJoin remembers a remote JOIN that the replica does not show yet.
func (n *Network) noteShownJoin(ev *model.Event, c *Channel) {
	if n.cl == nil || ev.Node == "" || ev.Node == n.node {
		return
	}
	if u := n.FindUser(ev.Source.Nick); u != nil && u.Node == ev.Node {
		if _, in := c.Membership(u); in {
			return
		}
	}
	now := n.now()
	n.cl.mu.Lock()
	defer n.cl.mu.Unlock()
	if n.cl.shown == nil {
		n.cl.shown = make(map[model.NodeID][]shownJoin)
	}
	list := n.cl.shown[ev.Node]
	keep := list[:0]
	for _, s := range list {
		if now.Sub(s.at) < shownJoinTTL {
			keep = append(keep, s)
		}
	}
	n.cl.shown[ev.Node] = append(keep, shownJoin{at: now, channel: c.key, source: ev.Source})
}

// takeShownJoins returns and forgets the JOINs of node shown ahead of the replica.
func (n *Network) takeShownJoins(node model.NodeID) []shownJoin {
	n.cl.mu.Lock()
	defer n.cl.mu.Unlock()
	list := n.cl.shown[node]
	delete(n.cl.shown, node)
	return list
}

// addShownMemberships completes the replica with the memberships of u that were shown but never
// arrived, so that its QUIT reaches those channels' members too.
func (n *Network) addShownMemberships(u *User, shown []shownJoin) {
	key := n.cm.Fold(u.Nick())
	for _, s := range shown {
		if n.cm.Fold(s.source.Nick) != key {
			continue
		}
		c := n.FindChannel(s.channel)
		if c == nil {
			continue
		}
		c.mu.Lock()
		if c.members[u] == nil && !c.dead {
			c.members[u] = &Member{Joined: s.at}
			u.mu.Lock()
			u.channels[c] = struct{}{}
			u.mu.Unlock()
		}
		c.mu.Unlock()
	}
}

// quitShownJoins shows the QUIT of every user the lost node's JOINs showed ahead of the replica
// that the replica did not hold at all: once to each local member of their channels. quit holds
// the folded nicks whose QUIT NodeLost showed through the replica.
func (n *Network) quitShownJoins(rec cluster.NodeRecord, shown []shownJoin, quit map[string]bool) {
	type quitting struct {
		ev   *model.Event
		told map[*User]bool // local users already shown this QUIT
	}
	byNick := map[string]*quitting{} // folded nick
	for _, s := range shown {
		key := n.cm.Fold(s.source.Nick)
		if quit[key] {
			continue
		}
		c := n.FindChannel(s.channel)
		if c == nil {
			continue
		}
		if u := n.FindUser(s.source.Nick); u != nil && u.Node == rec.Node && !u.IsLocal() {
			continue // a newer incarnation's user of the same nick
		}
		q := byNick[key]
		if q == nil {
			q = &quitting{told: map[*User]bool{}, ev: &model.Event{Kind: model.KindQuit, ID: n.NewMsgID(),
				Time: n.now(), Node: rec.Node, Source: s.source, Text: lostReason(rec.Node)}}
			byNick[key] = q
		}
		for _, lm := range *c.snapshot.Load() {
			if !q.told[lm.user] {
				q.told[lm.user] = true
				lm.user.sink.Deliver(q.ev)
			}
		}
	}
}
