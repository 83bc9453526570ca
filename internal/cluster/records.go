package cluster

import (
	"time"

	"github.com/parleychat/parley/internal/model"
)

// RecordVersion is the version written into every record. A reader refuses a record with a newer
// version rather than misread it, so nodes of one network can be upgraded one at a time as long as
// a new version is written only once every node reads it.
const RecordVersion = 1

// Owner identifies who holds something: a client, on a node, in one incarnation of that node. The
// incarnation tells records of a node's current run from those a crashed run left behind.
type Owner struct {
	Client      model.ClientID `json:"c"`
	Node        model.NodeID   `json:"n"`
	Incarnation uint64         `json:"i"`
}

// NickRecord is one nick claim.
type NickRecord struct {
	V     int    `json:"v"`
	Nick  string `json:"-"` // the folded nick: the key
	Owner Owner  `json:"o"`
}

// UserRecord is one registered user as every node sees it (WHOIS, WHO, NAMES).
type UserRecord struct {
	V           int            `json:"v"`
	ID          model.ClientID `json:"id"`
	Node        model.NodeID   `json:"node"`
	Incarnation uint64         `json:"inc"`
	Nick        string         `json:"nick"` // display form
	User        string         `json:"user"`
	Host        string         `json:"host"`
	IP          string         `json:"ip,omitempty"`
	Realname    string         `json:"real,omitempty"`
	Account     string         `json:"acct,omitempty"`
	Away        string         `json:"away,omitempty"`
	Modes       uint32         `json:"modes,omitempty"` // core's UserMode bits
	OperClass   string         `json:"oper,omitempty"`
	Signon      time.Time      `json:"signon"`
}

// Owner returns the user's owner identity.
func (u *UserRecord) Owner() Owner {
	return Owner{Client: u.ID, Node: u.Node, Incarnation: u.Incarnation}
}

// ListEntry is one entry of a channel list mode (a ban).
type ListEntry struct {
	Mask  string    `json:"m"`
	SetBy string    `json:"by,omitempty"`
	SetAt time.Time `json:"at"`
}

// ChannelRecord is one channel's shared state. Members are separate records, so a JOIN never
// rewrites the channel.
type ChannelRecord struct {
	V        int         `json:"v"`
	Key      string      `json:"-"` // the folded name: the key
	Name     string      `json:"name"`
	Created  time.Time   `json:"created"`
	Modes    uint32      `json:"modes,omitempty"` // core's ChanMode bits
	ChanKey  string      `json:"ckey,omitempty"`
	Limit    int         `json:"limit,omitempty"`
	Topic    string      `json:"topic,omitempty"`
	TopicBy  string      `json:"topic_by,omitempty"`
	TopicAt  time.Time   `json:"topic_at,omitzero"`
	Bans     []ListEntry `json:"bans,omitempty"`
	Excepts  []ListEntry `json:"excepts,omitempty"` // +e
	Invexes  []ListEntry `json:"invexes,omitempty"` // +I
	Revision uint64      `json:"-"`                 // the store's revision this record was read at
}

// MemberRecord is one user's membership of one channel. It carries the member's node and
// incarnation so that a lost node's memberships can be found without its user records.
type MemberRecord struct {
	V           int            `json:"v"`
	Channel     string         `json:"-"` // folded channel name: first part of the key
	Client      model.ClientID `json:"-"` // second part of the key
	Node        model.NodeID   `json:"node"`
	Incarnation uint64         `json:"inc"`
	Prefixes    model.Prefixes `json:"p,omitempty"`
	Joined      time.Time      `json:"joined"`
	Revision    uint64         `json:"-"`
}

// NodeRecord is one node's heartbeat.
type NodeRecord struct {
	V           int          `json:"v"`
	Node        model.NodeID `json:"node"`
	Incarnation uint64       `json:"inc"`
	Started     time.Time    `json:"started"`
	Heartbeat   time.Time    `json:"hb"` // the writer's clock: informative, never compared across nodes
	Revision    uint64       `json:"-"`
}
