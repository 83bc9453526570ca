package core

import (
	"context"
	"errors"
	"time"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/model"
)

// applyChannelRecord brings the replica's channel up to rec (creating it when unknown) unless it
// already holds that revision or a later one, and returns it. c may be nil (look it up).
func (n *Network) applyChannelRecord(c *Channel, rec cluster.ChannelRecord) *Channel {
	if c == nil {
		c = n.channelFromRecord(rec)
	}
	c.mu.Lock()
	if rec.Revision > c.rev {
		c.rev = rec.Revision
		c.modes, c.chanKey, c.limit = ChanMode(rec.Modes), rec.ChanKey, rec.Limit
		c.topic = Topic{Text: rec.Topic, SetBy: rec.TopicBy, SetAt: rec.TopicAt}
		if !rec.Created.IsZero() {
			c.created = rec.Created
		}
		c.bans = fromRecordList(c.bans, rec.Bans)
		c.excepts = fromRecordList(c.excepts, rec.Excepts)
		c.invexes = fromRecordList(c.invexes, rec.Invexes)
	}
	c.mu.Unlock()
	return c
}

// channelFromRecord returns the live channel with rec's key, creating an empty one when absent.
func (n *Network) channelFromRecord(rec cluster.ChannelRecord) *Channel {
	n.chanMu.Lock()
	c := n.chans[rec.Key]
	fresh := c == nil
	if fresh {
		c = &Channel{name: rec.Name, key: rec.Key, net: n, members: make(map[*User]*Member),
			invited: make(map[string]struct{}), created: rec.Created}
		c.snapshot.Store(&[]localMember{})
		n.chans[rec.Key] = c
	}
	n.chanMu.Unlock()
	if fresh {
		n.applyPending(func(m cluster.MemberRecord) bool { return m.Channel == rec.Key })
	}
	return c
}

// applyChannelDelete drops a deleted channel from the replica. A channel that still has local
// members lost a race with their JOIN (the last one out deleted it as they came in): it is
// created again, so the directory agrees with the members it has.
func (n *Network) applyChannelDelete(key string) {
	n.chanMu.Lock()
	c := n.chans[key]
	if c == nil {
		n.chanMu.Unlock()
		return
	}
	c.mu.Lock()
	if c.hasLocalMembers() {
		rec := c.recordLocked()
		c.rev = 0
		c.mu.Unlock()
		n.chanMu.Unlock()
		n.cl.queue.add(func(ctx context.Context) error {
			err := n.cl.dir.CreateChannel(ctx, &rec)
			if err == nil {
				n.applyChannelRecord(c, rec)
			}
			if errors.Is(err, cluster.ErrExists) {
				return nil
			}
			return err
		})
		return
	}
	c.dead = true
	delete(n.chans, key)
	var members []*User
	for u := range c.members {
		members = append(members, u)
	}
	c.mu.Unlock()
	n.chanMu.Unlock()
	for _, u := range members {
		n.removeMember(c, u)
	}
}

// applyMemberRecord adds or updates a membership. One whose user or channel the replica does not
// know yet (the buckets are watched separately) waits until they arrive. Local users' memberships
// are this node's own: the watch only updates their ranks (a MODE made on another node), and never
// adds one, so a late upsert cannot put back a user who left.
func (n *Network) applyMemberRecord(rec cluster.MemberRecord) {
	n.chanMu.RLock()
	c := n.chans[rec.Channel]
	n.chanMu.RUnlock()
	pk := rec.Channel + "\x00" + string(rec.Client)
	n.cl.mu.Lock()
	u := n.cl.users[rec.Client]
	if lostInc, lost := n.cl.lost[rec.Node]; lost && rec.Incarnation <= lostInc {
		n.cl.mu.Unlock()
		return // a lost incarnation's late write, as in applyUserRecord
	}
	if u == nil || c == nil {
		if rec.Node != n.node {
			n.cl.pending[pk] = rec
		}
		n.cl.mu.Unlock()
		if u != nil && rec.Node != n.node {
			// A local JOIN's goroutine can have made the channel between the lookup above and the
			// pending entry, its own look at the pending entries coming too early to see this one.
			n.chanMu.RLock()
			c = n.chans[rec.Channel]
			n.chanMu.RUnlock()
			if c != nil {
				n.applyMemberRecord(rec) // both known now: applied, and the pending entry dropped
			}
		}
		return
	}
	delete(n.cl.pending, pk)
	n.cl.mu.Unlock()

	c.mu.Lock()
	m := c.members[u]
	switch {
	case m != nil && rec.Revision > m.rev:
		m.Prefixes, m.rev, m.inc = rec.Prefixes, rec.Revision, rec.Incarnation
		c.rebuildSnapshot()
	case m == nil && !u.IsLocal() && !c.dead:
		c.members[u] = &Member{Prefixes: rec.Prefixes, Joined: rec.Joined, rev: rec.Revision, inc: rec.Incarnation}
		u.mu.Lock()
		u.channels[c] = struct{}{}
		u.mu.Unlock()
	}
	c.mu.Unlock()
}

// applyMemberDelete removes a membership. A local user removed by another node (a KICK) stays a
// moment, so that the KICK, which travels on the channel's subject, still reaches it.
func (n *Network) applyMemberDelete(rec cluster.MemberRecord) {
	n.cl.mu.Lock()
	delete(n.cl.pending, rec.Channel+"\x00"+string(rec.Client))
	u := n.cl.users[rec.Client]
	n.cl.mu.Unlock()
	n.chanMu.RLock()
	c := n.chans[rec.Channel]
	n.chanMu.RUnlock()
	if u == nil || c == nil {
		return
	}
	if !u.IsLocal() {
		if n.inDoubt(u) {
			// Removed now, the membership would be gone when the node's loss shows u's QUIT, and
			// the channel's members would keep a ghost.
			n.awaitVerdict(u, time.Now().Add(verdictWait), func() { n.removeMemberAt(c, u, rec.Revision) })
			return
		}
		n.removeMember(c, u)
		return
	}
	time.AfterFunc(kickGrace, func() { n.removeMemberAt(c, u, rec.Revision) })
}

// removeMemberAt removes u from c for a deletion at revision rev, unless u joined again since.
func (n *Network) removeMemberAt(c *Channel, u *User, rev uint64) {
	c.mu.RLock()
	m := c.members[u]
	stale := m != nil && m.rev < rev
	c.mu.RUnlock()
	if stale {
		n.removeMember(c, u)
	}
}

// applyPending applies the waiting memberships that match.
func (n *Network) applyPending(match func(cluster.MemberRecord) bool) {
	n.cl.mu.Lock()
	var ready []cluster.MemberRecord
	for _, m := range n.cl.pending {
		if match(m) {
			ready = append(ready, m)
		}
	}
	n.cl.mu.Unlock()
	for _, m := range ready {
		n.applyMemberRecord(m)
	}
}

// deliverLocal delivers ev to the channel's local members, or those of rank need and above.
func deliverLocal(c *Channel, ev *model.Event, need model.Prefixes) int {
	count := 0
	for _, lm := range *c.snapshot.Load() {
		if need != 0 && !lm.prefixes.AtLeast(need) {
			continue
		}
		lm.user.sink.Deliver(ev)
		count++
	}
	return count
}
