package core

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/model"
)

// ChanMode is a set of channel flag modes as bits.
type ChanMode uint32

// The channel flag modes (CHANMODES type D) and the ones with parameters (k, l) as flags of presence.
const (
	CModeInviteOnly ChanMode = 1 << iota // i
	CModeModerated                       // m
	CModeNoExternal                      // n
	CModeSecret                          // s
	CModeTopicLock                       // t
	CModeKey                             // k (key set)
	CModeLimit                           // l (limit set)
	CModeRegOnly                         // R: only users logged into an account may join
	CModeRegSpeak                        // M: only users logged into an account (or voiced) may speak
	CModeNoCTCP                          // C: no CTCP but ACTION
)

var chanModeLetters = []struct {
	bit    ChanMode
	letter byte
}{
	{CModeNoCTCP, 'C'}, {CModeRegSpeak, 'M'}, {CModeRegOnly, 'R'},
	{CModeInviteOnly, 'i'}, {CModeKey, 'k'}, {CModeLimit, 'l'}, {CModeModerated, 'm'},
	{CModeNoExternal, 'n'}, {CModeSecret, 's'}, {CModeTopicLock, 't'},
}

// Member is one user's membership of a channel.
type Member struct {
	Prefixes model.Prefixes
	Joined   time.Time
	rev      uint64 // the directory revision of the membership (cluster.go); 0 for a single node
	inc      uint64 // the member's node incarnation, as its record carries it
}

// localMember is an entry of the fan-out snapshot.
type localMember struct {
	user     *User
	prefixes model.Prefixes
}

// ListEntry is one entry of a list mode (a ban): the mask, who set it and when.
type ListEntry struct {
	Mask  string
	SetBy string
	SetAt time.Time
}

// Topic is a channel topic with its setter and time.
type Topic struct {
	Text  string
	SetBy string
	SetAt time.Time
}

// Channel is one channel. Its name and key never change; the rest is under mu.
type Channel struct {
	name string
	key  string
	net  *Network

	mu       sync.RWMutex // tier 2
	members  map[*User]*Member
	modes    ChanMode
	chanKey  string
	limit    int
	bans     []ListEntry
	excepts  []ListEntry // +e, see lists.go
	invexes  []ListEntry // +I
	topic    Topic
	created  time.Time
	invited  map[string]struct{} // folded nicks invited past +i
	dead     bool                // removed from the registry; a Join that finds it retries
	rev      uint64              // the directory revision of the channel's record (cluster.go)
	snapshot atomic.Pointer[[]localMember]
	meta     Metadata // draft/metadata-2, its own leaf lock
}

// Name returns the channel's display name.
func (c *Channel) Name() string { return c.name }

// Key returns the folded name.
func (c *Channel) Key() string { return c.key }

// Created returns when the channel was created.
func (c *Channel) Created() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.created
}

// Topic returns the topic. Safe for concurrent use.
func (c *Channel) Topic() Topic {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.topic
}

// MemberCount returns the number of members. Safe for concurrent use.
func (c *Channel) MemberCount() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.members)
}

// ModeInfo is a snapshot of a channel's modes.
type ModeInfo struct {
	Flags ChanMode
	Key   string
	Limit int
}

// Modes returns a snapshot of the channel modes. Safe for concurrent use.
func (c *Channel) Modes() ModeInfo {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return ModeInfo{Flags: c.modes, Key: c.chanKey, Limit: c.limit}
}

// String renders modes as "+nt" plus parameters; showKey false hides the key (non-members).
func (m ModeInfo) String(showKey bool) (string, []string) {
	buf := []byte{'+'}
	var params []string
	for _, l := range chanModeLetters {
		if m.Flags&l.bit == 0 {
			continue
		}
		buf = append(buf, l.letter)
		switch l.bit {
		case CModeKey:
			if showKey {
				params = append(params, m.Key)
			} else {
				params = append(params, "*")
			}
		case CModeLimit:
			params = append(params, itoa(m.Limit))
		}
	}
	return string(buf), params
}

// Bans returns the ban list. Safe for concurrent use.
func (c *Channel) Bans() []ListEntry {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]ListEntry(nil), c.bans...)
}

// MemberView is a member as NAMES, WHO and the API show it.
type MemberView struct {
	User     *User
	Prefixes model.Prefixes
}

// Members returns the members sorted by nick. Safe for concurrent use.
func (c *Channel) Members() []MemberView {
	c.mu.RLock()
	out := make([]MemberView, 0, len(c.members))
	for u, m := range c.members {
		out = append(out, MemberView{User: u, Prefixes: m.Prefixes})
	}
	c.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].User.Nick() < out[j].User.Nick() })
	return out
}

// Membership returns u's membership and whether u is a member. Safe for concurrent use.
func (c *Channel) Membership(u *User) (Member, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	m, ok := c.members[u]
	if !ok {
		return Member{}, false
	}
	return *m, true
}

// IsSecret reports whether the channel is +s. Safe for concurrent use.
func (c *Channel) IsSecret() bool { return c.Modes().Flags&CModeSecret != 0 }

// rebuildSnapshot recomputes the fan-out snapshot of local members. Caller holds c.mu for writing.
func (c *Channel) rebuildSnapshot() {
	snap := make([]localMember, 0, len(c.members))
	for u, m := range c.members {
		if u.IsLocal() {
			snap = append(snap, localMember{u, m.Prefixes})
		}
	}
	c.snapshot.Store(&snap)
}

// deliverLocked sends ev to every local member except skip. Caller holds c.mu.
func (c *Channel) deliverLocked(ev *model.Event, skip *User) {
	for u := range c.members {
		if u != skip {
			u.deliver(ev)
		}
	}
}

// FindChannel returns the channel with the name, or nil. Safe for concurrent use.
func (n *Network) FindChannel(name string) *Channel {
	key := n.cm.Fold(name)
	n.chanMu.RLock()
	c := n.chans[key]
	n.chanMu.RUnlock()
	return c
}

// Channels returns every channel, as a new slice. Safe for concurrent use.
func (n *Network) Channels() []*Channel {
	n.chanMu.RLock()
	defer n.chanMu.RUnlock()
	out := make([]*Channel, 0, len(n.chans))
	for _, c := range n.chans {
		out = append(out, c)
	}
	return out
}

// channelForJoin returns the live channel with the name, creating it (from seed, when not nil) when
// absent.
func (n *Network) channelForJoin(name string, seed *ChannelSeed) (c *Channel, created bool) {
	key := n.cm.Fold(name)
	n.chanMu.RLock()
	c = n.chans[key]
	n.chanMu.RUnlock()
	if c != nil {
		return c, false
	}
	n.chanMu.Lock()
	defer n.chanMu.Unlock()
	if c = n.chans[key]; c != nil {
		return c, false
	}
	c = &Channel{name: name, key: key, net: n, members: make(map[*User]*Member),
		invited: make(map[string]struct{}), created: n.now(), modes: CModeNoExternal | CModeTopicLock}
	c.snapshot.Store(&[]localMember{})
	if seed != nil {
		c.seedLocked(seed) // not yet visible to anyone: no lock needed
	}
	n.chans[key] = c
	return c, true
}

// removeMember takes u out of c, and removes c from the registry when it becomes empty.
func (n *Network) removeMember(c *Channel, u *User) {
	c.mu.Lock()
	_, was := c.members[u]
	delete(c.members, u)
	c.rebuildSnapshot()
	empty := len(c.members) == 0
	c.mu.Unlock()
	if !was {
		return
	}
	u.mu.Lock()
	delete(u.channels, c)
	u.mu.Unlock()
	if u.IsLocal() && n.bus != nil {
		if !c.hasLocalMembers() {
			_ = n.bus.Unsubscribe(cluster.ChannelSubject(n.Settings().Network, c.key))
		}
	}
	if empty && n.cl == nil { // with a directory, the channel goes when its record does (remote.go)
		n.chanMu.Lock()
		c.mu.Lock()
		if len(c.members) == 0 && !c.dead {
			c.dead = true
			delete(n.chans, c.key)
		}
		c.mu.Unlock()
		n.chanMu.Unlock()
	}
}

func (c *Channel) hasLocalMembers() bool { return len(*c.snapshot.Load()) > 0 }

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	pos := len(b)
	neg := i < 0
	if neg {
		i = -i
	}
	for i > 0 {
		pos--
		b[pos] = byte('0' + i%10)
		i /= 10
	}
	if neg {
		pos--
		b[pos] = '-'
	}
	return string(b[pos:])
}
