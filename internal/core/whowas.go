package core

import (
	"sync"
	"time"

	"github.com/parleychat/parley/internal/model"
)

// WhowasEntry remembers a nick that left or changed, for WHOWAS.
type WhowasEntry struct {
	model.Prefix
	Realname string
	Account  string
	When     time.Time
}

// whowasLog is a bounded ring of entries, newest last.
type whowasLog struct {
	mu      sync.Mutex
	max     int
	entries []whowasItem
	next    int
}

type whowasItem struct {
	key   string
	entry WhowasEntry
}

func newWhowasLog(max int) *whowasLog {
	if max <= 0 {
		max = 1
	}
	return &whowasLog{max: max}
}

func whowasFrom(u *User, p model.Prefix, now time.Time) WhowasEntry {
	u.mu.RLock()
	defer u.mu.RUnlock()
	return WhowasEntry{Prefix: p, Realname: u.realname, Account: u.account, When: now}
}

func (w *whowasLog) add(key string, e WhowasEntry) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.entries) < w.max {
		w.entries = append(w.entries, whowasItem{key, e})
		return
	}
	w.entries[w.next] = whowasItem{key, e}
	w.next = (w.next + 1) % w.max
}

// Whowas returns up to count entries for nick, newest first (count <= 0: all). Safe for concurrent use.
func (n *Network) Whowas(nick string, count int) []WhowasEntry {
	key := n.cm.Fold(nick)
	w := n.whowas
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []WhowasEntry
	size := len(w.entries)
	for i := 0; i < size; i++ {
		// Walk backwards from the newest entry.
		idx := (w.next - 1 - i + 2*size) % size
		if len(w.entries) < w.max {
			idx = size - 1 - i
		}
		if w.entries[idx].key == key {
			out = append(out, w.entries[idx].entry)
			if count > 0 && len(out) >= count {
				break
			}
		}
	}
	return out
}
