package commands

import (
	"errors"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/model"
)

// draft/metadata-2 numerics (IRCv3 metadata "Numerics").
const (
	rplKeyValue          = "761"
	errNoMatchingKey     = "766"
	errKeyNotSet         = "768"
	rplMetadataSubOK     = "770"
	rplMetadataUnsubOK   = "771"
	rplMetadataSubs      = "772"
	errMetadataSyncLater = "774"
)

// metadataMaxSubs is how many keys one client may subscribe to.
const metadataMaxSubs = 50

// metadataSyncMax bounds the METADATA lines one JOIN or SYNC sends; past it the client is told to
// sync later (ERR_METADATASYNCLATER), which keeps one request from filling its own send queue.
const metadataSyncMax = 1000

func metadataCapValue(*Server, bool) (string, bool) {
	n := strconv.Itoa
	return "max-subs=" + n(metadataMaxSubs) + ",max-keys=" + n(core.MetadataMaxKeys) +
		",max-value-bytes=" + n(core.MetadataMaxValueBytes), true
}

func init() {
	register("METADATA", Command{Handler: handleMetadata, MinParams: 2})
}

// metadataSubs is a client's key subscriptions. The reader goroutine changes them, Deliver reads
// them on any goroutine: the set is copy-on-write behind an atomic pointer.
type metadataSubs struct {
	p atomic.Pointer[map[string]struct{}]
}

func (m *metadataSubs) subscribed(key string) bool {
	if p := m.p.Load(); p != nil {
		_, ok := (*p)[key]
		return ok
	}
	return false
}

func (m *metadataSubs) list() []string {
	var out []string
	if p := m.p.Load(); p != nil {
		for k := range *p {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// change returns a copy of the set, modified by f, and stores it. Reader goroutine only.
func (m *metadataSubs) change(f func(map[string]struct{})) {
	next := make(map[string]struct{})
	if p := m.p.Load(); p != nil {
		for k := range *p {
			next[k] = struct{}{}
		}
	}
	f(next)
	m.p.Store(&next)
}

// handleMetadata implements METADATA <target> GET/LIST/SET/CLEAR/SUB/UNSUB/SUBS/SYNC.
func handleMetadata(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	target, sub := m.Params[0], strings.ToUpper(m.Params[1])
	args := m.Params[2:]
	switch sub {
	case "SUB":
		metadataSub(c, rb, args)
		return
	case "UNSUB":
		metadataUnsub(c, rb, args)
		return
	case "SUBS":
		for _, line := range packWords(c.meta.list(), 400) {
			if line != "" {
				rb.Numeric(rplMetadataSubs, line)
			}
		}
		return
	case "GET", "LIST", "SET", "CLEAR", "SYNC":
	default:
		rb.Fail("METADATA", "INVALID_SUBCOMMAND", sub, "Invalid subcommand")
		return
	}
	t, ok := s.metadataTarget(c, target)
	if !ok {
		rb.Fail("METADATA", "INVALID_TARGET", target, "Invalid metadata target")
		return
	}
	switch sub {
	case "GET":
		rb.wrapBatch("metadata", func() { metadataGet(rb, t, args) })
	case "LIST":
		rb.wrapBatch("metadata", func() {
			for _, kv := range t.store.List() {
				rb.Numeric(rplKeyValue, t.name, kv.Key, "*", kv.Value)
			}
		})
	case "SET":
		s.metadataSet(c, rb, t, args)
	case "CLEAR":
		s.metadataClear(c, rb, t)
	case "SYNC":
		s.metadataSync(c, rb, t)
	}
}

// metadataTarget is a resolved METADATA target: a user or a channel, and the name replies use.
type metadataTarget struct {
	name    string
	user    *core.User
	channel *core.Channel
	store   *core.Metadata
}

func (s *Server) metadataTarget(c *Client, name string) (metadataTarget, bool) {
	if name == "*" {
		return metadataTarget{name: c.User.Nick(), user: c.User, store: c.User.Metadata()}, true
	}
	if core.IsChannelName(name) {
		ch := s.Net.FindChannel(name)
		if ch == nil {
			return metadataTarget{}, false
		}
		if _, member := ch.Membership(c.User); !member && ch.IsSecret() && !c.User.IsOper() {
			return metadataTarget{}, false // secret channels are not there for outsiders
		}
		return metadataTarget{name: ch.Name(), channel: ch, store: ch.Metadata()}, true
	}
	u := s.Net.FindUser(name)
	if u == nil {
		return metadataTarget{}, false
	}
	return metadataTarget{name: u.Nick(), user: u, store: u.Metadata()}, true
}

func metadataGet(rb *ReplyBuffer, t metadataTarget, keys []string) {
	for _, key := range keys {
		key = strings.ToLower(key)
		if !core.ValidMetadataKey(key) {
			rb.Fail("METADATA", "KEY_INVALID", key, "Invalid key")
			continue
		}
		if v, ok := t.store.Get(key); ok {
			rb.Numeric(rplKeyValue, t.name, key, "*", v)
		} else {
			rb.Numeric(errNoMatchingKey, t.name, key, "No matching key")
		}
	}
}

func (s *Server) metadataSet(c *Client, rb *ReplyBuffer, t metadataTarget, args []string) {
	if len(args) == 0 {
		rb.Numeric(ircmsg.ERR_NEEDMOREPARAMS, "METADATA", "Not enough parameters")
		return
	}
	key := strings.ToLower(args[0])
	var value *string
	if len(args) > 1 {
		value = &args[1]
	}
	var err error
	if t.channel != nil {
		_, err = s.Net.SetChannelMetadata(c.User, t.name, key, value)
	} else {
		_, err = s.Net.SetUserMetadata(c.User, t.user, key, value)
	}
	if err != nil {
		metadataError(rb, t.name, key, err)
		return
	}
	if value == nil {
		rb.Numeric(rplKeyValue, t.name, key, "*")
	} else {
		rb.Numeric(rplKeyValue, t.name, key, "*", *value)
	}
}

// metadataError maps a refused change to its standard reply or numeric (IRCv3 metadata "METADATA SET").
func metadataError(rb *ReplyBuffer, target, key string, err error) {
	switch {
	case errors.Is(err, core.ErrMetadataNoPermission):
		rb.Fail("METADATA", "KEY_NO_PERMISSION", target, key, "Permission denied")
	case errors.Is(err, core.ErrMetadataLimit):
		rb.Fail("METADATA", "LIMIT_REACHED", target, "Metadata limit reached")
	case errors.Is(err, core.ErrMetadataKeyNotSet):
		rb.Numeric(errKeyNotSet, target, key, "Key not set")
	case errors.Is(err, core.ErrMetadataInvalidKey):
		rb.Fail("METADATA", "KEY_INVALID", key, "Invalid key")
	case errors.Is(err, core.ErrMetadataTooLong):
		rb.Fail("METADATA", "VALUE_INVALID", "Value too long")
	default:
		replyError(rb, err)
	}
}

func (s *Server) metadataClear(c *Client, rb *ReplyBuffer, t metadataTarget) {
	entries := t.store.List()
	var first error
	rb.wrapBatch("metadata", func() {
		for _, kv := range entries {
			var err error
			if t.channel != nil {
				_, err = s.Net.SetChannelMetadata(c.User, t.name, kv.Key, nil)
			} else {
				_, err = s.Net.SetUserMetadata(c.User, t.user, kv.Key, nil)
			}
			if err != nil {
				first = err
				return
			}
			rb.Numeric(rplKeyValue, t.name, kv.Key, "*")
		}
	})
	if errors.Is(first, core.ErrMetadataNoPermission) {
		rb.Fail("METADATA", "KEY_NO_PERMISSION", t.name, "*", "Permission denied")
	}
}

func metadataSub(c *Client, rb *ReplyBuffer, keys []string) {
	var ok []string
	c.meta.change(func(set map[string]struct{}) {
		for _, key := range keys {
			key = strings.ToLower(key)
			if !core.ValidMetadataKey(key) {
				rb.Fail("METADATA", "KEY_INVALID", key, "Invalid key")
				continue
			}
			if _, dup := set[key]; !dup && len(set) >= metadataMaxSubs {
				// The first key not processed, so the client knows where it stopped.
				rb.Fail("METADATA", "TOO_MANY_SUBS", key, "Too many subscriptions")
				break
			}
			set[key] = struct{}{}
			ok = append(ok, key)
		}
	})
	sendKeyList(rb, rplMetadataSubOK, ok)
}

func metadataUnsub(c *Client, rb *ReplyBuffer, keys []string) {
	var ok []string
	c.meta.change(func(set map[string]struct{}) {
		for _, key := range keys {
			key = strings.ToLower(key)
			if !core.ValidMetadataKey(key) {
				rb.Fail("METADATA", "KEY_INVALID", key, "Invalid key")
				continue
			}
			delete(set, key)
			ok = append(ok, key)
		}
	})
	sendKeyList(rb, rplMetadataUnsubOK, ok)
}

func sendKeyList(rb *ReplyBuffer, code string, keys []string) {
	if len(keys) == 0 {
		return
	}
	for _, line := range packWords(keys, 400) {
		rb.Numeric(code, line)
	}
}

// metadataSync sends the subscribed metadata of a user, or of a channel and its members, as
// METADATA messages in a metadata batch (IRCv3 metadata "METADATA SYNC").
func (s *Server) metadataSync(c *Client, rb *ReplyBuffer, t metadataTarget) {
	if t.channel != nil && !s.metadataBurstFits(c, t.channel) {
		rb.Numeric(errMetadataSyncLater, t.name, "30")
		return
	}
	rb.wrapBatch("metadata", func() { s.metadataBurst(c, rb, t) })
}

func (s *Server) metadataBurst(c *Client, rb *ReplyBuffer, t metadataTarget) {
	send := func(name string, store *core.Metadata) {
		for _, kv := range store.List() {
			if c.meta.subscribed(kv.Key) {
				rb.Add("METADATA", name, kv.Key, "*", kv.Value)
			}
		}
	}
	send(t.name, t.store)
	if t.channel == nil {
		return
	}
	for _, mv := range t.channel.Members() {
		if mv.User != c.User {
			send(mv.User.Nick(), mv.User.Metadata())
		}
	}
}

// metadataBurstFits reports whether a channel's metadata burst stays under metadataSyncMax lines.
func (s *Server) metadataBurstFits(c *Client, ch *core.Channel) bool {
	return ch.MemberCount()*len(c.meta.list()) <= metadataSyncMax
}

// metadataOnJoin sends a client that just joined the channel's metadata and its members', for the
// keys it subscribed to, or ERR_METADATASYNCLATER for a channel too big to send at once.
func (s *Server) metadataOnJoin(c *Client, rb *ReplyBuffer, ch *core.Channel) {
	if !c.Has(CapMetadata) || len(c.meta.list()) == 0 {
		return
	}
	if !s.metadataBurstFits(c, ch) {
		rb.Numeric(errMetadataSyncLater, ch.Name(), "30")
		return
	}
	s.metadataBurst(c, rb, metadataTarget{name: ch.Name(), channel: ch, store: ch.Metadata()})
}

// sendOwnMetadata sends a client its own metadata in a metadata batch, empty when there is none, as
// the spec asks once the capability is enabled (IRCv3 metadata "Notifications").
func (s *Server) sendOwnMetadata(c *Client, rb *ReplyBuffer) {
	nick := c.User.Nick()
	rb.wrapBatch("metadata", func() {
		for _, kv := range c.User.Metadata().List() {
			rb.Add("METADATA", nick, kv.Key, "*", kv.Value)
		}
	})
}

// metadataParams are the parameters of a METADATA notification: <target> <key> * [<value>].
func metadataParams(ev *model.Event) []string {
	return append([]string{ev.Target, param(ev.Params, 0), "*"}, ev.Params[min(1, len(ev.Params)):]...)
}
