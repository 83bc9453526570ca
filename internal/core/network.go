package core

import (
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleychat/parley/internal/casemap"
	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/model"
)

// Options configure a Network.
type Options struct {
	Node     model.NodeID
	Casemap  casemap.Mapping
	Settings Settings
	Bus      cluster.Bus // nil: a single node with no peers
	Logger   *slog.Logger
	Now      func() time.Time // nil: time.Now
	// OnDeliver, when set, is told how many local recipients each user message reached (metrics).
	// It is called on the message path: it must be cheap and must not block.
	OnDeliver func(recipients int)
}

// Network is the state of the IRC network as this node knows it. Safe for concurrent use.
type Network struct {
	node      model.NodeID
	cm        casemap.Mapping
	bus       cluster.Bus
	log       *slog.Logger
	now       func() time.Time
	onDeliver func(int)
	settings  atomic.Pointer[Settings]
	created   time.Time

	nickMu sync.RWMutex // tier 1
	nicks  map[string]*User
	// nickShadow holds users that hold a nick the index shows someone else under (nickindex.go).
	nickShadow map[string][]*User

	chanMu sync.RWMutex // tier 1
	chans  map[string]*Channel

	whowas *whowasLog

	cl *clusterLink // the directory of a network of several nodes; nil for a single node (cluster.go)

	watcher atomic.Pointer[watcherBox] // MONITOR hook, see watch.go

	observers    observerRegistry            // API streams and webhooks, see observe.go
	observerSnap atomic.Pointer[[]*observer] // nil when there are none

	metaPersister atomic.Pointer[persisterBox]  // metadata of accounts and registered channels, see metadata.go
	renameHook    atomic.Pointer[renameHookBox] // told of channel renames (history), see rename.go

	msgIDs  *model.MsgIDSource         // time-ordered message ids (model/msgid.go)
	history atomic.Pointer[historyBox] // chat history, see history.go

	clientSeq  atomic.Uint64
	unknown    atomic.Int64 // connections not yet registered
	maxLocal   atomic.Int64
	localUsers atomic.Int64
	invisible  atomic.Int64 // registered users with +i, kept so LUSERS costs O(1)
	operCount  atomic.Int64 // registered users with +o
}

// New returns an empty network.
func New(opt Options) *Network {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Node == "" {
		opt.Node = "local"
	}
	n := &Network{
		node: opt.Node, cm: opt.Casemap, bus: opt.Bus, log: opt.Logger, now: opt.Now, onDeliver: opt.OnDeliver,
		nicks: make(map[string]*User), chans: make(map[string]*Channel),
	}
	n.created = n.now()
	s := opt.Settings
	n.settings.Store(&s)
	n.whowas = newWhowasLog(s.WhowasEntries)
	n.msgIDs = model.NewMsgIDSource()
	return n
}

// Node returns this node's id.
func (n *Network) Node() model.NodeID { return n.node }

// Created returns when the network state was created on this node (for RPL_CREATED).
func (n *Network) Created() time.Time { return n.created }

// Casemap returns the case mapping every name comparison uses.
func (n *Network) Casemap() casemap.Mapping { return n.cm }

// Fold returns the canonical key of a nick or channel name.
func (n *Network) Fold(name string) string { return n.cm.Fold(name) }

// Settings returns the current limits snapshot; do not modify it. Safe for concurrent use.
func (n *Network) Settings() *Settings { return n.settings.Load() }

// SetSettings swaps in a new limits snapshot (reload). Safe for concurrent use.
func (n *Network) SetSettings(s Settings) { n.settings.Store(&s) }

// Now returns the network's clock reading.
func (n *Network) Now() time.Time { return n.now() }

// NewMsgID returns a message id unique across the network that sorts in time order (see
// model.MsgIDSource: history turns an id back into its time). Safe for concurrent use.
func (n *Network) NewMsgID() string {
	return n.msgIDs.New(n.now())
}

// NewUser creates the core handle of a new local connection. The user is not visible to others until
// Register succeeds. Safe for concurrent use.
func (n *Network) NewUser(spec UserSpec, sink Sink) *User {
	id := model.ClientID(string(n.node) + "-" + strconv.FormatUint(n.clientSeq.Add(1), 36))
	u := &User{ID: id, Node: n.node, net: n, sink: sink, channels: make(map[*Channel]struct{})}
	u.prefix.Store(&model.Prefix{Nick: "*", User: spec.User, Host: spec.Host})
	u.ip = spec.IP
	u.realname = spec.Realname
	u.signon = n.now()
	u.lastActive = u.signon
	if spec.Secure {
		u.modes |= UModeSecure
	}
	n.unknown.Add(1)
	return u
}

// FindUser returns the registered user with the nick, or nil. Safe for concurrent use.
func (n *Network) FindUser(nick string) *User {
	key := n.cm.Fold(nick)
	n.nickMu.RLock()
	u := n.nicks[key]
	n.nickMu.RUnlock()
	return u
}

// NickInUse reports whether a nick is taken, for the early 433 before registration completes.
func (n *Network) NickInUse(nick string) bool { return n.FindUser(nick) != nil }

// Users returns every registered user, as a new slice. Safe for concurrent use.
func (n *Network) Users() []*User {
	n.nickMu.RLock()
	defer n.nickMu.RUnlock()
	out := make([]*User, 0, len(n.nicks))
	for _, u := range n.nicks {
		out = append(out, u)
	}
	return out
}

// Register claims the nick for u and makes it visible on the network. On ErrNicknameInUse or
// ErrErroneousNick the user stays unregistered and may try another nick. Safe for concurrent use.
func (n *Network) Register(u *User, nick string) error {
	if !n.ValidNick(nick) {
		return refuse(ErrErroneousNick, nick)
	}
	key := n.cm.Fold(nick)
	if n.cl != nil {
		if err := n.claimNick(u, key, nick); err != nil {
			return err
		}
	}
	n.nickMu.Lock()
	if other, taken := n.nicks[key]; taken && (n.cl == nil || other.IsLocal()) {
		n.nickMu.Unlock()
		if n.cl != nil {
			n.releaseNickLater(u, key)
		}
		return refuse(ErrNicknameInUse, nick)
	}
	n.setNickLocked(key, u)
	n.nickMu.Unlock()

	u.mu.Lock()
	p := u.Prefix()
	p.Nick = nick
	u.prefix.Store(&p)
	u.nickKey = key
	u.registered = true
	modes := u.modes
	u.signon = n.now()
	u.lastActive = u.signon
	u.mu.Unlock()

	n.unknown.Add(-1)
	n.countModes(modes, true)
	if u.IsLocal() {
		if c := n.localUsers.Add(1); c > n.maxLocal.Load() {
			n.maxLocal.Store(c)
		}
	}
	if n.cl != nil {
		n.registered(u)
	}
	n.notifyOnline(u)
	return nil
}

// ChangeNick renames a registered user. It returns the NICK event (for the actor's own copy), having
// delivered it to every local user sharing a channel. Changing only the case of one's nick is allowed.
func (n *Network) ChangeNick(u *User, nick string) (*model.Event, error) {
	if !n.ValidNick(nick) {
		return nil, refuse(ErrErroneousNick, nick)
	}
	key := n.cm.Fold(nick)
	old := u.Prefix()
	if old.Nick == nick {
		return nil, nil
	}
	if n.cl != nil && key != n.cm.Fold(old.Nick) {
		if err := n.claimNick(u, key, nick); err != nil {
			return nil, err
		}
	}
	n.nickMu.Lock()
	if other, taken := n.nicks[key]; taken && other != u && (n.cl == nil || other.IsLocal()) {
		n.nickMu.Unlock()
		if n.cl != nil && key != n.cm.Fold(old.Nick) {
			n.releaseNickLater(u, key)
		}
		return nil, refuse(ErrNicknameInUse, nick)
	}
	u.mu.RLock()
	oldKey := u.nickKey
	u.mu.RUnlock()
	n.dropNickLocked(oldKey, u)
	n.setNickLocked(key, u)
	u.mu.Lock()
	p := old
	p.Nick = nick
	u.prefix.Store(&p)
	u.nickKey = key
	u.mu.Unlock()
	n.nickMu.Unlock()

	n.whowas.add(n.cm.Fold(old.Nick), whowasFrom(u, old, n.now()))
	ev := n.newEvent(model.KindNick, u, old)
	ev.Text = nick
	chans := u.Channels()
	n.stampChannels(ev, chans)
	u.forEachNeighbour(func(m *User) { m.deliver(ev) })
	n.recordUserEvent(ev, chans)
	n.rekeyChannelMembers(u)
	if oldKey != key {
		n.notifyOffline(old.Nick)
		n.notifyOnline(u)
	}
	n.publish(cluster.ControlSubject(n.Settings().Network), ev)
	if n.cl != nil {
		n.userChanged(u)
		if oldKey != key {
			n.releaseNickLater(u, oldKey)
		}
	}
	return ev, nil
}

// rekeyChannelMembers refreshes the member snapshots that carry the user's nick.
func (n *Network) rekeyChannelMembers(u *User) {
	for _, c := range u.Channels() {
		c.mu.Lock()
		c.rebuildSnapshot()
		c.mu.Unlock()
	}
}

// Quit removes the user from the network: every local user sharing a channel sees the QUIT, the nick
// is free again and WHOWAS remembers it. Calling Quit twice, or for an unregistered user, is safe.
func (n *Network) Quit(u *User, reason string) *model.Event {
	u.mu.Lock()
	if u.gone {
		u.mu.Unlock()
		return nil
	}
	u.gone = true
	registered := u.registered
	key := u.nickKey
	modes := u.modes
	u.mu.Unlock()
	if !registered {
		n.unknown.Add(-1)
		return nil
	}
	ev := n.newEvent(model.KindQuit, u, u.Prefix())
	ev.Text = reason
	chans := u.Channels()
	n.stampChannels(ev, chans)
	u.forEachNeighbour(func(m *User) { m.deliver(ev) })
	n.recordUserEvent(ev, chans)
	for _, c := range chans {
		n.removeMember(c, u)
	}
	n.nickMu.Lock()
	n.dropNickLocked(key, u)
	n.nickMu.Unlock()
	n.whowas.add(key, whowasFrom(u, u.Prefix(), n.now()))
	n.countModes(modes, false)
	if u.IsLocal() {
		n.localUsers.Add(-1)
	}
	n.notifyOffline(u.Nick())
	n.publish(cluster.ControlSubject(n.Settings().Network), ev)
	if n.cl != nil && u.IsLocal() {
		n.quitDirectory(u, key, chans) // after the publish: the QUIT's reason reaches the others first
	}
	return ev
}

// newEvent stamps a new event with id, time, node and the source's identity.
func (n *Network) newEvent(kind model.Kind, u *User, src model.Prefix) *model.Event {
	u.mu.RLock()
	account, bot := u.account, u.modes&UModeBot != 0
	u.mu.RUnlock()
	now := n.now() // one reading: the id encodes the event's time exactly
	return &model.Event{
		Kind: kind, ID: n.msgIDs.New(now), Time: now, Node: n.node,
		Source: src, Account: account, Bot: bot,
	}
}

// stampChannels names chans, the source's channels, on a user event bound for the other nodes of
// a cluster (model.Event's Channels; a single node has no replica to be behind). Call it before
// the event is delivered anywhere: delivered events are immutable.
func (n *Network) stampChannels(ev *model.Event, chans []*Channel) {
	if n.cl == nil || len(chans) == 0 {
		return
	}
	ev.Channels = make([]string, len(chans))
	for i, c := range chans {
		ev.Channels[i] = c.key
	}
}

// publish hands an event to the other nodes, and to this node's observers (observe.go): whatever
// leaves the node is what they see. A bus error loses nothing locally, so it is logged.
func (n *Network) publish(subject string, ev *model.Event) {
	n.observe(ev)
	n.recordEvent(ev)
	if n.bus == nil {
		return
	}
	if err := n.bus.Publish(subject, ev); err != nil {
		n.log.Warn("bus publish failed", "subject", subject, "err", err)
	}
}

// Stats are the counts LUSERS and the metrics report.
type Stats struct {
	Users, Invisible, Opers, Unknown, Channels, LocalUsers, MaxLocalUsers int
}

// Stats counts users and channels. Safe for concurrent use; O(1), as every LUSERS asks for it.
func (n *Network) Stats() Stats {
	var s Stats
	n.nickMu.RLock()
	s.Users = len(n.nicks)
	n.nickMu.RUnlock()
	n.chanMu.RLock()
	s.Channels = len(n.chans)
	n.chanMu.RUnlock()
	s.Invisible = int(n.invisible.Load())
	s.Opers = int(n.operCount.Load())
	s.Unknown = int(n.unknown.Load())
	s.LocalUsers = int(n.localUsers.Load())
	s.MaxLocalUsers = int(n.maxLocal.Load())
	return s
}

// countMode keeps the LUSERS counters in step with one user mode change.
func (n *Network) countMode(bit UserMode, add bool) {
	d := int64(-1)
	if add {
		d = 1
	}
	switch bit {
	case UModeInvisible:
		n.invisible.Add(d)
	case UModeOper:
		n.operCount.Add(d)
	}
}

// countModes counts (or uncounts) every counted mode of a user joining (leaving) the network.
func (n *Network) countModes(modes UserMode, add bool) {
	for _, bit := range []UserMode{UModeInvisible, UModeOper} {
		if modes&bit != 0 {
			n.countMode(bit, add)
		}
	}
}
