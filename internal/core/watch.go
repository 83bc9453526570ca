package core

import "github.com/parleychat/parley/internal/model"

// Watcher is told about the changes to users that clients can follow without sharing a channel
// (MONITOR and extended-monitor). Core calls it with no core lock held, after the change took effect
// and after channel neighbours got their copy; it must not block and must not call back into core
// operations that change state. It may read users (Prefix, Info) and deliver to sinks.
type Watcher interface {
	// Online: u registered or took a new nick.
	Online(u *User)
	// Offline: the nick is no longer in use (quit, or the user changed away from it).
	Offline(nick string)
	// Changed: u's AWAY, ACCOUNT, CHGHOST or SETNAME event. reached holds the users that already
	// received ev because they share a channel with u (and u itself when it got a copy).
	Changed(u *User, ev *model.Event, reached map[*User]struct{})
}

type watcherBox struct{ w Watcher }

// SetWatcher installs the watcher (nil removes it). Safe for concurrent use; meant to be called once,
// before clients connect.
func (n *Network) SetWatcher(w Watcher) {
	n.watcher.Store(&watcherBox{w})
}

func (n *Network) watch() Watcher {
	if b := n.watcher.Load(); b != nil {
		return b.w
	}
	return nil
}

func (n *Network) notifyOnline(u *User) {
	if w := n.watch(); w != nil {
		w.Online(u)
	}
}

func (n *Network) notifyOffline(nick string) {
	if w := n.watch(); w != nil {
		w.Offline(nick)
	}
}

func (n *Network) notifyChanged(u *User, ev *model.Event, reached map[*User]struct{}) {
	if w := n.watch(); w != nil {
		w.Changed(u, ev, reached)
	}
}
