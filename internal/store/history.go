package store

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/parleychat/parley/internal/model"
)

// ErrBadMsgID is returned for a msgid bound that no message id can have.
var ErrBadMsgID = errors.New("store: malformed msgid")

// Target names one conversation kept in history. A channel's history is shared by everyone who
// may read the channel; a private conversation belongs to one account: a message between two
// logged-in users is stored once for each of them, so each sees only what they were party to and
// deleting an account removes its copies only.
type Target struct {
	Account string // "" for a channel; else the account whose private history this is
	Name    string // the channel; or the other party: their account, or their nick if they had none
	// Messages makes a query count and return only messages, skipping the events kept for
	// draft/event-playback (so a client without it still gets limit messages). Append ignores it.
	Messages bool
}

// OnlyMessages returns t with Messages set.
func (t Target) OnlyMessages() Target { t.Messages = true; return t }

// Channel returns the target of a channel's history.
func Channel(name string) Target { return Target{Name: name} }

// Private returns the target of account's conversation with peer.
func Private(account, peer string) Target { return Target{Account: account, Name: peer} }

// IsChannel reports whether t is a channel's history.
func (t Target) IsChannel() bool { return t.Account == "" }

// Entry is one event to store under one target.
type Entry struct {
	Target Target
	Event  *model.Event
}

// Bound is a position in a target's history: a message id (model.MsgIDSource format) or a time.
// The zero Bound means "no bound".
type Bound struct {
	MsgID string
	Time  time.Time
}

// IsZero reports whether the bound is unset.
func (b Bound) IsZero() bool { return b.MsgID == "" && b.Time.IsZero() }

// Key is a position in history order: time, then the tie-breaker of the message id.
type Key struct {
	Nanos int64
	Tie   uint64
}

// Less orders keys.
func (k Key) Less(o Key) bool { return k.Nanos < o.Nanos || k.Nanos == o.Nanos && k.Tie < o.Tie }

// KeyOf returns an event's position: from its id when the id has the time-ordered format, else
// from its time (tie 0).
func KeyOf(ev *model.Event) Key {
	if nanos, tie, ok := model.ParseMsgID(ev.ID); ok {
		return Key{nanos, tie}
	}
	return Key{Nanos: ev.Time.UnixNano()}
}

// Lower returns the position a bound stands for when messages strictly after it are wanted: a
// msgid is its own key (the message itself is excluded); a time sorts after every message of that
// nanosecond, so "after t" excludes messages stamped exactly t.
func (b Bound) Lower() (Key, error) {
	if b.MsgID != "" {
		return msgKey(b.MsgID)
	}
	return Key{b.Time.UnixNano(), math.MaxUint64}, nil
}

// Upper returns the position a bound stands for when messages strictly before it are wanted.
func (b Bound) Upper() (Key, error) {
	if b.MsgID != "" {
		return msgKey(b.MsgID)
	}
	return Key{b.Time.UnixNano(), 0}, nil
}

func msgKey(id string) (Key, error) {
	nanos, tie, ok := model.ParseMsgID(id)
	if !ok {
		return Key{}, ErrBadMsgID
	}
	return Key{nanos, tie}, nil
}

// TargetInfo is one conversation in a Targets answer.
type TargetInfo struct {
	Target Target
	Latest time.Time // the time of its newest stored message
}

// History stores chat history: messages and, for draft/event-playback, channel events, in
// time order per target. Query results are oldest first and hold at most limit events. Names in
// targets are compared after the fold the implementation was built with. Implementations are safe
// for concurrent use.
type History interface {
	// Append stores the entries and returns once they are durable (a JetStream store: once the
	// publish acknowledgements arrived). Concurrent calls share the wait (group commit).
	Append(ctx context.Context, entries []Entry) error
	// Latest returns the newest messages of t, only those after the bound when it is set.
	Latest(ctx context.Context, t Target, after Bound, limit int) ([]*model.Event, error)
	// Before returns the messages immediately before the bound.
	Before(ctx context.Context, t Target, b Bound, limit int) ([]*model.Event, error)
	// After returns the messages immediately after the bound.
	After(ctx context.Context, t Target, b Bound, limit int) ([]*model.Event, error)
	// Around returns up to limit messages around the bound: half of them before it, the rest from
	// it on (a msgid bound's own message included).
	Around(ctx context.Context, t Target, b Bound, limit int) ([]*model.Event, error)
	// Between returns messages strictly between the bounds, the limit nearest to from (from may
	// be later than to: then the newest before from).
	Between(ctx context.Context, t Target, from, to Bound, limit int) ([]*model.Event, error)
	// Targets returns the conversations with messages between from and to: the given channels
	// and account's private conversations, newest activity last, at most limit.
	Targets(ctx context.Context, account string, channels []string, from, to time.Time, limit int) ([]TargetInfo, error)
	// DeleteAccount removes every private conversation stored for the account.
	DeleteAccount(ctx context.Context, account string) error
	// Close releases the history; it must not be used afterwards.
	Close() error
}

// Redactor is a History that can remove one message (draft/message-redaction): it vanishes from
// every later query and search. ErrNotFound when t holds no message with the id.
type Redactor interface {
	Redact(ctx context.Context, t Target, msgid string) (*model.Event, error)
}

// SearchQuery selects messages for Searcher.Search. Empty fields select everything; the caller
// decides which targets the asker may read and lists them in Targets.
type SearchQuery struct {
	Targets []Target  // where to look; empty matches nothing
	From    string    // the sender's nick (folded comparison)
	After   time.Time // exclusive
	Before  time.Time // exclusive
	Text    string    // every word must occur in the text (case-insensitive)
	Limit   int
}

// Searcher is a History that can search message text (soju.im/search).
type Searcher interface {
	// Search returns the newest matching messages, oldest first.
	Search(ctx context.Context, q SearchQuery) ([]*model.Event, error)
}
