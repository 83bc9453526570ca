package core

import (
	"github.com/parleychat/parley/internal/model"
)

// HandleBusEvent delivers an event another node published to this node's local users: channel
// events to the channel's local members (encoded once per capability set by their sinks, as for a
// local sender), private messages and invites to their recipient, user events (NICK, QUIT,
// AWAY...) to the user's local neighbours. State is not taken from here but from the directory's
// watch (ApplyChange), except that a QUIT removes the user at once. Events are not stored in
// history again: their node stored them in the shared stream. Called from the bus's delivery
// goroutine; safe for concurrent use.
func (n *Network) HandleBusEvent(_ string, ev *model.Event) {
	if ev == nil || ev.Node == n.node {
		return
	}
	switch ev.Kind {
	case model.KindPrivmsg, model.KindNotice, model.KindTagmsg:
		if !IsChannelName(ev.Target) {
			n.remotePrivate(ev)
			return
		}
		if c := n.FindChannel(ev.Target); c != nil {
			count := deliverLocal(c, ev, model.PrefixForSymbol(ev.Status))
			if n.onDeliver != nil {
				n.onDeliver(count)
			}
		}
	case model.KindMetadata:
		n.remoteMetadata(ev)
	case model.KindJoin, model.KindPart, model.KindMode, model.KindTopic, model.KindRename:
		if c := n.FindChannel(ev.Target); c != nil {
			if ev.Kind == model.KindJoin {
				n.noteShownJoin(ev, c)
			}
			deliverLocal(c, ev, 0)
		}
	case model.KindKick:
		n.remoteKick(ev)
	case model.KindInvite:
		n.remotePrivate(ev)
		return // not for observers
	case model.KindWallops:
		for _, m := range n.Users() {
			if m.IsLocal() && m.HasMode(UModeWallops) {
				m.deliver(ev)
			}
		}
		return
	case model.KindQuit:
		// Only the publishing node's user: after a partition heals, a late QUIT for a nick that
		// has a new owner on another node must not remove that owner.
		if u := n.FindUser(ev.Source.Nick); u != nil && !u.IsLocal() && u.Node == ev.Node {
			n.remoteQuit(u, ev, ev.Text)
		}
		return // remoteQuit told the observers
	case model.KindNick, model.KindAway, model.KindSetname, model.KindAccount, model.KindChghost:
		n.remoteUserEvent(ev)
	}
	n.observe(ev)
}

// remotePrivate hands a private message or an INVITE to its local recipient.
func (n *Network) remotePrivate(ev *model.Event) {
	to := n.FindUser(ev.Target)
	if to == nil || !to.IsLocal() {
		return
	}
	if ev.Kind == model.KindInvite && len(ev.Params) > 0 {
		if c := n.FindChannel(ev.Params[0]); c != nil {
			c.mu.Lock()
			c.invited[to.nickKeySafe()] = struct{}{}
			c.mu.Unlock()
		}
	}
	to.sink.Deliver(ev)
	if n.onDeliver != nil && ev.Kind.IsMessage() {
		n.onDeliver(1)
	}
}

// remoteKick shows a KICK to the channel's local members, and to a local victim even when the
// directory's removal got here first; then the victim leaves the replica's channel.
func (n *Network) remoteKick(ev *model.Event) {
	c := n.FindChannel(ev.Target)
	if c == nil || len(ev.Params) == 0 {
		return
	}
	victim := n.FindUser(ev.Params[0])
	delivered := false
	for _, lm := range *c.snapshot.Load() {
		lm.user.sink.Deliver(ev)
		delivered = delivered || lm.user == victim
	}
	if victim != nil && victim.IsLocal() && !delivered {
		victim.sink.Deliver(ev)
	}
	if victim != nil {
		n.removeMember(c, victim)
	}
}

// remoteUserEvent shows a remote user's NICK, AWAY, SETNAME, ACCOUNT or CHGHOST to the local
// users sharing a channel with it. The replica's user (found by its old nick, or by its new one
// when the directory's change came first) is updated by the watch.
func (n *Network) remoteUserEvent(ev *model.Event) {
	u := n.FindUser(ev.Source.Nick)
	if u == nil && ev.Kind == model.KindNick {
		u = n.FindUser(ev.Text)
	}
	if u == nil || u.IsLocal() || u.Node != ev.Node {
		return
	}
	reached := u.forEachRemoteNeighbour(ev, func(m *User) { m.deliver(ev) })
	if ev.Kind != model.KindNick {
		n.notifyChanged(u, ev, reached)
	}
}

// remoteMetadata applies a METADATA change made on another node to the replica's channel or user
// (the change is stored by the origin; the event carries all of it) and shows it here: to the
// channel's local members, or to the user (when someone else changed it) and its local neighbours.
func (n *Network) remoteMetadata(ev *model.Event) {
	if len(ev.Params) == 0 {
		return
	}
	var value *string
	if len(ev.Params) > 1 {
		v := ev.Params[1]
		value = &v
	}
	if c := n.FindChannel(ev.Target); c != nil {
		_, _ = c.meta.set(ev.Params[0], value) // the origin enforced the limits
		deliverLocal(c, ev, 0)
		return
	}
	u := n.FindUser(ev.Target)
	if u == nil {
		return
	}
	_, _ = u.meta.set(ev.Params[0], value)
	if u.IsLocal() && n.cm.Fold(ev.Source.Nick) != n.cm.Fold(u.Nick()) {
		u.deliver(ev)
	}
	u.forEachNeighbour(func(m *User) {
		if m.IsLocal() {
			m.deliver(ev)
		}
	})
}
