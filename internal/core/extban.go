package core

import (
	"net/netip"
	"strings"
)

// Extended bans (ISUPPORT EXTBAN=,am), usable as entries of the list modes:
//
//   - a:<account mask> matches users logged into an account that matches the mask (wildcards
//     allowed). A user who is not logged in never matches an a: entry: "+b a:*" does not ban
//     guests (that is +R), and "+e a:*" exempts every logged-in user.
//   - m:<hostmask> is a mute: in +b, a matching user may join but may not speak (voice outranks
//     it, as it outranks a ban); +e exempts from mutes as from bans. It means nothing in +I.
//
// Plain entries are nick!user@host masks with * and ? wildcards; the host part may be a CIDR
// range ("*!*@192.0.2.0/24", "*!*@2001:db8::/32"), matched against the user's IP address.

// ExtbanISupport is the EXTBAN token: no prefix, types a and m.
const ExtbanISupport = "EXTBAN=,am"

// extban splits "a:mask" into its type and mask; ok is false for a plain hostmask. A nick cannot
// hold ':', so a one-letter word and a colon can only be an extended ban.
func extban(mask string) (kind byte, rest string, ok bool) {
	if len(mask) >= 2 && mask[1] == ':' {
		return mask[0], mask[2:], true
	}
	return 0, mask, false
}

// normalizeListMask returns the stored form of a list entry for list mode mode, or ok false when
// the entry is not valid there.
func normalizeListMask(mode byte, mask string) (string, bool) {
	if strings.ContainsAny(mask, " ,") {
		return "", false
	}
	kind, rest, ext := extban(mask)
	if !ext {
		return NormalizeMask(mask), true
	}
	switch {
	case kind == 'a' && rest != "":
		return "a:" + rest, true
	case kind == 'm' && mode != 'I' && rest != "":
		return "m:" + NormalizeMask(rest), true
	}
	return "", false
}

// subject is what list entries are matched against: a user's masks, IP and account, computed once
// per check.
type subject struct {
	full, ipForm, nickUser string
	ip                     netip.Addr
	account                string
}

func newSubject(u *User) subject {
	info := u.Info()
	s := subject{
		full:     info.Nick + "!" + info.User + "@" + info.Host,
		nickUser: info.Nick + "!" + info.User,
		account:  info.Account,
	}
	if info.IP != "" && info.IP != info.Host {
		s.ipForm = info.Nick + "!" + info.User + "@" + info.IP
	}
	s.ip, _ = netip.ParseAddr(info.IP)
	return s
}

// matchHostmask matches a nick!user@host mask against the subject, by wildcard on the host or IP,
// or by CIDR range when the host part is one.
func (c *Channel) matchHostmask(mask string, s *subject) bool {
	cm := c.net.cm
	if cm.Match(mask, s.full) || (s.ipForm != "" && cm.Match(mask, s.ipForm)) {
		return true
	}
	at := strings.LastIndexByte(mask, '@')
	if at < 0 || !s.ip.IsValid() || !strings.Contains(mask[at:], "/") {
		return false
	}
	prefix, err := netip.ParsePrefix(mask[at+1:])
	if err != nil {
		return false
	}
	return prefix.Contains(s.ip.Unmap()) && cm.Match(mask[:at], s.nickUser)
}

// matchEntry reports whether one list entry matches the subject. mutes says whether m: entries
// count (for speaking) or not (for joining).
func (c *Channel) matchEntry(mask string, s *subject, mutes bool) bool {
	kind, rest, ext := extban(mask)
	if !ext {
		return c.matchHostmask(mask, s)
	}
	switch kind {
	case 'a':
		return s.account != "" && c.net.cm.Match(rest, s.account)
	case 'm':
		return mutes && c.matchHostmask(rest, s)
	}
	return false
}

func (c *Channel) matchAny(list []ListEntry, s *subject, mutes bool) bool {
	for _, e := range list {
		if c.matchEntry(e.Mask, s, mutes) {
			return true
		}
	}
	return false
}
