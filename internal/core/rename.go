package core

import (
	"errors"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/model"
)

// Refusals of a channel rename that have no RFC numeric; the door maps them to FAIL RENAME codes
// (draft/channel-rename).
var (
	ErrRenameNameInUse = errors.New("rename: channel name in use")
	ErrRenameInvalid   = errors.New("rename: cannot rename to that name")
)

// RenameHook is told, with no core lock held, that a channel changed its name, so that what is kept
// under the name (history, registrations) can follow it. It must not call back into a rename.
type RenameHook func(oldKey, newKey, oldName, newName string)

type renameHookBox struct{ f RenameHook }

// SetRenameHook installs the hook (nil removes it). Safe for concurrent use.
func (n *Network) SetRenameHook(f RenameHook) { n.renameHook.Store(&renameHookBox{f}) }

// RenameChannel gives a channel a new name (draft/channel-rename). Channel operators may rename;
// the new name must be valid and free (a change of case only is allowed). Members, modes, lists,
// topic, metadata and creation time move to the new name. Every other member gets the RENAME
// event, delivered with no core lock held so that the door may read the channel to render the
// PART/JOIN fallback. The event's Target is the old name, Params[0] the new one. Safe for
// concurrent use.
func (n *Network) RenameChannel(u *User, oldName, newName, reason string) (*model.Event, error) {
	if !n.ValidChannelName(newName) {
		return nil, ErrRenameInvalid
	}
	newKey := n.cm.Fold(newName)
	n.chanMu.Lock()
	c := n.chans[n.cm.Fold(oldName)]
	if c == nil {
		n.chanMu.Unlock()
		return nil, refuse(ErrNoSuchChannel, oldName)
	}
	if other := n.chans[newKey]; other != nil && other != c {
		n.chanMu.Unlock()
		return nil, ErrRenameNameInUse
	}
	c.mu.Lock()
	nc, err := n.moveChannelLocked(c, u, newName, newKey)
	var recipients []*User
	if err == nil {
		for m := range nc.members {
			if m != u {
				recipients = append(recipients, m)
			}
		}
	}
	c.mu.Unlock()
	n.chanMu.Unlock()
	if err != nil {
		return nil, err
	}
	ev := n.newEvent(model.KindRename, u, u.Prefix())
	ev.Target = c.name
	ev.Params = []string{nc.name}
	ev.Text = truncate(reason, n.Settings().KickLen)
	for _, m := range recipients {
		m.deliver(ev)
	}
	n.resubscribe(c, nc)
	if b := n.renameHook.Load(); b != nil && b.f != nil {
		b.f(c.key, nc.key, c.name, nc.name)
	}
	n.publish(cluster.ChannelSubject(n.Settings().Network, c.key), ev)
	return ev, nil
}

// moveChannelLocked builds the renamed channel from c, swaps it into the registry and into every
// member's channel set, and retires c. Caller holds chanMu and c.mu.
func (n *Network) moveChannelLocked(c *Channel, u *User, newName, newKey string) (*Channel, error) {
	m, ok := c.members[u]
	switch {
	case c.dead:
		return nil, refuse(ErrNoSuchChannel, c.name)
	case !ok:
		return nil, refuse(ErrNotOnChannel, c.name)
	case !m.Prefixes.AtLeast(model.Op):
		return nil, refuse(ErrChanOpPrivsNeeded, c.name)
	}
	nc := &Channel{
		name: newName, key: newKey, net: n, members: c.members, modes: c.modes, chanKey: c.chanKey,
		limit: c.limit, bans: c.bans, excepts: c.excepts, invexes: c.invexes, topic: c.topic, created: c.created, invited: c.invited,
	}
	nc.meta.Replace(c.meta.snapshot())
	nc.rebuildSnapshot()
	// The old channel is left empty and dead: an operation that found it before the rename sees
	// no members, and a JOIN retries and finds (or creates) the channel by name.
	c.members = make(map[*User]*Member)
	c.invited = make(map[string]struct{})
	c.dead = true
	c.rebuildSnapshot()
	delete(n.chans, c.key)
	n.chans[newKey] = nc
	for member := range nc.members {
		member.mu.Lock()
		delete(member.channels, c)
		member.channels[nc] = struct{}{}
		member.mu.Unlock()
	}
	return nc, nil
}

// resubscribe moves this node's bus interest from the old channel subject to the new one.
func (n *Network) resubscribe(old, nc *Channel) {
	if n.bus == nil || old.key == nc.key || !nc.hasLocalMembers() {
		return
	}
	net := n.Settings().Network
	_ = n.bus.Subscribe(cluster.ChannelSubject(net, nc.key))
	_ = n.bus.Unsubscribe(cluster.ChannelSubject(net, old.key))
}
