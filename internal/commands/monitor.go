package commands

import (
	"strconv"
	"strings"
	"sync"

	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/model"
)

func init() {
	register("MONITOR", Command{Handler: handleMonitor, MinParams: 1})
}

// monitorLimit is how many nicks one client may monitor (ISUPPORT MONITOR=).
const monitorLimit = 100

// The MONITOR numerics (IRCv3 monitor).
const (
	rplMonOnline    = "730"
	rplMonOffline   = "731"
	rplMonList      = "732"
	rplEndOfMonList = "733"
	errMonListFull  = "734"
)

// monitorRegistry maps folded nicks to the clients watching them. Its lock is never held while
// calling into core or writing to a client (see core/doc.go, "Locks").
type monitorRegistry struct {
	mu       sync.Mutex
	watchers map[string]map[*Client]string // folded nick -> client -> nick as the client gave it
}

func (r *monitorRegistry) init() { r.watchers = make(map[string]map[*Client]string) }

// watchersOf returns the clients watching the folded nick.
func (r *monitorRegistry) watchersOf(key string) []*Client {
	r.mu.Lock()
	defer r.mu.Unlock()
	set := r.watchers[key]
	if len(set) == 0 {
		return nil
	}
	out := make([]*Client, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	return out
}

// list returns the nicks c watches, as it gave them, sorted by folded key for a stable reply.
func (s *Server) monitorList(c *Client) []string {
	s.monitor.mu.Lock()
	defer s.monitor.mu.Unlock()
	out := make([]string, 0, len(c.monitoring))
	for key := range c.monitoring {
		out = append(out, s.monitor.watchers[key][c])
	}
	return out
}

// monitorAdd adds targets to c's list and returns the ones added; full holds what did not fit.
func (s *Server) monitorAdd(c *Client, targets []string) (added, full []string) {
	s.monitor.mu.Lock()
	defer s.monitor.mu.Unlock()
	if c.monitoring == nil {
		c.monitoring = make(map[string]struct{})
	}
	for i, t := range targets {
		key := s.Net.Fold(t)
		if _, dup := c.monitoring[key]; dup {
			continue
		}
		if len(c.monitoring) >= monitorLimit {
			return added, targets[i:]
		}
		c.monitoring[key] = struct{}{}
		set := s.monitor.watchers[key]
		if set == nil {
			set = make(map[*Client]string)
			s.monitor.watchers[key] = set
		}
		set[c] = t
		added = append(added, t)
	}
	return added, nil
}

func (s *Server) monitorRemove(c *Client, targets []string) {
	s.monitor.mu.Lock()
	defer s.monitor.mu.Unlock()
	for _, t := range targets {
		s.monitorDropLocked(c, s.Net.Fold(t))
	}
}

// monitorClear empties c's list (MONITOR C, and on disconnect).
func (s *Server) monitorClear(c *Client) {
	s.monitor.mu.Lock()
	defer s.monitor.mu.Unlock()
	for key := range c.monitoring {
		s.monitorDropLocked(c, key)
	}
}

func (s *Server) monitorDropLocked(c *Client, key string) {
	delete(c.monitoring, key)
	if set := s.monitor.watchers[key]; set != nil {
		delete(set, c)
		if len(set) == 0 {
			delete(s.monitor.watchers, key)
		}
	}
}

// handleMonitor implements MONITOR + - C L S (IRCv3 monitor).
func handleMonitor(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	op := m.Params[0]
	targets := splitList(m.Param(1))
	switch op {
	case "+":
		if len(targets) == 0 {
			rb.Numeric(ircmsg.ERR_NEEDMOREPARAMS, "MONITOR", "Not enough parameters")
			return
		}
		valid := targets[:0]
		for _, t := range targets {
			if s.Net.ValidNick(t) {
				valid = append(valid, t)
			}
		}
		added, full := s.monitorAdd(c, valid)
		s.monitorStatus(c, rb, added)
		if len(full) > 0 {
			rb.Numeric(errMonListFull, strconv.Itoa(monitorLimit), strings.Join(full, ","), "Monitor list is full.")
		}
	case "-":
		s.monitorRemove(c, targets)
	case "C", "c":
		s.monitorClear(c)
	case "L", "l":
		for _, l := range packList(s.monitorList(c), maxNumericText) {
			rb.Numeric(rplMonList, l)
		}
		rb.Numeric(rplEndOfMonList, "End of MONITOR list")
	case "S", "s":
		s.monitorStatus(c, rb, s.monitorList(c))
	default:
		rb.Numeric(ircmsg.ERR_UNKNOWNCOMMAND, "MONITOR", "Unknown MONITOR subcommand")
	}
}

// maxNumericText bounds the comma-separated target list of one 730-732 line.
const maxNumericText = 400

// monitorStatus replies 730 with the online nicks (nick!user@host) and 731 with the offline ones.
func (s *Server) monitorStatus(c *Client, rb *ReplyBuffer, nicks []string) {
	var on, off []string
	for _, n := range nicks {
		if u := s.Net.FindUser(n); u != nil {
			on = append(on, u.Prefix().String())
		} else {
			off = append(off, n)
		}
	}
	if len(on) > 0 {
		for _, l := range packList(on, maxNumericText) {
			rb.Numeric(rplMonOnline, l)
		}
	}
	if len(off) > 0 {
		for _, l := range packList(off, maxNumericText) {
			rb.Numeric(rplMonOffline, l)
		}
	}
}

// packList joins items with commas into lines of at most max bytes.
func packList(items []string, max int) []string {
	var lines []string
	cur := ""
	for _, it := range items {
		if cur != "" && len(cur)+1+len(it) > max {
			lines = append(lines, cur)
			cur = ""
		}
		if cur != "" {
			cur += ","
		}
		cur += it
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// monitorWatcher is the core.Watcher of a Server: it turns presence changes into 730/731 and, for
// extended-monitor clients, relays AWAY, ACCOUNT, CHGHOST and SETNAME of watched nicks.
type monitorWatcher struct{ s *Server }

// Online implements core.Watcher. Safe for concurrent use.
func (w monitorWatcher) Online(u *core.User) {
	p := u.Prefix()
	for _, c := range w.s.monitor.watchersOf(w.s.Net.Fold(p.Nick)) {
		w.s.monitorNotice(c, rplMonOnline, p.String())
	}
}

// Offline implements core.Watcher. Safe for concurrent use.
func (w monitorWatcher) Offline(nick string) {
	for _, c := range w.s.monitor.watchersOf(w.s.Net.Fold(nick)) {
		w.s.monitorNotice(c, rplMonOffline, nick)
	}
}

// Changed implements core.Watcher (IRCv3 extended-monitor): each notification needs both
// extended-monitor and the capability of its own kind. Safe for concurrent use.
func (w monitorWatcher) Changed(u *core.User, ev *model.Event, reached map[*core.User]struct{}) {
	need, ok := extendedMonitorCaps[ev.Kind]
	if !ok {
		return
	}
	for _, c := range w.s.monitor.watchersOf(w.s.Net.Fold(u.Nick())) {
		if _, done := reached[c.User]; done || c.User == u {
			continue
		}
		if caps := c.caps.load(); caps.Has(CapExtendedMonitor) && caps.Has(need) {
			c.Deliver(ev)
		}
	}
}

var extendedMonitorCaps = map[model.Kind]Cap{
	model.KindAway: CapAwayNotify, model.KindAccount: CapAccountNotify,
	model.KindChghost: CapChghost, model.KindSetname: CapSetname,
}

// monitorNotice writes one 730/731 line to a watcher, outside any command's reply.
func (s *Server) monitorNotice(c *Client, code, text string) {
	m := ircmsg.Message{Source: s.Name(), Command: code, Params: []string{c.User.Nick(), text}}
	if c.Has(CapServerTime) {
		m.Tags = []ircmsg.Tag{{Key: "time", Value: formatTime(s.Net.Now())}}
	}
	c.out.Write(m.Append(nil))
}
