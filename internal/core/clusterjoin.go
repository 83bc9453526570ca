package core

import (
	"context"
	"errors"
	"time"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/model"
)

// joinCluster is JOIN on a node of many. The channel is created in the directory when the replica
// does not know it (exactly one creator wins and becomes its operator; a loser joins what the
// winner made), the entry rules are checked against the replica, the membership is added to the
// directory, and then the local join runs as on a single node. A JOIN to a channel the replica
// knows costs one directory round trip (AddMember).
func (n *Network) joinCluster(u *User, name, key string, opt JoinOptions) (JoinResult, error) {
	for try := 0; ; try++ {
		c, created, err := n.channelForClusterJoin(name, opt.Seed)
		if err != nil {
			return JoinResult{}, err
		}
		c.mu.RLock()
		_, already := c.members[u]
		err = c.admissionLocked(u, key)
		c.mu.RUnlock()
		if already {
			return JoinResult{Channel: c}, nil
		}
		if err != nil {
			if created {
				ctx, cancel := n.dirCtx()
				_ = n.deleteIfEmpty(ctx, c)
				cancel()
			}
			return JoinResult{}, err
		}
		// Interest first, membership second: once the directory shows the member, other nodes
		// publish the channel's events to this node, and the first of them must not find the
		// subject unsubscribed. joinExisting takes the member's own interest; this one is
		// returned when the attempt ends.
		release := n.holdInterest(c)
		m := &cluster.MemberRecord{V: cluster.RecordVersion, Channel: c.key, Client: u.ID, Node: n.node,
			Incarnation: n.owner(u).Incarnation, Joined: n.now()}
		if created && !opt.NoAutoOp {
			m.Prefixes = model.Op
		}
		ctx, cancel := n.dirCtx()
		err = n.cl.dir.AddMember(ctx, m)
		cancel()
		if err != nil && !errors.Is(err, cluster.ErrExists) {
			release()
			return JoinResult{}, unavailable(err)
		}
		res, retry, err := n.joinExisting(c, u, key, created, opt)
		release()
		if retry && try < 3 {
			continue // the channel was deleted meanwhile: create it again
		}
		if err != nil || retry {
			n.cl.queue.add(func(ctx context.Context) error {
				return n.cl.dir.RemoveMember(ctx, c.key, string(u.ID))
			})
			if err == nil {
				err = refuse(ErrNoSuchChannel, name)
			}
			return JoinResult{}, err
		}
		c.mu.Lock()
		if mm := c.members[u]; mm != nil && m.Revision > mm.rev {
			mm.rev, mm.inc = m.Revision, m.Incarnation
		}
		c.mu.Unlock()
		return res, nil
	}
}

// holdInterest subscribes this node to c's subject for the duration of a JOIN, and returns the
// function that lets go of it.
func (n *Network) holdInterest(c *Channel) func() {
	if n.bus == nil {
		return func() {}
	}
	subject := cluster.ChannelSubject(n.Settings().Network, c.key)
	_ = n.bus.Subscribe(subject)
	return func() { _ = n.bus.Unsubscribe(subject) }
}

// channelForClusterJoin returns the replica's channel, creating it in the directory first when
// the replica does not know it. created is true when this call won the creation.
func (n *Network) channelForClusterJoin(name string, seed *ChannelSeed) (*Channel, bool, error) {
	if c := n.FindChannel(name); c != nil {
		c.mu.RLock()
		dead := c.dead
		c.mu.RUnlock()
		if !dead {
			return c, false, nil
		}
	}
	proto := &Channel{name: name, key: n.cm.Fold(name), created: n.now(), modes: CModeNoExternal | CModeTopicLock}
	if seed != nil {
		proto.seedLocked(seed) // not shared with anyone: no lock needed
	}
	rec := proto.recordLocked()
	ctx, cancel := n.dirCtx()
	defer cancel()
	for attempt := 1; ; attempt++ {
		err := n.cl.dir.CreateChannel(ctx, &rec)
		if err == nil {
			return n.applyChannelRecord(nil, rec), true, nil
		}
		if !errors.Is(err, cluster.ErrExists) {
			return nil, false, unavailable(err)
		}
		// Someone else made it first (or the watch has not brought it yet): read what they made, so
		// its bans and key apply to this join.
		got, err := n.cl.dir.GetChannel(ctx, proto.key)
		if err == nil {
			return n.applyChannelRecord(nil, got), false, nil
		}
		if !errors.Is(err, cluster.ErrNotFound) || attempt == createAttempts {
			return nil, false, unavailable(err)
		}
		// The stream leader refuses a create against another node's create it has not applied
		// yet, and answers a read from what it has applied: the channel is on its way (or that
		// create failed and this one can win). Look again shortly.
		select {
		case <-time.After(time.Duration(attempt) * 10 * time.Millisecond):
		case <-ctx.Done():
			return nil, false, unavailable(ctx.Err())
		}
	}
}

// createAttempts bounds the create-then-read rounds of one JOIN racing other nodes' creations.
const createAttempts = 5
