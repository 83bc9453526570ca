package core

import (
	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/model"
)

// A service is a pseudo-user of the network: the source of what a door without a connection (the
// JSON API) says and does. It has a prefix (for example "chatbot!api@irc.example.net") and the bot
// mode, but no nick registration, no channels and no sink: it is trusted by the door that
// authenticated it, so it need not be a channel member, and the Server* operations act with the
// rights of a channel founder. Its nick must not be in use by a real user, so it cannot pass itself
// off as one.

// serviceUser returns a detached user carrying a service's identity, so that the events it causes
// are stamped by the same code as everybody else's. It is in no registry and no channel; it is
// never local (nil sink), so nothing is ever delivered to it.
func (n *Network) serviceUser(from model.Prefix) (*User, error) {
	if !n.ValidNick(from.Nick) {
		return nil, refuse(ErrErroneousNick, from.Nick)
	}
	if n.FindUser(from.Nick) != nil {
		return nil, refuse(ErrNicknameInUse, from.Nick)
	}
	u := &User{ID: model.ClientID("service:" + from.Nick), Node: n.node, net: n, modes: UModeBot,
		channels: make(map[*Channel]struct{})}
	u.prefix.Store(&from)
	return u, nil
}

// ServiceSay delivers a PRIVMSG or NOTICE from a service to a channel: every local member has it in
// its send queue when ServiceSay returns, other nodes get one publish, exactly as with Say. The
// service need not be a member and ignores +n and bans; a moderated (+m) channel refuses it unless
// override is set (an administrator). Only channel targets are accepted. Safe for concurrent use.
func (n *Network) ServiceSay(from model.Prefix, msg Message, override bool) (*model.Event, error) {
	if !IsChannelName(msg.Target) {
		return nil, refuse(ErrNoSuchChannel, msg.Target)
	}
	if msg.Text == "" && msg.Kind != model.KindTagmsg {
		return nil, refuse(ErrNoTextToSend, msg.Target)
	}
	u, err := n.serviceUser(from)
	if err != nil {
		return nil, err
	}
	c := n.FindChannel(msg.Target)
	if c == nil {
		return nil, refuse(ErrNoSuchChannel, msg.Target)
	}
	c.mu.RLock()
	moderated := c.modes&CModeModerated != 0
	snap := *c.snapshot.Load()
	c.mu.RUnlock()
	if moderated && !override {
		return nil, refuse(ErrCannotSendToChan, c.name)
	}
	ev := n.newEvent(msg.Kind, u, from)
	ev.Target = c.name
	ev.Text = msg.Text
	ev.Tags = msg.Tags
	for _, lm := range snap {
		lm.user.sink.Deliver(ev)
	}
	if n.onDeliver != nil {
		n.onDeliver(len(snap))
	}
	n.publish(cluster.ChannelSubject(n.Settings().Network, c.key), ev)
	if err := WaitStored(n.storeSaid(u, ev, nil)); err != nil {
		return nil, err // delivered, not stored: the caller must not report it as stored
	}
	return ev, nil
}

// ServerMode applies channel mode changes as a service with founder rights: every member, the
// service included, may be given or denied any rank. It returns what ApplyChannelModes returns; the
// MODE event reaches every local member. Safe for concurrent use.
func (n *Network) ServerMode(from model.Prefix, name string, changes []ModeChange) ([]ModeChange, *model.Event, []error) {
	u, err := n.serviceUser(from)
	if err != nil {
		return nil, nil, []error{err}
	}
	c := n.FindChannel(name)
	if c == nil {
		return nil, nil, []error{refuse(ErrNoSuchChannel, name)}
	}
	c.mu.Lock()
	var applied []ModeChange
	var errs []error
	for _, ch := range changes {
		if classify(ch.Mode) == classUnknown {
			errs = append(errs, &Error{Code: ErrUnknownMode, Target: string(ch.Mode), Detail: c.name})
			continue
		}
		done, err := c.applyOneLocked(u, model.Founder, ch)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if done != nil {
			applied = append(applied, *done)
		}
	}
	if len(applied) == 0 {
		c.mu.Unlock()
		return nil, nil, errs
	}
	c.rebuildSnapshot()
	ev := n.newEvent(model.KindMode, u, from)
	ev.Target = c.name
	ev.Params = FormatModeChanges(applied)
	c.deliverLocked(ev, nil)
	c.mu.Unlock()
	if n.cl != nil {
		n.syncModes(c, applied) // before the publish, as MODE: peers have the state with the event
	}
	n.publish(cluster.ChannelSubject(n.Settings().Network, c.key), ev)
	return applied, ev, errs
}

// ServerKick removes a member from a channel on a service's authority; every local member, the
// victim included, sees the KICK. Safe for concurrent use.
func (n *Network) ServerKick(from model.Prefix, name, victimNick, reason string) (*model.Event, error) {
	u, err := n.serviceUser(from)
	if err != nil {
		return nil, err
	}
	c := n.FindChannel(name)
	if c == nil {
		return nil, refuse(ErrNoSuchChannel, name)
	}
	victim := n.FindUser(victimNick)
	c.mu.Lock()
	if victim == nil || c.members[victim] == nil {
		c.mu.Unlock()
		return nil, &Error{Code: ErrUserNotInChannel, Target: victimNick, Detail: c.name}
	}
	ev := n.newEvent(model.KindKick, u, from)
	ev.Target = c.name
	ev.Params = []string{victim.Nick()}
	ev.Text = truncate(reason, n.Settings().KickLen)
	c.deliverLocked(ev, nil)
	c.mu.Unlock()
	n.removeMember(c, victim)
	n.publish(cluster.ChannelSubject(n.Settings().Network, c.key), ev)
	if n.cl != nil {
		n.leftChannel(c, victim)
	}
	return ev, nil
}

// ServerTopic sets a channel's topic on a service's authority, whatever +t says; every local member
// sees the TOPIC. Safe for concurrent use.
func (n *Network) ServerTopic(from model.Prefix, name, text string) (*model.Event, error) {
	u, err := n.serviceUser(from)
	if err != nil {
		return nil, err
	}
	c := n.FindChannel(name)
	if c == nil {
		return nil, refuse(ErrNoSuchChannel, name)
	}
	c.mu.Lock()
	text = truncate(text, n.Settings().TopicLen)
	topic := Topic{Text: text, SetBy: from.String(), SetAt: n.now()}
	c.topic = topic
	ev := n.newEvent(model.KindTopic, u, from)
	ev.Target = c.name
	ev.Text = text
	c.deliverLocked(ev, nil)
	c.mu.Unlock()
	if n.cl != nil {
		if err := n.syncChannel(c, func(rec *cluster.ChannelRecord) {
			rec.Topic, rec.TopicBy, rec.TopicAt = topic.Text, topic.SetBy, topic.SetAt
		}); err != nil {
			n.log.Warn("directory: topic not stored", "channel", c.key, "err", err)
		}
	}
	n.publish(cluster.ChannelSubject(n.Settings().Network, c.key), ev)
	return ev, nil
}

// ServerKill disconnects a user on a service's authority, as KILL does for an operator: the
// victim's connection closes through its sink (see Killable) and the network sees a QUIT with the
// reason. Safe for concurrent use.
func (n *Network) ServerKill(from model.Prefix, targetNick, reason string) error {
	target := n.FindUser(targetNick)
	if target == nil {
		return refuse(ErrNoSuchNick, targetNick)
	}
	n.killQuit(target, from.Nick, reason)
	return nil
}

// killQuit takes target off the network with the KILL's reason, then closes its connection. In
// that order: the closing connection quits the user too, with the reason its client is shown, and
// whichever Quit comes first is the one the network sees.
func (n *Network) killQuit(target *User, by, reason string) {
	n.Quit(target, "Killed ("+by+" ("+reason+"))")
	if k, ok := target.sink.(Killable); ok {
		k.Kill(by, reason)
	}
}
