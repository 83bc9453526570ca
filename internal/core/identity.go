package core

import (
	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/model"
)

// SetUserAccount records that u logged into account ("" logs out) and tells channel neighbours with
// an ACCOUNT event (IRCv3 account-notify); the door filters it by capability. Unlike operations a
// user performs, u gets a copy too, since the change usually comes from the server (SASL, services).
// Safe for concurrent use.
func (n *Network) SetUserAccount(u *User, account string) *model.Event {
	u.SetAccount(account)
	ev := n.newEvent(model.KindAccount, u, u.Prefix())
	ev.Text = account
	n.deliverIdentity(u, ev)
	return ev
}

// SetRealname changes a registered user's realname (IRCv3 setname) and delivers the SETNAME event to
// channel neighbours; the door shows it to those with the setname capability. The caller renders the
// actor's own copy. The realname is cut to the configured length. Safe for concurrent use.
func (n *Network) SetRealname(u *User, realname string) *model.Event {
	realname = truncate(realname, n.Settings().RealnameLen)
	u.mu.Lock()
	u.realname = realname
	u.mu.Unlock()
	ev := n.newEvent(model.KindSetname, u, u.Prefix())
	ev.Text = realname
	n.stampChannels(ev, u.Channels())
	reached := u.forEachNeighbour(func(m *User) { m.deliver(ev) })
	n.notifyChanged(u, ev, reached)
	n.publish(cluster.ControlSubject(n.Settings().Network), ev)
	n.userChanged(u)
	return ev
}

// ChangeHost gives u a new username and host (IRCv3 chghost). It delivers, in this order:
//
//   - one CHGHOST event (Params = user, host; source = the old prefix) to u and to every channel
//     neighbour once. Clients with the chghost capability render it; the others see it as
//     "QUIT :Changing host";
//   - for each of u's channels, a CHGHOST event with Target = the channel and Params = user, host,
//     realname, and the member's prefix mode letters (e.g. "ov"). Clients without chghost render it
//     as the JOIN (and MODE) that follow the QUIT in the spec's fallback; chghost clients drop it.
//
// Safe for concurrent use.
func (n *Network) ChangeHost(u *User, user, host string) *model.Event {
	u.mu.Lock()
	old := u.Prefix()
	p := old
	p.User, p.Host = user, host
	u.prefix.Store(&p)
	realname := u.realname
	u.mu.Unlock()

	ev := n.newEvent(model.KindChghost, u, old)
	ev.Params = []string{user, host}
	n.stampChannels(ev, u.Channels())
	u.deliver(ev)
	reached := u.forEachNeighbour(func(m *User) { m.deliver(ev) })
	for _, c := range u.Channels() {
		c.mu.RLock()
		if mem, ok := c.members[u]; ok {
			cev := n.newEvent(model.KindChghost, u, p)
			cev.Target = c.name
			cev.Params = []string{user, host, realname, prefixModeLetters(mem.Prefixes)}
			c.deliverLocked(cev, u)
		}
		c.mu.RUnlock()
	}
	reached[u] = struct{}{}
	n.notifyChanged(u, ev, reached)
	n.publish(cluster.ControlSubject(n.Settings().Network), ev)
	n.userChanged(u)
	return ev
}

// deliverIdentity sends an identity change of u to u itself, its channel neighbours and watchers.
func (n *Network) deliverIdentity(u *User, ev *model.Event) {
	n.stampChannels(ev, u.Channels())
	u.deliver(ev)
	reached := u.forEachNeighbour(func(m *User) { m.deliver(ev) })
	reached[u] = struct{}{}
	n.notifyChanged(u, ev, reached)
	n.publish(cluster.ControlSubject(n.Settings().Network), ev)
	n.userChanged(u)
}

// prefixModeLetters returns the mode letters of the ranks held, highest first ("ov").
func prefixModeLetters(p model.Prefixes) string {
	var buf []byte
	for _, pm := range model.PrefixModes {
		if p&pm.Bit != 0 {
			buf = append(buf, pm.Mode)
		}
	}
	return string(buf)
}
