package core

import (
	"time"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/model"
)

// The replica: what other nodes did reaches this node twice, as state through the directory's
// watch (ApplyChange: users, channels, memberships, applied as upserts and deletes-if-present,
// never as a log of events) and as display through the bus (HandleBusEvent: the JOIN, the
// PRIVMSG, the QUIT reason, delivered to local members). Remote users are Users with no sink;
// their memberships live in the same Channel.members maps as local ones, so NAMES, WHO and WHOIS
// read the replica and never leave the node.

// quitGrace is how long a user deleted from the directory stays, waiting for the QUIT (with its
// reason) that its node publishes on the bus, before it is removed with a generic one.
const quitGrace = 500 * time.Millisecond

// kickGrace is how long a local user whose membership another node removed stays in the channel,
// waiting for the KICK that tells the user (and keeps the channel subscribed until it arrives).
const kickGrace = time.Second

// ApplyChange applies one change of the directory's watch to the replica. Call it from the
// watch's goroutine only (it is not meant to run concurrently with itself); safe to run
// alongside every other operation.
func (n *Network) ApplyChange(ch cluster.Change) {
	if n.cl == nil {
		return
	}
	switch ch.Kind {
	case cluster.ChangeSnapshot:
		n.cl.ready.Store(true)
	case cluster.ChangeUser:
		if ch.Deleted {
			n.applyUserDelete(model.ClientID(ch.User.ID))
		} else {
			n.applyUserRecord(*ch.User)
		}
	case cluster.ChangeChannel:
		if ch.Deleted {
			n.applyChannelDelete(ch.Channel.Key)
		} else {
			rec := *ch.Channel
			rec.Revision = ch.Revision
			n.applyChannelRecord(nil, rec)
		}
	case cluster.ChangeMember:
		rec := *ch.Member
		rec.Revision = ch.Revision
		if ch.Deleted {
			n.applyMemberDelete(rec)
		} else {
			n.applyMemberRecord(rec)
		}
	}
}

// applyUserRecord creates or updates a remote user. Local users' records are this node's own.
func (n *Network) applyUserRecord(rec cluster.UserRecord) {
	if rec.Node == n.node {
		return
	}
	n.cl.mu.Lock()
	u := n.cl.users[rec.ID]
	lostInc, lost := n.cl.lost[rec.Node]
	n.cl.mu.Unlock()
	if lost && rec.Incarnation <= lostInc {
		// Written by a node after it was declared lost (a write in flight while it was cut off):
		// its users left the network at the loss; the sweeps delete the record.
		return
	}
	key := n.cm.Fold(rec.Nick)
	if u == nil {
		u = &User{ID: rec.ID, Node: rec.Node, net: n, channels: make(map[*Channel]struct{}), registered: true}
		u.prefix.Store(&model.Prefix{Nick: rec.Nick, User: rec.User, Host: rec.Host})
		u.nickKey = key
	}
	u.mu.Lock()
	if u.gone {
		u.mu.Unlock()
		return
	}
	fresh := u.inc == 0
	oldKey, oldNick := u.nickKey, u.Prefix().Nick
	u.prefix.Store(&model.Prefix{Nick: rec.Nick, User: rec.User, Host: rec.Host})
	u.nickKey, u.inc = key, rec.Incarnation
	u.realname, u.ip, u.account, u.away = rec.Realname, rec.IP, rec.Account, rec.Away
	oldModes := u.modes
	u.modes, u.operClass, u.signon = UserMode(rec.Modes), rec.OperClass, rec.Signon
	if fresh {
		u.lastActive = rec.Signon
	}
	u.mu.Unlock()
	n.countModes(oldModes, false)
	n.countModes(UserMode(rec.Modes), true)

	n.nickMu.Lock()
	if !fresh && oldKey != key {
		n.dropNickLocked(oldKey, u)
	}
	if other := n.nicks[key]; other == nil || other == u || !other.IsLocal() {
		n.setNickLocked(key, u) // a stale remote holder gives way: the directory's claim decided
	} else {
		n.shadowLocked(key, u) // shown once the local holder (stale, or about to be) leaves
	}
	n.nickMu.Unlock()
	if fresh {
		n.cl.mu.Lock()
		n.cl.users[rec.ID] = u
		n.cl.mu.Unlock()
		n.notifyOnline(u)
		n.applyPending(func(m cluster.MemberRecord) bool { return m.Client == rec.ID })
	} else if oldKey != key {
		n.rekeyChannelMembers(u)
		n.notifyOffline(oldNick)
		n.notifyOnline(u)
	}
}

// applyUserDelete removes a remote user whose record was deleted. Its node normally publishes the
// QUIT first; the user is kept a moment for it, then removed with a reason of its own.
func (n *Network) applyUserDelete(id model.ClientID) {
	n.cl.mu.Lock()
	u := n.cl.users[id]
	for k, m := range n.cl.pending {
		if m.Client == id {
			delete(n.cl.pending, k)
		}
	}
	lostInc, lost := n.cl.lost[idNode(u)]
	n.cl.mu.Unlock()
	if u == nil || u.IsLocal() {
		return
	}
	u.mu.RLock()
	lost = lost && u.inc <= lostInc
	u.mu.RUnlock()
	if lost {
		n.remoteQuit(u, nil, lostReason(u.Node))
		return
	}
	if n.inDoubt(u) {
		n.awaitVerdict(u, time.Now().Add(verdictWait), func() { n.remoteQuit(u, nil, "Connection closed") })
		return
	}
	time.AfterFunc(quitGrace, func() { n.remoteQuit(u, nil, "Connection closed") })
}

// verdictWait bounds how long a deleted user of a silent node waits for the node to be declared
// lost (NodeLost then quits it) before it leaves with a generic reason.
const verdictWait = 15 * time.Second

// inDoubt reports whether remote user u's node has gone silent: a deletion of u's records may
// then be the cleanup of a survivor that declared the node lost before this node did.
func (n *Network) inDoubt(u *User) bool {
	return n.cl.silent != nil && n.cl.silent(u.Node)
}

// awaitVerdict waits for a silent node's fate: the survivor that won its cleanup deleted u's
// records, and this node's own view of the loss is seconds behind (its watch of the markers can be
// served by the lost node). Once the node is declared lost, NodeLost quits u with the reason, to
// every member of its channels, which is why the deletions must wait for it; if the node speaks
// again or the wait ends, settle applies the deletion as an ordinary one.
func (n *Network) awaitVerdict(u *User, until time.Time, settle func()) {
	time.AfterFunc(quitGrace/2, func() {
		u.mu.RLock()
		gone := u.gone
		u.mu.RUnlock()
		if gone {
			return // NodeLost or the bus QUIT took it
		}
		if time.Now().Before(until) && n.inDoubt(u) {
			n.awaitVerdict(u, until, settle)
			return
		}
		settle()
	})
}

func idNode(u *User) model.NodeID {
	if u == nil {
		return ""
	}
	return u.Node
}

func lostReason(node model.NodeID) string {
	return "Node lost: " + string(node) + " stopped responding"
}

// remoteQuit takes a remote user off this node's replica and shows its local neighbours the QUIT
// (ev, as its node published it, or one made here with reason). Safe to call twice.
func (n *Network) remoteQuit(u *User, ev *model.Event, reason string) {
	u.mu.Lock()
	if u.gone {
		u.mu.Unlock()
		return
	}
	u.gone = true
	key, modes := u.nickKey, u.modes
	u.mu.Unlock()
	if ev == nil {
		ev = &model.Event{Kind: model.KindQuit, ID: n.NewMsgID(), Time: n.now(), Node: u.Node,
			Source: u.Prefix(), Text: reason}
	}
	u.forEachRemoteNeighbour(ev, func(m *User) { m.deliver(ev) })
	for _, c := range u.Channels() {
		n.removeMember(c, u)
	}
	n.nickMu.Lock()
	n.dropNickLocked(key, u)
	n.nickMu.Unlock()
	n.cl.mu.Lock()
	if n.cl.users[u.ID] == u {
		delete(n.cl.users, u.ID)
	}
	n.cl.mu.Unlock()
	n.whowas.add(key, whowasFrom(u, u.Prefix(), n.now()))
	n.countModes(modes, false)
	n.notifyOffline(u.Nick())
	n.observe(ev)
}

// NodeLost is the liveness's lost handler: the node's users leave this node's replica at once,
// with a QUIT saying why, and the directory's deletions that follow find nothing left to do.
// Called from the liveness goroutine; safe for concurrent use.
func (n *Network) NodeLost(rec cluster.NodeRecord) {
	if n.cl == nil {
		return
	}
	n.cl.mu.Lock()
	n.cl.lost[rec.Node] = rec.Incarnation
	var gone []*User
	for _, u := range n.cl.users {
		if u.Node == rec.Node && !u.IsLocal() {
			gone = append(gone, u)
		}
	}
	n.cl.mu.Unlock()
	shown := n.takeShownJoins(rec.Node)
	quit := make(map[string]bool, len(gone))
	for _, u := range gone {
		u.mu.RLock()
		inc := u.inc
		u.mu.RUnlock()
		if inc <= rec.Incarnation {
			quit[n.cm.Fold(u.Nick())] = true
			n.addShownMemberships(u, shown)
			n.remoteQuit(u, nil, lostReason(rec.Node))
		}
	}
	n.quitShownJoins(rec, shown, quit)
}

// DropLocalUsers disconnects every local user, each seeing reason: the node was declared lost by
// the others (it was cut off for longer than the node timeout), so its users are gone from the
// network and must connect again. Safe for concurrent use.
func (n *Network) DropLocalUsers(reason string) {
	for _, u := range n.Users() {
		if !u.IsLocal() {
			continue
		}
		if k, ok := u.sink.(Killable); ok {
			k.Kill(n.Settings().ServerName, reason)
		}
		n.Quit(u, reason)
	}
}
