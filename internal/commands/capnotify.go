package commands

import (
	"strings"
	"sync"

	"github.com/parleychat/parley/internal/ircmsg"
)

// capNotifier remembers what CAP LS offered at the last announcement, per connection kind, so that
// NotifyCapsChanged can tell clients the difference (IRCv3 cap-notify).
type capNotifier struct {
	mu      sync.Mutex
	offered [2]map[string]string // [plain, secure]: name -> value
	started bool
}

// offerMap returns the capabilities currently offered to a secure or plain connection, with values.
func (s *Server) offerMap(secure bool) map[string]string {
	out := make(map[string]string, len(capTable))
	for _, e := range s.advertised(secure, true) {
		name, value, _ := strings.Cut(e, "=")
		out[name] = value
	}
	return out
}

// NotifyCapsChanged compares the capabilities on offer with those offered at the previous call (or
// at start) and tells every client with cap-notify: CAP DEL for the ones withdrawn, CAP NEW for new
// ones and for ones whose value changed (with values for CAP LS 302 clients). Withdrawn capabilities
// are disabled for every client (IRCv3 cap-notify: "Servers MUST cancel any capability-specific
// behavior for a client after sending the CAP DEL"). SetConfig calls it, so a reload that adds or
// removes a TLS listener announces sts. Safe for concurrent use.
func (s *Server) NotifyCapsChanged() {
	s.capn.mu.Lock()
	defer s.capn.mu.Unlock()
	var added, removed [2][]string
	changed := false
	for i, secure := range []bool{false, true} {
		now := s.offerMap(secure)
		before := s.capn.offered[i]
		s.capn.offered[i] = now
		if !s.capn.started {
			continue
		}
		for _, ci := range capTable {
			v, on := now[ci.name]
			old, was := before[ci.name]
			switch {
			case was && !on:
				removed[i] = append(removed[i], ci.name)
			case on && (!was || v != old):
				added[i] = append(added[i], ci.name)
			}
		}
		changed = changed || len(added[i]) > 0 || len(removed[i]) > 0
	}
	s.capn.started = true
	if !changed {
		return
	}
	s.clients.Range(func(k, _ any) bool {
		c := k.(*Client)
		i := 0
		if c.Secure {
			i = 1
		}
		s.announceCaps(c, added[i], removed[i])
		return true
	})
}

// announceCaps sends CAP DEL and CAP NEW to one client and cancels the withdrawn capabilities.
func (s *Server) announceCaps(c *Client, added, removed []string) {
	var drop CapSet
	for _, name := range removed {
		if ci, ok := capByName(name); ok {
			drop = drop.With(ci.cap)
		}
	}
	c.caps.update(func(cs CapSet) CapSet { return cs &^ drop })
	if !c.Has(CapCapNotify) {
		return
	}
	nick := c.User.Nick()
	send := func(sub string, entries []string) {
		for _, l := range packWords(entries, capLineMax) {
			m := ircmsg.Message{Source: s.Name(), Command: "CAP", Params: []string{nick, sub, l}}
			c.out.Write(m.Append(nil))
		}
	}
	if len(removed) > 0 {
		send("DEL", removed)
	}
	if len(added) > 0 {
		entries := make([]string, 0, len(added))
		for _, name := range added {
			entry := name
			// Values only for CAP LS 302 clients (IRCv3 cap-notify).
			if ci, _ := capByName(name); ci.offer != nil && c.capVersion.Load() >= 302 {
				if v, _ := ci.offer(s, c.Secure); v != "" {
					entry += "=" + v
				}
			}
			entries = append(entries, entry)
		}
		send("NEW", entries)
	}
}
