package jsstore

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/parleychat/parley/internal/store"
)

// recordVersion is written into every value as "v". Readers refuse newer versions, so a node
// running old code never misreads (and then overwrites) a record a newer node wrote.
const recordVersion = 1

// The records are the stored JSON forms. They are separate from the store types so that
// renaming a Go field never changes the data on disk.

type accountRecord struct {
	V        int          `json:"v"`
	Name     string       `json:"name"`
	Password string       `json:"password,omitempty"`
	Email    string       `json:"email,omitempty"`
	Verified bool         `json:"verified,omitempty"`
	Created  time.Time    `json:"created"`
	Certfps  []string     `json:"certfps,omitempty"`
	Scram    *scramRecord `json:"scram,omitempty"`
}

type scramRecord struct {
	Salt      string `json:"salt"`
	Iters     int    `json:"iters"`
	StoredKey []byte `json:"stored_key"`
	ServerKey []byte `json:"server_key"`
}

type channelRecord struct {
	V          int               `json:"v"`
	Name       string            `json:"name"`
	Founder    string            `json:"founder,omitempty"`
	Created    time.Time         `json:"created"`
	Topic      string            `json:"topic,omitempty"`
	TopicBy    string            `json:"topic_by,omitempty"`
	TopicAt    time.Time         `json:"topic_at,omitzero"`
	TopicLock  bool              `json:"topic_lock,omitempty"`
	Modes      string            `json:"modes,omitempty"`
	Key        string            `json:"key,omitempty"`
	Limit      int               `json:"limit,omitempty"`
	Access     map[string]string `json:"access,omitempty"`
	HistoryOff bool              `json:"history_off,omitempty"`
}

type banRecord struct {
	V       int       `json:"v"`
	ID      string    `json:"id"`
	Kind    string    `json:"kind"`
	Pattern string    `json:"pattern"`
	Reason  string    `json:"reason,omitempty"`
	SetBy   string    `json:"set_by,omitempty"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires,omitzero"`
}

type certfpRecord struct {
	V       int    `json:"v"`
	Account string `json:"account"` // encoded key of the folded account name
}

type markerRecord struct {
	V int       `json:"v"`
	T time.Time `json:"t"`
}

func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // the records hold only marshalable types
	}
	return b
}

// decode unmarshals data into v and checks the version that version reads from it.
func decode(data []byte, v any, version func() int) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("jsstore: bad record: %w", err)
	}
	if got := version(); got != recordVersion {
		return fmt.Errorf("jsstore: record version %d not supported (want %d)", got, recordVersion)
	}
	return nil
}

func toAccountRecord(a store.Account) accountRecord {
	r := accountRecord{V: recordVersion, Name: a.Name, Password: a.Password, Email: a.Email,
		Verified: a.Verified, Created: a.Created, Certfps: a.Certfps}
	if a.Scram != nil {
		r.Scram = &scramRecord{Salt: a.Scram.Salt, Iters: a.Scram.Iters,
			StoredKey: a.Scram.StoredKey, ServerKey: a.Scram.ServerKey}
	}
	return r
}

func decodeAccount(data []byte, rev uint64) (store.Account, error) {
	var r accountRecord
	if err := decode(data, &r, func() int { return r.V }); err != nil {
		return store.Account{}, err
	}
	a := store.Account{Name: r.Name, Password: r.Password, Email: r.Email, Verified: r.Verified,
		Created: r.Created, Certfps: r.Certfps, Revision: rev}
	if r.Scram != nil {
		a.Scram = &store.ScramCreds{Salt: r.Scram.Salt, Iters: r.Scram.Iters,
			StoredKey: r.Scram.StoredKey, ServerKey: r.Scram.ServerKey}
	}
	return a, nil
}

func toChannelRecord(c store.ChannelReg) channelRecord {
	return channelRecord{V: recordVersion, Name: c.Name, Founder: c.Founder, Created: c.Created,
		Topic: c.Topic, TopicBy: c.TopicBy, TopicAt: c.TopicAt, TopicLock: c.TopicLock,
		Modes: c.Modes, Key: c.Key, Limit: c.Limit, Access: c.Access, HistoryOff: c.HistoryOff}
}

func decodeChannel(data []byte, rev uint64) (store.ChannelReg, error) {
	var r channelRecord
	if err := decode(data, &r, func() int { return r.V }); err != nil {
		return store.ChannelReg{}, err
	}
	return store.ChannelReg{Name: r.Name, Founder: r.Founder, Created: r.Created, Topic: r.Topic,
		TopicBy: r.TopicBy, TopicAt: r.TopicAt, TopicLock: r.TopicLock, Modes: r.Modes, Key: r.Key,
		Limit: r.Limit, Access: r.Access, HistoryOff: r.HistoryOff, Revision: rev}, nil
}

func toBanRecord(b store.Ban) banRecord {
	return banRecord{V: recordVersion, ID: b.ID, Kind: b.Kind, Pattern: b.Pattern, Reason: b.Reason,
		SetBy: b.SetBy, Created: b.Created, Expires: b.Expires}
}

func decodeBan(data []byte) (store.Ban, error) {
	var r banRecord
	if err := decode(data, &r, func() int { return r.V }); err != nil {
		return store.Ban{}, err
	}
	return store.Ban{ID: r.ID, Kind: r.Kind, Pattern: r.Pattern, Reason: r.Reason, SetBy: r.SetBy,
		Created: r.Created, Expires: r.Expires}, nil
}
