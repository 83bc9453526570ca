package core

import (
	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/model"
)

// JoinResult tells the door what a successful JOIN produced.
type JoinResult struct {
	Channel *Channel
	Event   *model.Event // the JOIN, for the actor's own copy; nil when u was already a member
	Created bool
}

// Join puts u in the channel, creating it (with u as operator) when it does not exist. key is the
// channel key the user offered. It checks, in RFC 2812 order: name (403/479), channel count (405),
// invite-only (473), bans (474), key (475), limit (471), then +R (477). Safe for concurrent use.
func (n *Network) Join(u *User, name, key string) (JoinResult, error) {
	return n.JoinWith(u, name, key, JoinOptions{})
}

// JoinOptions carry what the door knows of a channel beyond the live state: a registered channel
// (services) is re-created from its registration, and its founder rather than whoever joins first
// holds it.
type JoinOptions struct {
	// Seed, when set, is the state a channel this join creates starts with.
	Seed *ChannelSeed
	// NoAutoOp withholds the operator rank from a user who creates (or re-fills) the channel.
	NoAutoOp bool
}

// ChannelSeed is the starting state of a re-created channel.
type ChannelSeed struct {
	Modes string // flag mode letters, e.g. "ntR"; k and l come from Key and Limit
	Key   string
	Limit int
	Topic Topic
}

// JoinWith is Join with options. Safe for concurrent use.
func (n *Network) JoinWith(u *User, name, key string, opt JoinOptions) (JoinResult, error) {
	if !n.ValidChannelName(name) {
		return JoinResult{}, refuse(ErrNoSuchChannel, name)
	}
	if max := n.Settings().MaxChannels; max > 0 && u.ChannelCount() >= max {
		return JoinResult{}, refuse(ErrTooManyChannels, name)
	}
	if n.cl != nil {
		return n.joinCluster(u, name, key, opt)
	}
	for {
		c, created := n.channelForJoin(name, opt.Seed)
		res, retry, err := n.joinExisting(c, u, key, created, opt)
		if !retry {
			return res, err
		}
	}
}

func (n *Network) joinExisting(c *Channel, u *User, key string, created bool, opt JoinOptions) (JoinResult, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dead {
		return JoinResult{}, true, nil
	}
	if _, already := c.members[u]; already {
		return JoinResult{Channel: c}, false, nil
	}
	if err := c.admissionLocked(u, key); err != nil {
		if len(c.members) == 0 {
			// A seeded channel (+R, +k...) can refuse the user who created it; it must not linger.
			defer n.dropIfEmpty(c)
		}
		return JoinResult{}, false, err
	}
	m := &Member{Joined: n.now()}
	// With a directory, only the creator in the directory is op: the replica may not know every
	// member yet.
	if (created || (n.cl == nil && len(c.members) == 0)) && !opt.NoAutoOp {
		m.Prefixes = model.Op
	}
	c.members[u] = m
	delete(c.invited, u.nickKeySafe())
	c.rebuildSnapshot()
	u.mu.Lock()
	u.channels[c] = struct{}{}
	realname, away := u.realname, u.away
	u.mu.Unlock()

	ev := n.newEvent(model.KindJoin, u, u.Prefix())
	ev.Target = c.name
	ev.Params = []string{realname}
	c.deliverLocked(ev, u)
	if away != "" {
		// IRCv3 away-notify: a user who joins while away is announced as away right after the JOIN.
		aev := n.newEvent(model.KindAway, u, u.Prefix())
		aev.Text = away
		c.deliverLocked(aev, u)
	}
	if u.IsLocal() && n.bus != nil && len(*c.snapshot.Load()) == 1 {
		_ = n.bus.Subscribe(cluster.ChannelSubject(n.Settings().Network, c.key))
	}
	n.publish(cluster.ChannelSubject(n.Settings().Network, c.key), ev)
	return JoinResult{Channel: c, Event: ev, Created: created}, false, nil
}

// admissionLocked applies the channel's entry rules to u. Caller holds c.mu.
func (c *Channel) admissionLocked(u *User, key string) error {
	_, invited := c.invited[u.nickKeySafe()]
	if c.modes&CModeInviteOnly != 0 && !invited && !c.isInviteExempt(u) {
		return refuse(ErrInviteOnlyChan, c.name)
	}
	if !invited && c.isBanned(u) {
		return refuse(ErrBannedFromChan, c.name)
	}
	if c.modes&CModeKey != 0 && key != c.chanKey {
		return refuse(ErrBadChannelKey, c.name)
	}
	if c.modes&CModeLimit != 0 && len(c.members) >= c.limit && !invited {
		return refuse(ErrChannelIsFull, c.name)
	}
	if c.modes&CModeRegOnly != 0 && !invited && u.Account() == "" {
		return refuse(ErrNeedReggedNick, c.name)
	}
	return nil
}

// seedLocked gives a new channel its registered state. Caller holds c.mu.
func (c *Channel) seedLocked(s *ChannelSeed) {
	var modes ChanMode
	for i := 0; i < len(s.Modes); i++ {
		if b := flagBit(s.Modes[i]); b != 0 && b != CModeKey && b != CModeLimit {
			modes |= b
		}
	}
	if s.Key != "" {
		modes |= CModeKey
	}
	if s.Limit > 0 {
		modes |= CModeLimit
	}
	c.modes, c.chanKey, c.limit = modes, s.Key, s.Limit
	if s.Topic.Text != "" {
		c.topic = s.Topic
	}
}

// dropIfEmpty removes a channel nobody managed to join from the registry. It runs on its own
// goroutine because the caller holds c.mu, and chanMu must be taken first.
func (n *Network) dropIfEmpty(c *Channel) {
	go func() {
		n.chanMu.Lock()
		c.mu.Lock()
		if len(c.members) == 0 && !c.dead {
			c.dead = true
			delete(n.chans, c.key)
		}
		c.mu.Unlock()
		n.chanMu.Unlock()
	}()
}

func (u *User) nickKeySafe() string {
	u.mu.RLock()
	defer u.mu.RUnlock()
	return u.nickKey
}

// Part takes u out of the channel; every member sees the PART. Safe for concurrent use.
func (n *Network) Part(u *User, name, reason string) (*model.Event, error) {
	c := n.FindChannel(name)
	if c == nil {
		return nil, refuse(ErrNoSuchChannel, name)
	}
	c.mu.Lock()
	if _, ok := c.members[u]; !ok {
		c.mu.Unlock()
		return nil, refuse(ErrNotOnChannel, c.name)
	}
	ev := n.newEvent(model.KindPart, u, u.Prefix())
	ev.Target = c.name
	ev.Text = truncate(reason, n.Settings().KickLen)
	c.deliverLocked(ev, u)
	c.mu.Unlock()
	n.removeMember(c, u)
	n.publish(cluster.ChannelSubject(n.Settings().Network, c.key), ev)
	if n.cl != nil {
		n.leftChannel(c, u)
	}
	return ev, nil
}

// PartAll parts every channel (JOIN 0) and returns the PART events for the actor's copies.
func (n *Network) PartAll(u *User, reason string) []*model.Event {
	var evs []*model.Event
	for _, c := range u.Channels() {
		if ev, err := n.Part(u, c.name, reason); err == nil {
			evs = append(evs, ev)
		}
	}
	return evs
}

// Kick removes victim from the channel. The actor must be a halfop or above and rank at least as high
// as the victim. Safe for concurrent use.
func (n *Network) Kick(u *User, name, victimNick, reason string) (*model.Event, error) {
	c := n.FindChannel(name)
	if c == nil {
		return nil, refuse(ErrNoSuchChannel, name)
	}
	victim := n.FindUser(victimNick)
	c.mu.Lock()
	am, ok := c.members[u]
	if !ok {
		c.mu.Unlock()
		return nil, refuse(ErrNotOnChannel, c.name)
	}
	var vm *Member
	if victim != nil {
		vm = c.members[victim]
	}
	if vm == nil {
		c.mu.Unlock()
		return nil, &Error{Code: ErrUserNotInChannel, Target: victimNick, Detail: c.name}
	}
	if !canActOn(am.Prefixes, vm.Prefixes) {
		c.mu.Unlock()
		return nil, refuse(ErrChanOpPrivsNeeded, c.name)
	}
	ev := n.newEvent(model.KindKick, u, u.Prefix())
	ev.Target = c.name
	ev.Params = []string{victim.Nick()}
	ev.Text = truncate(reason, n.Settings().KickLen)
	c.deliverLocked(ev, u)
	c.mu.Unlock()
	n.removeMember(c, victim)
	n.publish(cluster.ChannelSubject(n.Settings().Network, c.key), ev)
	if n.cl != nil {
		n.leftChannel(c, victim)
	}
	return ev, nil
}

// canActOn reports whether a member with rank actor may kick or demote one with rank target:
// halfop or above, and not below the target's rank.
func canActOn(actor, target model.Prefixes) bool {
	if !actor.AtLeast(model.Halfop) {
		return false
	}
	th := target.Highest()
	return th == 0 || actor.Highest() <= th
}

// Invite lets target past +i (and a limit or ban) on the channel. The inviter must be a member, and a
// halfop when the channel is +i. The INVITE is delivered to the target; the event is returned for the
// door to notify channel operators (invite-notify). Safe for concurrent use.
func (n *Network) Invite(u *User, targetNick, name string) (*model.Event, error) {
	target := n.FindUser(targetNick)
	if target == nil {
		return nil, refuse(ErrNoSuchNick, targetNick)
	}
	c := n.FindChannel(name)
	if c == nil {
		return nil, refuse(ErrNoSuchChannel, name)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	am, ok := c.members[u]
	if !ok {
		return nil, refuse(ErrNotOnChannel, c.name)
	}
	if _, on := c.members[target]; on {
		return nil, &Error{Code: ErrUserOnChannel, Target: target.Nick(), Detail: c.name}
	}
	if c.modes&CModeInviteOnly != 0 && !am.Prefixes.AtLeast(model.Halfop) {
		return nil, refuse(ErrChanOpPrivsNeeded, c.name)
	}
	c.invited[target.nickKeySafe()] = struct{}{}
	ev := n.newEvent(model.KindInvite, u, u.Prefix())
	ev.Target = target.Nick()
	ev.Params = []string{c.name}
	target.deliver(ev)
	for m, mm := range c.members {
		if m != u && mm.Prefixes.AtLeast(model.Halfop) {
			m.deliver(ev)
		}
	}
	n.publish(n.userSubject(target), ev)
	return ev, nil
}

// SetTopic changes the topic; with +t only halfops and above may. Safe for concurrent use.
func (n *Network) SetTopic(u *User, name, text string) (*model.Event, error) {
	ev, err := n.setTopic(u, name, text)
	if err == nil && n.cl != nil {
		c := n.FindChannel(name)
		if c == nil {
			return ev, nil
		}
		topic := c.Topic()
		if err := n.syncChannel(c, func(rec *cluster.ChannelRecord) {
			rec.Topic, rec.TopicBy, rec.TopicAt = topic.Text, topic.SetBy, topic.SetAt
		}); err != nil {
			n.log.Warn("directory: topic not stored", "channel", c.key, "err", err)
		}
		n.publish(cluster.ChannelSubject(n.Settings().Network, c.key), ev) // after the directory, as MODE
	}
	return ev, err
}

func (n *Network) setTopic(u *User, name, text string) (*model.Event, error) {
	c := n.FindChannel(name)
	if c == nil {
		return nil, refuse(ErrNoSuchChannel, name)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.members[u]
	if !ok {
		return nil, refuse(ErrNotOnChannel, c.name)
	}
	if c.modes&CModeTopicLock != 0 && !m.Prefixes.AtLeast(model.Halfop) {
		return nil, refuse(ErrChanOpPrivsNeeded, c.name)
	}
	text = truncate(text, n.Settings().TopicLen)
	c.topic = Topic{Text: text, SetBy: u.Prefix().String(), SetAt: n.now()}
	ev := n.newEvent(model.KindTopic, u, u.Prefix())
	ev.Target = c.name
	ev.Text = text
	c.deliverLocked(ev, u)
	if n.cl == nil {
		n.publish(cluster.ChannelSubject(n.Settings().Network, c.key), ev)
	}
	return ev, nil
}

// userSubject is where events for one user travel: the subject of the node the user is on.
func (n *Network) userSubject(to *User) string {
	return cluster.NodeSubject(n.Settings().Network, to.Node)
}
