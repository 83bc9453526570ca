package core

import (
	"errors"
	"sort"
	"sync"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/model"
)

// Metadata limits (draft/metadata-2): the door advertises them in the capability value.
const (
	MetadataMaxKeys       = 20  // keys per user or channel
	MetadataMaxValueBytes = 300 // so that key and value fit one RPL_KEYVALUE line
	MetadataMaxKeyLen     = 64
)

// Refusals of a metadata change; the door maps them to FAIL METADATA codes.
var (
	ErrMetadataNoPermission = errors.New("metadata: permission denied")
	ErrMetadataLimit        = errors.New("metadata: limit reached")
	ErrMetadataKeyNotSet    = errors.New("metadata: key not set")
	ErrMetadataInvalidKey   = errors.New("metadata: invalid key")
	ErrMetadataTooLong      = errors.New("metadata: value too long")
)

// Metadata is the key/value store of one user or channel. Its mutex is a leaf: it is taken under
// any core lock and never held while taking another.
type Metadata struct {
	mu sync.Mutex
	kv map[string]string
}

// KeyValue is one metadata entry.
type KeyValue struct {
	Key, Value string
}

// Get returns the value of key. Safe for concurrent use.
func (m *Metadata) Get(key string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.kv[key]
	return v, ok
}

// List returns every entry, sorted by key. Safe for concurrent use.
func (m *Metadata) List() []KeyValue {
	m.mu.Lock()
	out := make([]KeyValue, 0, len(m.kv))
	for k, v := range m.kv {
		out = append(out, KeyValue{k, v})
	}
	m.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// snapshot copies the map, for a persister. Safe for concurrent use.
func (m *Metadata) snapshot() map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make(map[string]string, len(m.kv))
	for k, v := range m.kv {
		out[k] = v
	}
	return out
}

// Replace swaps in every entry at once (loading persisted metadata). Safe for concurrent use.
func (m *Metadata) Replace(kv map[string]string) {
	cp := make(map[string]string, len(kv))
	for k, v := range kv {
		cp[k] = v
	}
	m.mu.Lock()
	m.kv = cp
	m.mu.Unlock()
}

// set stores or (value nil) deletes key; it reports whether anything changed.
func (m *Metadata) set(key string, value *string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, had := m.kv[key]
	if value == nil {
		if !had {
			return false, ErrMetadataKeyNotSet
		}
		delete(m.kv, key)
		return true, nil
	}
	if !had && len(m.kv) >= MetadataMaxKeys {
		return false, ErrMetadataLimit
	}
	if m.kv == nil {
		m.kv = make(map[string]string)
	}
	m.kv[key] = *value
	return !had || old != *value, nil
}

// ValidMetadataKey reports whether key is a valid metadata key name: a-z, 0-9 and "_.:-", not
// starting with ':' (draft/metadata-2 "Keys and Values"; keys are case-insensitive, callers fold
// them to lower case first).
func ValidMetadataKey(key string) bool {
	if key == "" || len(key) > MetadataMaxKeyLen || key[0] == ':' {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

// MetadataPersister keeps metadata beyond the life of a connection or a channel: the metadata of
// accounts and of registered channels. The network runs without one (metadata in memory only)
// until the account and channel registration stores provide it. Implementations must be safe for
// concurrent use; core calls them with no lock held.
type MetadataPersister interface {
	SaveAccountMetadata(account string, kv map[string]string) error
	LoadAccountMetadata(account string) (map[string]string, error)
	SaveChannelMetadata(channelKey string, kv map[string]string) error
}

type persisterBox struct{ p MetadataPersister }

// SetMetadataPersister installs p (nil: keep metadata in memory only). Safe for concurrent use.
func (n *Network) SetMetadataPersister(p MetadataPersister) {
	n.metaPersister.Store(&persisterBox{p})
}

func (n *Network) persister() MetadataPersister {
	if b := n.metaPersister.Load(); b != nil {
		return b.p
	}
	return nil
}

// LoadAccountMetadata replaces u's metadata with what the persister holds for its account; the
// accounts code calls it after a login. Safe for concurrent use.
func (n *Network) LoadAccountMetadata(u *User) error {
	p, account := n.persister(), u.Account()
	if p == nil || account == "" {
		return nil
	}
	kv, err := p.LoadAccountMetadata(account)
	if err != nil {
		return err
	}
	u.meta.Replace(kv)
	return nil
}

// Metadata returns the user's metadata store.
func (u *User) Metadata() *Metadata { return &u.meta }

// Metadata returns the channel's metadata store.
func (c *Channel) Metadata() *Metadata { return &c.meta }

// SetUserMetadata sets key on target to *value, or deletes it when value is nil. Users may change
// only their own metadata; operators anyone's. Channel neighbours (and target itself when someone
// else made the change) get a METADATA event; the door filters it by capability and subscription.
// The event is nil when nothing changed. Safe for concurrent use.
func (n *Network) SetUserMetadata(actor, target *User, key string, value *string) (*model.Event, error) {
	if actor != target && !actor.IsOper() {
		return nil, ErrMetadataNoPermission
	}
	if err := checkMetadata(key, value); err != nil {
		return nil, err
	}
	changed, err := target.meta.set(key, value)
	if err != nil || !changed {
		return nil, err
	}
	ev := n.metadataEvent(actor, target.Nick(), key, value)
	if actor != target {
		target.deliver(ev)
	}
	target.forEachNeighbour(func(m *User) {
		if m != actor {
			m.deliver(ev)
		}
	})
	if p, account := n.persister(), target.Account(); p != nil && account != "" {
		if err := p.SaveAccountMetadata(account, target.meta.snapshot()); err != nil {
			n.log.Warn("saving account metadata failed", "account", account, "err", err)
		}
	}
	n.publish(cluster.ControlSubject(n.Settings().Network), ev)
	return ev, nil
}

// SetChannelMetadata sets or (value nil) deletes key on the channel; channel operators may. Every
// other member gets the METADATA event. Safe for concurrent use.
func (n *Network) SetChannelMetadata(actor *User, name, key string, value *string) (*model.Event, error) {
	c := n.FindChannel(name)
	if c == nil {
		return nil, refuse(ErrNoSuchChannel, name)
	}
	if err := checkMetadata(key, value); err != nil {
		return nil, err
	}
	c.mu.Lock()
	m, member := c.members[actor]
	if (!member || !m.Prefixes.AtLeast(model.Op)) && !actor.IsOper() {
		c.mu.Unlock()
		return nil, ErrMetadataNoPermission
	}
	changed, err := c.meta.set(key, value)
	if err != nil || !changed {
		c.mu.Unlock()
		return nil, err
	}
	ev := n.metadataEvent(actor, c.name, key, value)
	c.deliverLocked(ev, actor)
	c.mu.Unlock()
	if p := n.persister(); p != nil {
		if err := p.SaveChannelMetadata(c.key, c.meta.snapshot()); err != nil {
			n.log.Warn("saving channel metadata failed", "channel", c.name, "err", err)
		}
	}
	// On the control subject, not the channel's: every node keeps the channel's metadata, also
	// those with no member in it now, which do not listen to the channel's subject.
	n.publish(cluster.ControlSubject(n.Settings().Network), ev)
	return ev, nil
}

func checkMetadata(key string, value *string) error {
	if !ValidMetadataKey(key) {
		return ErrMetadataInvalidKey
	}
	if value != nil && len(*value) > MetadataMaxValueBytes {
		return ErrMetadataTooLong
	}
	return nil
}

func (n *Network) metadataEvent(actor *User, target, key string, value *string) *model.Event {
	ev := n.newEvent(model.KindMetadata, actor, actor.Prefix())
	ev.Target = target
	ev.Params = []string{key}
	if value != nil {
		ev.Params = append(ev.Params, *value)
	}
	return ev
}
