package commands

import (
	"strconv"
	"time"

	"github.com/parleychat/parley/internal/casemap"
	"github.com/parleychat/parley/internal/ircmsg"
)

// listFilter is a LIST query: channel masks and the ELIST conditions (modern.ircdocs.horse, "ELIST
// Parameter"): M masks, N "!mask" negations, U ">n" / "<n" user counts, C "C>n" / "C<n" creation and
// T "T>n" / "T<n" topic times, the times in minutes before now. Every condition given must hold.
type listFilter struct {
	masks, notMasks    []string
	minUsers, maxUsers int       // -1: no condition
	createdBefore      time.Time // C>n: created more than n minutes ago; zero: no condition
	createdAfter       time.Time // C<n
	topicBefore        time.Time // T>n: topic set more than n minutes ago
	topicAfter         time.Time // T<n
}

// parseListFilter reads LIST's first parameter; terms that do not parse are ignored, as servers do.
func parseListFilter(arg string, now time.Time) listFilter {
	f := listFilter{minUsers: -1, maxUsers: -1}
	for _, term := range splitList(arg) {
		switch {
		case term[0] == '>' || term[0] == '<':
			if n, err := strconv.Atoi(term[1:]); err == nil && n >= 0 {
				if term[0] == '>' {
					f.minUsers = n
				} else {
					f.maxUsers = n
				}
			}
		case len(term) > 2 && (term[0] == 'C' || term[0] == 'T') && (term[1] == '>' || term[1] == '<'):
			f.setTime(term, now)
		case term[0] == '!' && len(term) > 1:
			f.notMasks = append(f.notMasks, term[1:])
		default:
			f.masks = append(f.masks, term)
		}
	}
	return f
}

func (f *listFilter) setTime(term string, now time.Time) {
	mins, err := strconv.Atoi(term[2:])
	if err != nil || mins < 0 {
		return
	}
	at := now.Add(-time.Duration(mins) * time.Minute)
	switch term[:2] {
	case "C>":
		f.createdBefore = at
	case "C<":
		f.createdAfter = at
	case "T>":
		f.topicBefore = at
	case "T<":
		f.topicAfter = at
	}
}

// listEntry is what a LIST condition looks at.
type listEntry struct {
	name    string
	users   int
	created time.Time
	topicAt time.Time // zero when there is no topic
}

func (f *listFilter) match(cm casemap.Mapping, e listEntry) bool {
	switch {
	case f.minUsers >= 0 && e.users <= f.minUsers, f.maxUsers >= 0 && e.users >= f.maxUsers:
		return false
	case !f.createdBefore.IsZero() && !e.created.Before(f.createdBefore),
		!f.createdAfter.IsZero() && !e.created.After(f.createdAfter):
		return false
	case (!f.topicBefore.IsZero() || !f.topicAfter.IsZero()) && e.topicAt.IsZero():
		return false // a channel with no topic has no topic time to compare
	case !f.topicBefore.IsZero() && !e.topicAt.Before(f.topicBefore),
		!f.topicAfter.IsZero() && !e.topicAt.After(f.topicAfter):
		return false
	case len(f.masks) > 0 && !matchAny(cm, f.masks, e.name), matchAny(cm, f.notMasks, e.name):
		return false
	}
	return true
}

// handleList answers LIST: every visible channel that passes the filter (secret ones only to their
// members and operators).
func handleList(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	f := parseListFilter(m.Param(0), s.Net.Now())
	cm := s.Net.Casemap()
	rb.Numeric(ircmsg.RPL_LISTSTART, "Channel", "Users  Name")
	for _, ch := range s.Net.Channels() {
		_, member := ch.Membership(c.User)
		if ch.IsSecret() && !member && !c.User.IsOper() {
			continue
		}
		topic := ch.Topic()
		e := listEntry{name: ch.Name(), users: ch.MemberCount(), created: ch.Created()}
		if topic.Text != "" {
			e.topicAt = topic.SetAt
		}
		if !f.match(cm, e) {
			continue
		}
		modes, _ := ch.Modes().String(false)
		rb.Numeric(ircmsg.RPL_LIST, e.name, strconv.Itoa(e.users), "["+modes+"] "+topic.Text)
	}
	rb.Numeric(ircmsg.RPL_LISTEND, "End of /LIST")
}

// matchAny reports whether s matches one of the masks.
func matchAny(cm casemap.Mapping, masks []string, s string) bool {
	for _, mask := range masks {
		if cm.Match(mask, s) {
			return true
		}
	}
	return false
}

// listISupport is the ELIST token: the LIST conditions handleList understands.
const listISupport = "ELIST=CMNTU"
