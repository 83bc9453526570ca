package model

import (
	"sync"
	"sync/atomic"
	"time"
)

// NodeID names one parley node in a network.
type NodeID string

// ClientID identifies one connection network-wide: the node it is on and a per-node sequence.
type ClientID string

// Prefix is the source of an event: nick!user@host.
type Prefix struct {
	Nick, User, Host string
}

// String returns nick!user@host, or just the nick when user and host are unknown.
func (p Prefix) String() string {
	if p.User == "" && p.Host == "" {
		return p.Nick
	}
	return p.Nick + "!" + p.User + "@" + p.Host
}

// Kind says what an Event is.
type Kind uint8

// The event kinds. Their numbers are part of the cluster's wire encoding: append, never renumber.
const (
	KindPrivmsg Kind = iota + 1
	KindNotice
	KindTagmsg
	KindJoin
	KindPart
	KindKick
	KindQuit
	KindNick
	KindMode
	KindTopic
	KindInvite
	KindAway
	KindWallops
	KindChghost
	KindSetname
	KindAccount
	KindRename   // draft/channel-rename
	KindMetadata // draft/metadata-2 notification
)

var kindNames = [...]string{
	KindPrivmsg: "PRIVMSG", KindNotice: "NOTICE", KindTagmsg: "TAGMSG", KindJoin: "JOIN",
	KindPart: "PART", KindKick: "KICK", KindQuit: "QUIT", KindNick: "NICK", KindMode: "MODE",
	KindTopic: "TOPIC", KindInvite: "INVITE", KindAway: "AWAY", KindWallops: "WALLOPS",
	KindChghost: "CHGHOST", KindSetname: "SETNAME", KindAccount: "ACCOUNT",
	KindRename: "RENAME", KindMetadata: "METADATA",
}

// String returns the IRC verb of the kind, which is also its name in the API.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "UNKNOWN"
}

// IsMessage reports whether the kind is a user message (as opposed to a state change).
func (k Kind) IsMessage() bool { return k == KindPrivmsg || k == KindNotice || k == KindTagmsg }

// Tag is a client-only message tag (key includes the leading '+').
type Tag struct {
	Key, Value string
}

// Event is one thing that happened on the network, as every door sees it. Events are immutable once
// delivered: recipients on many goroutines read them concurrently, and only the encoding cache changes.
//
// Field use by kind:
//   - PRIVMSG/NOTICE/TAGMSG: Target (channel or nick), Text, Tags, Status ('@' or '+' for STATUSMSG).
//   - JOIN: Target, Params[0] = realname (for extended-join).
//   - PART/QUIT: Target (PART), Text = reason.
//   - KICK: Target, Params[0] = the kicked nick, Text = reason.
//   - NICK: Text = the new nick.
//   - MODE: Target, Params = mode string and its arguments.
//   - TOPIC: Target, Text.
//   - INVITE: Target = the invited nick, Params[0] = channel.
//   - AWAY: Text ("" = back). WALLOPS: Text. CHGHOST: Params = new user, new host. SETNAME: Text.
//   - ACCOUNT: Text = the account ("" = logged out).
//   - PRIVMSG/NOTICE from a draft/multiline batch: Text = the joined message (lines separated by
//     "\n", lines sent with draft/multiline-concat joined without one), Params = the lines as sent.
//   - RENAME: Target = the old channel name, Params[0] = the new name, Text = reason.
//   - METADATA: Target = nick or channel, Params = key, value; Params[1] absent when deleted.
//
// Channels is set on user events that cross nodes (QUIT, NICK, AWAY, SETNAME, ACCOUNT, CHGHOST):
// the folded names of the source's channels on its own node, so that a receiving node reaches the
// source's neighbours even when its replica of the memberships is behind the bus.
type Event struct {
	Kind    Kind
	ID      string // msgid, unique across the network
	Time    time.Time
	Node    NodeID
	Source  Prefix
	Account string // the source's account, "" when not logged in
	Bot     bool   // the source has the bot mode
	Target  string
	Status  byte // STATUSMSG prefix, 0 when addressed to the whole channel
	Text    string
	Params  []string
	Tags    []Tag

	Channels []string

	cache encodingCache
}

// Encoded returns the event's encoding for the variant key, calling encode at most once per key and
// sharing the result with every later caller. encode may return nil, meaning "nothing for this
// variant". Safe for concurrent use.
func (e *Event) Encoded(key uint64, encode func() []byte) []byte {
	return e.cache.get(key, encode)
}

// encodingCache is tiny on purpose: a fan-out sees a handful of capability variants, so a linear scan
// over a short slice beats a map. Readers take no lock: the slice is copy-on-write behind an atomic
// pointer, because every recipient of a fan-out reads it and a mutex there costs more than the scan.
type encodingCache struct {
	mu      sync.Mutex // serialises writers only
	entries atomic.Pointer[[]cacheEntry]
}

type cacheEntry struct {
	key  uint64
	data []byte
}

func (c *encodingCache) lookup(key uint64) ([]byte, bool) {
	if p := c.entries.Load(); p != nil {
		for _, e := range *p {
			if e.key == key {
				return e.data, true
			}
		}
	}
	return nil, false
}

func (c *encodingCache) get(key uint64, encode func() []byte) []byte {
	if data, ok := c.lookup(key); ok {
		return data
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if data, ok := c.lookup(key); ok {
		return data
	}
	data := encode()
	var next []cacheEntry
	if p := c.entries.Load(); p != nil {
		next = make([]cacheEntry, len(*p), len(*p)+1)
		copy(next, *p)
	}
	next = append(next, cacheEntry{key, data})
	c.entries.Store(&next)
	return data
}
