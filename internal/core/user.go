package core

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleychat/parley/internal/model"
)

// Sink receives the events a local user should see. Deliver must not block: it encodes (or takes the
// shared encoding) and appends to a bounded queue, disconnecting the user when the queue overflows.
type Sink interface {
	Deliver(ev *model.Event)
}

// UserMode is a set of user mode letters as bits.
type UserMode uint32

// The user modes parley knows.
const (
	UModeInvisible UserMode = 1 << iota // i
	UModeOper                           // o
	UModeWallops                        // w
	UModeBot                            // B
	UModeSecure                         // Z: connected over TLS (set by the server)
	UModeLoggedIn                       // R: logged into an account (set by the server)
)

var userModeLetters = []struct {
	bit    UserMode
	letter byte
}{{UModeBot, 'B'}, {UModeLoggedIn, 'R'}, {UModeSecure, 'Z'}, {UModeInvisible, 'i'}, {UModeOper, 'o'}, {UModeWallops, 'w'}}

// UserModeForLetter returns the bit of a user mode letter, or 0 when parley does not know it.
func UserModeForLetter(c byte) UserMode {
	for _, m := range userModeLetters {
		if m.letter == c {
			return m.bit
		}
	}
	return 0
}

// String returns "+" and the mode letters.
func (m UserMode) String() string {
	buf := []byte{'+'}
	for _, l := range userModeLetters {
		if m&l.bit != 0 {
			buf = append(buf, l.letter)
		}
	}
	return string(buf)
}

// User is one client on the network, on this node (sink != nil) or on another. Its identity (the
// Prefix) is read lock-free on the message path; everything else is under mu.
type User struct {
	ID   model.ClientID
	Node model.NodeID
	net  *Network
	sink Sink
	inc  uint64 // the node incarnation the user belongs to (under mu): a remote user's from its record, a local user's from its first nick claim

	prefix atomic.Pointer[model.Prefix]

	mu         sync.RWMutex // tier 3
	nickKey    string
	realname   string
	ip         string
	account    string
	away       string
	awaySince  time.Time
	modes      UserMode
	operClass  string
	channels   map[*Channel]struct{}
	registered bool
	signon     time.Time
	lastActive time.Time
	gone       bool

	meta Metadata // draft/metadata-2, its own leaf lock
}

// UserSpec is what the door knows of a connection before it registers.
type UserSpec struct {
	User     string
	Host     string
	IP       string
	Realname string
	Secure   bool
}

// Prefix returns nick!user@host. Lock-free; safe for concurrent use.
func (u *User) Prefix() model.Prefix { return *u.prefix.Load() }

// Nick returns the current nick ("*" before registration). Safe for concurrent use.
func (u *User) Nick() string { return u.prefix.Load().Nick }

// IsLocal reports whether the user is connected to this node.
func (u *User) IsLocal() bool { return u.sink != nil }

// Info is a consistent copy of a user's public state, for WHOIS, WHO and the API.
type Info struct {
	model.Prefix
	Realname   string
	IP         string
	Account    string
	Away       string
	Modes      UserMode
	OperClass  string
	Signon     time.Time
	LastActive time.Time
	Registered bool
	Node       model.NodeID
}

// Info returns a snapshot of the user's state. Safe for concurrent use.
func (u *User) Info() Info {
	u.mu.RLock()
	defer u.mu.RUnlock()
	return Info{
		Prefix: u.Prefix(), Realname: u.realname, IP: u.ip, Account: u.account, Away: u.away,
		Modes: u.modes, OperClass: u.operClass, Signon: u.signon, LastActive: u.lastActive,
		Registered: u.registered, Node: u.Node,
	}
}

// Away returns the away message, "" when present. Safe for concurrent use.
func (u *User) Away() string {
	u.mu.RLock()
	defer u.mu.RUnlock()
	return u.away
}

// Account returns the account the user is logged into, "" when none. Safe for concurrent use.
func (u *User) Account() string {
	u.mu.RLock()
	defer u.mu.RUnlock()
	return u.account
}

// Modes returns the user's modes. Safe for concurrent use.
func (u *User) Modes() UserMode {
	u.mu.RLock()
	defer u.mu.RUnlock()
	return u.modes
}

// HasMode reports whether the user has all of the given modes. Safe for concurrent use.
func (u *User) HasMode(m UserMode) bool { return u.Modes()&m == m }

// Channels returns the channels the user is in, as a new slice. Safe for concurrent use.
func (u *User) Channels() []*Channel {
	u.mu.RLock()
	defer u.mu.RUnlock()
	out := make([]*Channel, 0, len(u.channels))
	for c := range u.channels {
		out = append(out, c)
	}
	return out
}

// ChannelCount returns how many channels the user is in. Safe for concurrent use.
func (u *User) ChannelCount() int {
	u.mu.RLock()
	defer u.mu.RUnlock()
	return len(u.channels)
}

// Touch records activity for WHOIS idle time; only messages count, as on other servers.
func (u *User) Touch(now time.Time) {
	u.mu.Lock()
	u.lastActive = now
	u.mu.Unlock()
}

// SetRealname changes the realname before registration (USER). Safe for concurrent use.
func (u *User) SetIdent(user, realname string) {
	u.mu.Lock()
	p := u.Prefix()
	p.User = user
	u.prefix.Store(&p)
	u.realname = truncate(realname, u.net.Settings().RealnameLen)
	u.mu.Unlock()
}

// SetAccount records the account the user logged into ("" to log out), and sets user mode +R
// while logged in. Safe for concurrent use.
func (u *User) SetAccount(account string) {
	u.mu.Lock()
	u.account = account
	if account != "" {
		u.modes |= UModeLoggedIn
	} else {
		u.modes &^= UModeLoggedIn
	}
	u.mu.Unlock()
}

// SetOper gives the user oper status of the given class. Safe for concurrent use.
func (u *User) SetOper(class string) {
	u.mu.Lock()
	was := u.modes&UModeOper != 0
	u.modes |= UModeOper
	u.operClass = class
	counted := u.registered && !u.gone && !was
	u.mu.Unlock()
	if counted {
		u.net.countMode(UModeOper, true)
	}
	u.net.userChanged(u)
}

// IsOper reports whether the user is an IRC operator.
func (u *User) IsOper() bool { return u.HasMode(UModeOper) }

func (u *User) deliver(ev *model.Event) {
	if u.sink != nil {
		u.sink.Deliver(ev)
	}
}

// forEachNeighbour calls f once for every other user sharing a channel with u, and returns the set of
// users it called f for. It takes each channel's lock in turn (tier 2) and must be called without
// u.mu held.
func (u *User) forEachNeighbour(f func(*User)) map[*User]struct{} {
	seen := make(map[*User]struct{})
	for _, c := range u.Channels() {
		c.mu.RLock()
		for m := range c.members {
			if m == u {
				continue
			}
			if _, dup := seen[m]; dup {
				continue
			}
			seen[m] = struct{}{}
			f(m)
		}
		c.mu.RUnlock()
	}
	return seen
}

// forEachRemoteNeighbour is forEachNeighbour for a remote user's event: the replica's members of
// u's channels, and the local members of the channels the event names (ev.Channels, as u's node
// knew them when it published), which the replica may not show yet: the bus delivers the JOIN and
// the QUIT in order, the directory's watch brings the membership on its own time.
func (u *User) forEachRemoteNeighbour(ev *model.Event, f func(*User)) map[*User]struct{} {
	seen := u.forEachNeighbour(f)
	for _, name := range ev.Channels {
		c := u.net.FindChannel(name)
		if c == nil {
			continue
		}
		for _, lm := range *c.snapshot.Load() {
			if _, dup := seen[lm.user]; dup || lm.user == u {
				continue
			}
			seen[lm.user] = struct{}{}
			f(lm.user)
		}
	}
	return seen
}
