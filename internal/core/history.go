package core

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// History is what core needs of the chat history store; the node passes an implementation (or
// none: nothing is stored). Both methods are called on the message path, with no core lock held
// for Append and possibly with a channel lock held for Record.
type History interface {
	// Append stores messages and returns once they are durable: core waits for it before the
	// sender's operation returns, so the sender's echo or ACK means "stored".
	Append(ctx context.Context, entries []store.Entry) error
	// Record stores channel events (JOIN, PART, KICK, MODE, TOPIC, NICK, QUIT) for event
	// playback without waiting. It must not block.
	Record(entries []store.Entry)
}

// Submitter is a History that can store messages without making the caller wait: Submit returns
// at once, and the channel yields one value: nil once the messages are durable, or an error
// wrapping ErrNotStored (after a bounded wait).
// Core uses it when present, so a sender's next command need not wait for its last message's
// acknowledgement: many messages share one wait (group commit) while the echo still waits.
type Submitter interface {
	Submit(entries []store.Entry) <-chan error
}

// historyBox lets the history be set after the network is built (atomic.Pointer needs a
// concrete type).
type historyBox struct{ h History }

// appendTimeout bounds the wait for the history's acknowledgement.
const appendTimeout = 10 * time.Second

// ErrNotStored is returned (wrapped) by Say when a message reached its recipients but the history
// did not acknowledge it: the sender must not take it as stored.
var ErrNotStored = errors.New("message delivered but not stored in history")

// SetHistory sets (or, with nil, removes) the history messages and events are stored in. Safe for
// concurrent use.
func (n *Network) SetHistory(h History) {
	if h == nil {
		n.history.Store(nil)
		return
	}
	n.history.Store(&historyBox{h})
}

func (n *Network) historyStore() History {
	if b := n.history.Load(); b != nil {
		return b.h
	}
	return nil
}

// storeSaid stores a message that Say or ServiceSay delivered, without waiting. It returns a
// channel that yields nil once the message is durable, or an error wrapping ErrNotStored; nil when
// nothing is stored (no history, a STATUSMSG, a transient TAGMSG, a private message between
// users without accounts). to is the recipient of a private message (nil for a channel).
func (n *Network) storeSaid(u *User, ev *model.Event, to *User) <-chan error {
	h := n.historyStore()
	if h == nil || ev == nil || !worthStoring(ev) {
		return nil
	}
	var entries []store.Entry
	switch {
	case to == nil:
		if ev.Status != 0 {
			return nil // STATUSMSG: only some members saw it; replaying it to all would leak it
		}
		entries = append(entries, store.Entry{Target: store.Channel(ev.Target), Event: ev})
	default:
		// A private message is kept per account: each party who is logged in gets a copy under
		// their account, with the other party named by account (or nick when they have none).
		if a := u.Account(); a != "" {
			entries = append(entries, store.Entry{Target: store.Private(a, peerName(to)), Event: ev})
		}
		if a := to.Account(); a != "" {
			entries = append(entries, store.Entry{Target: store.Private(a, peerName(u)), Event: ev})
		}
	}
	if len(entries) == 0 {
		return nil
	}
	if sub, ok := h.(Submitter); ok {
		return sub.Submit(entries)
	}
	ch := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), appendTimeout)
		defer cancel()
		if err := h.Append(ctx, entries); err != nil {
			n.log.Warn("history append failed", "target", ev.Target, "err", err)
			ch <- fmt.Errorf("%w: %v", ErrNotStored, err)
			return
		}
		ch <- nil
	}()
	return ch
}

// WaitStored waits for a channel returned in SayResult.Stored (nil: nothing to wait for).
func WaitStored(stored <-chan error) error {
	if stored == nil {
		return nil
	}
	return <-stored
}

// PeerName is how a user is named as the other party of a stored private conversation: the
// account when logged in, else the nick.
func PeerName(u *User) string { return peerName(u) }

func peerName(u *User) string {
	if a := u.Account(); a != "" {
		return a
	}
	return u.Nick()
}

// worthStoring keeps PRIVMSG and NOTICE, and the TAGMSGs whose client tags mean something later
// (reactions, replies); typing notifications and other TAGMSGs are transient.
func worthStoring(ev *model.Event) bool {
	if ev.Kind != model.KindTagmsg {
		return true
	}
	for _, t := range ev.Tags {
		k := strings.TrimPrefix(strings.TrimPrefix(t.Key, "+"), "draft/")
		if k == "react" || k == "reply" || k == "unreact" {
			return true
		}
	}
	return false
}

// recordEvent queues a channel state event for event playback. Called from publish.
func (n *Network) recordEvent(ev *model.Event) {
	h := n.historyStore()
	if h == nil || !IsChannelName(ev.Target) {
		return
	}
	switch ev.Kind {
	case model.KindJoin, model.KindPart, model.KindKick, model.KindMode, model.KindTopic:
		h.Record([]store.Entry{{Target: store.Channel(ev.Target), Event: ev}})
	}
}

// recordUserEvent queues a QUIT or NICK under every channel the user shares it with.
func (n *Network) recordUserEvent(ev *model.Event, chans []*Channel) {
	h := n.historyStore()
	if h == nil || len(chans) == 0 {
		return
	}
	entries := make([]store.Entry, len(chans))
	for i, c := range chans {
		entries[i] = store.Entry{Target: store.Channel(c.Name()), Event: ev}
	}
	h.Record(entries)
}

// History returns the history set with SetHistory, or nil. Doors look for the query interfaces
// they need on it (store.History, store.Redactor, store.Searcher) by type assertion. Safe for
// concurrent use.
func (n *Network) History() History { return n.historyStore() }
