package commands

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/store"
)

// Network bans (issue 8). One command, UBAN, covers every kind (IP, CIDR, nick!user@host mask,
// account) rather than the classic KLINE/DLINE/UNKLINE/UNDLINE family: the kind follows from the
// target's shape, so an operator has one syntax to learn and one list to read, and the ban list
// is a single store bucket anyway. The syntax follows Ergo's UBAN:
//
//	UBAN ADD <target> [DURATION <duration> | <duration>] [REASON] [<reason>...]
//	UBAN DEL <id|target>
//	UBAN LIST
//
// Replies are NOTICEs from the server; errors are FAIL UBAN standard replies.

func init() {
	register("UBAN", Command{Handler: handleUban, MinParams: 1, Oper: true, Priv: PrivBan})
	helpTopics["UBAN"] = "UBAN ADD <target> [duration] [reason] | UBAN DEL <id|target> | UBAN LIST\n" +
		"Network bans (IRC operators with the ban privilege). The target is an IP, a CIDR network,\n" +
		"a nick!user@host mask or $a:account; the duration is like 1h, 7d or perm."
}

// BanSubject is what a network ban is matched against: one connection's identity. Fields not
// known yet are empty.
type BanSubject struct {
	Nick, User, Host, IP, Account string
}

// NetworkBans is the network ban list as the protocol uses it: UBAN, and the checks at
// registration and at login. The node implements it over the store. Implementations must be safe
// for concurrent use.
type NetworkBans interface {
	// Match returns the unexpired ban that covers s, if any. It must not block.
	Match(s BanSubject) (store.Ban, bool)
	// Add parses target, duration and reason, stores the ban and returns it; errors wrapping
	// store.ErrInvalid describe bad input in words an operator can act on.
	Add(ctx context.Context, target, duration, reason, setBy string) (store.Ban, error)
	// Remove deletes the bans whose ID or target is ref and returns them; store.ErrNotFound when
	// there is none.
	Remove(ctx context.Context, ref string) ([]store.Ban, error)
	// List returns every stored ban.
	List(ctx context.Context) ([]store.Ban, error)
}

func handleUban(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	bans := s.Config().Bans
	if bans == nil {
		rb.Fail("UBAN", "UNAVAILABLE", "Network bans are not available on this server")
		return
	}
	sub := strings.ToUpper(m.Params[0])
	args := m.Params[1:]
	ctx, cancel := storeCtx()
	defer cancel()
	switch {
	case sub == "ADD" && len(args) > 0:
		ubanAdd(s, c, rb, bans, ctx, args)
	case sub == "DEL" && len(args) > 0:
		ubanDel(s, c, rb, bans, ctx, args[0])
	case sub == "LIST":
		ubanList(s, c, rb, bans, ctx)
	case sub == "ADD" || sub == "DEL":
		rb.Numeric(ircmsg.ERR_NEEDMOREPARAMS, "UBAN", "Not enough parameters")
	default:
		rb.Fail("UBAN", "INVALID_PARAMS", m.Params[0], "Unknown subcommand; use ADD, DEL or LIST")
	}
}

// ubanArgs splits what follows the target of UBAN ADD into a duration and a reason.
func ubanArgs(args []string) (duration, reason string) {
	if len(args) >= 2 && strings.EqualFold(args[0], "DURATION") {
		duration, args = args[1], args[2:]
	} else if len(args) > 0 && looksLikeDuration(args[0]) {
		duration, args = args[0], args[1:]
	}
	if len(args) > 0 && strings.EqualFold(args[0], "REASON") {
		args = args[1:]
	}
	return duration, strings.Join(args, " ")
}

// looksLikeDuration tells a duration ("1h", "7d", "perm") from the first word of a reason.
func looksLikeDuration(s string) bool {
	switch strings.ToLower(s) {
	case "perm", "permanent", "0":
		return true
	}
	if s == "" || s[0] < '0' || s[0] > '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && !strings.ContainsRune("smhdwySMHDWY", rune(s[i])) {
			return false
		}
	}
	return true
}

func ubanAdd(s *Server, c *Client, rb *ReplyBuffer, bans NetworkBans, ctx context.Context, args []string) {
	duration, reason := ubanArgs(args[1:])
	b, err := bans.Add(ctx, args[0], duration, reason, c.User.Prefix().String())
	if err != nil {
		ubanFailed(rb, args[0], err)
		return
	}
	notice(s, c, rb, "Ban "+b.ID+" added: "+describeBan(b))
}

func ubanDel(s *Server, c *Client, rb *ReplyBuffer, bans NetworkBans, ctx context.Context, ref string) {
	removed, err := bans.Remove(ctx, ref)
	if err != nil {
		ubanFailed(rb, ref, err)
		return
	}
	for _, b := range removed {
		notice(s, c, rb, "Ban "+b.ID+" removed: "+b.Kind+" "+b.Pattern)
	}
}

func ubanList(s *Server, c *Client, rb *ReplyBuffer, bans NetworkBans, ctx context.Context) {
	list, err := bans.List(ctx)
	if err != nil {
		ubanFailed(rb, "*", err)
		return
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Created.Before(list[j].Created) })
	for _, b := range list {
		notice(s, c, rb, "Ban "+b.ID+": "+describeBan(b))
	}
	notice(s, c, rb, "End of ban list ("+strconv.Itoa(len(list))+" bans)")
}

// ubanFailed maps a ban list error to a FAIL reply; store errors other than bad input are
// reported without their detail.
func ubanFailed(rb *ReplyBuffer, ref string, err error) {
	switch {
	case errors.Is(err, store.ErrInvalid):
		rb.Fail("UBAN", "INVALID_PARAMS", ref, strings.TrimPrefix(err.Error(), store.ErrInvalid.Error()+": "))
	case errors.Is(err, store.ErrNotFound):
		rb.Fail("UBAN", "UNKNOWN_BAN", ref, "No ban has that ID or target")
	case errors.Is(err, store.ErrExists):
		rb.Fail("UBAN", "BAN_EXISTS", ref, "That ban already exists")
	default:
		rb.Fail("UBAN", "TEMPORARILY_UNAVAILABLE", ref, "The ban store did not answer; try again")
	}
}

func notice(s *Server, c *Client, rb *ReplyBuffer, text string) {
	rb.Add("NOTICE", c.Nick(), text)
}

// describeBan is one line about a ban for operators: kind, pattern, expiry, setter and reason.
func describeBan(b store.Ban) string {
	var sb strings.Builder
	sb.WriteString(b.Kind + " " + b.Pattern)
	if b.Expires.IsZero() {
		sb.WriteString(", permanent")
	} else {
		sb.WriteString(", expires " + b.Expires.UTC().Format(time.RFC3339))
	}
	if b.SetBy != "" {
		sb.WriteString(", set by " + b.SetBy)
	}
	if b.Reason != "" {
		sb.WriteString(": " + b.Reason)
	}
	return sb.String()
}

// bannedText is what a banned client is told in 465 and in ERROR.
func bannedText(b store.Ban) string {
	text := "You are banned from this server"
	if b.Reason != "" {
		text += ": " + b.Reason
	}
	if !b.Expires.IsZero() {
		text += " (until " + b.Expires.UTC().Format(time.RFC3339) + ")"
	}
	return text
}

// refuseBanned ends the connection of a client that a network ban covers, as it registers or logs
// in: 465 ERR_YOUREBANNEDCREEP with the reason (modern.ircdocs.horse), then ERROR. It reports
// whether it did. Reader goroutine only.
func (s *Server) refuseBanned(c *Client, rb *ReplyBuffer, subj BanSubject) bool {
	bans := s.Config().Bans
	if bans == nil {
		return false
	}
	b, ok := bans.Match(subj)
	if !ok {
		return false
	}
	rb.Numeric(ircmsg.ERR_YOUREBANNEDCREEP, bannedText(b))
	c.quitting = true
	// Close drops whatever is written after it, so the 465 must be out first.
	rb.Flush()
	c.out.Close("Banned: " + banReason(b))
	return true
}

// registrationSubject is the identity a registering client presents. Reader goroutine only.
func registrationSubject(c *Client) BanSubject {
	info := c.User.Info()
	return BanSubject{Nick: c.pendingNick, User: c.username, Host: info.Host, IP: info.IP, Account: info.Account}
}

// loginRefused reports whether account is banned, ending the connection if so (see
// refuseBanned). Reader goroutine only.
func (s *Server) loginRefused(c *Client, rb *ReplyBuffer, account string) bool {
	return s.refuseBanned(c, rb, BanSubject{Account: account})
}

func banReason(b store.Ban) string {
	if b.Reason == "" {
		return "no reason given"
	}
	return b.Reason
}

// EnforceBan disconnects every client of this node that b covers, telling each one why (465,
// then ERROR), and returns how many. covers decides from the client's current identity. Safe for
// concurrent use; it does not wait for the connections to close.
func (s *Server) EnforceBan(b store.Ban, covers func(BanSubject) bool) int {
	n := 0
	s.clients.Range(func(k, _ any) bool {
		c := k.(*Client)
		info := c.User.Info()
		subj := BanSubject{Nick: info.Nick, User: info.User, Host: info.Host, IP: info.IP, Account: info.Account}
		if !covers(subj) {
			return true
		}
		// A buffer of our own, addressed by the user's current nick: the client's reader goroutine
		// may be busy with its own replies.
		rb := &ReplyBuffer{c: c, nick: info.Nick}
		rb.Numeric(ircmsg.ERR_YOUREBANNEDCREEP, bannedText(b))
		rb.Flush()
		c.out.Close("Banned: " + banReason(b))
		n++
		return true
	})
	return n
}
