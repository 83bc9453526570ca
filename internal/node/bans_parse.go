package node

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/parleychat/parley/internal/store"
)

// Limits on what an operator may type for a ban (issue 8). A ban travels in IRC lines, the API and
// the store, so its text stays well inside one IRC line.
const (
	maxBanPattern = 200
	maxBanReason  = 300
	// maxBanDuration keeps Created+duration far from time.Time's limits.
	maxBanDuration = 100 * 365 * 24 * time.Hour
)

// ParseBan builds a network ban from what an operator types: the target (see ParseBanTarget), a
// duration (see ParseBanDuration; "" is permanent) and a reason. now is when the ban starts. Errors
// wrap store.ErrInvalid and say what is wrong. Safe for concurrent use.
func ParseBan(target, duration, reason string, now time.Time) (store.Ban, error) {
	kind, pattern, err := ParseBanTarget(target)
	if err != nil {
		return store.Ban{}, err
	}
	d, err := ParseBanDuration(duration)
	if err != nil {
		return store.Ban{}, err
	}
	reason = strings.TrimSpace(reason)
	if len(reason) > maxBanReason {
		return store.Ban{}, fmt.Errorf("%w: the reason is longer than %d bytes", store.ErrInvalid, maxBanReason)
	}
	if strings.ContainsAny(reason, "\x00\r\n") {
		return store.Ban{}, fmt.Errorf("%w: the reason holds a NUL, CR or LF", store.ErrInvalid)
	}
	b := store.Ban{Kind: kind, Pattern: pattern, Reason: reason, Created: now}
	if d > 0 {
		b.Expires = now.Add(d)
	}
	return b, nil
}

// ParseBanTarget says what a ban target is and returns its canonical pattern:
//
//	192.0.2.7, 2001:db8::1     kind ip (an IPv4-mapped IPv6 address is stored as IPv4)
//	192.0.2.0/24, 2001:db8::/48  kind cidr (host bits cleared; a /32 or /128 is an ip ban)
//	$a:name, account:name     kind account
//	nick!user@host            kind mask, with * and ? wildcards; "nick" alone means nick!*@*,
//	                          "user@host" means *!user@host
//
// A mask that matches everyone and a /0 network are refused. Safe for concurrent use.
func ParseBanTarget(target string) (kind, pattern string, err error) {
	switch {
	case target == "":
		return "", "", fmt.Errorf("%w: empty ban target", store.ErrInvalid)
	case len(target) > maxBanPattern:
		return "", "", fmt.Errorf("%w: the ban target is longer than %d bytes", store.ErrInvalid, maxBanPattern)
	case strings.ContainsFunc(target, func(r rune) bool { return r <= ' ' || r == 0x7f || r == ',' }):
		return "", "", fmt.Errorf("%w: the ban target holds a space, comma or control character", store.ErrInvalid)
	}
	if name, ok := cutAccountPrefix(target); ok {
		if name == "" {
			return "", "", fmt.Errorf("%w: no account name after %q", store.ErrInvalid, target)
		}
		return store.BanAccount, name, nil
	}
	if strings.ContainsAny(target, "!@") {
		// Before the address forms: netip reads "::%x!y@z" as an address with a zone.
		return parseBanMask(target)
	}
	if a, err := netip.ParseAddr(target); err == nil {
		if a.Zone() != "" {
			return "", "", fmt.Errorf("%w: an address with a zone cannot be banned", store.ErrInvalid)
		}
		return store.BanIP, a.Unmap().String(), nil
	}
	if strings.Contains(target, "/") {
		return parseBanCIDR(target)
	}
	return parseBanMask(target)
}

// cutAccountPrefix recognises the account forms: the extban style $a:NAME and account:NAME.
func cutAccountPrefix(s string) (string, bool) {
	for _, p := range []string{"$a:", "account:"} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			return s[len(p):], true
		}
	}
	return "", false
}

func parseBanCIDR(target string) (kind, pattern string, err error) {
	p, err := netip.ParsePrefix(target)
	if err != nil {
		return "", "", fmt.Errorf("%w: %q is not a CIDR network (like 192.0.2.0/24)", store.ErrInvalid, target)
	}
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	p = p.Masked()
	switch {
	case p.Bits() == 0:
		return "", "", fmt.Errorf("%w: %s would ban every address", store.ErrInvalid, target)
	case p.IsSingleIP():
		return store.BanIP, p.Addr().String(), nil
	}
	return store.BanCIDR, p.String(), nil
}

func parseBanMask(target string) (kind, pattern string, err error) {
	if strings.Count(target, "!") > 1 || strings.Count(target, "@") > 1 {
		return "", "", fmt.Errorf("%w: %q is not a nick!user@host mask", store.ErrInvalid, target)
	}
	mask := target
	if !strings.Contains(mask, "!") {
		if strings.Contains(mask, "@") {
			mask = "*!" + mask
		} else {
			mask += "!*"
		}
	}
	if !strings.Contains(mask, "@") {
		mask += "@*"
	}
	bang, at := strings.IndexByte(mask, '!'), strings.IndexByte(mask, '@')
	if at < bang {
		return "", "", fmt.Errorf("%w: %q: the @ comes before the ! in it", store.ErrInvalid, target)
	}
	if strings.Trim(mask, "*?!@") == "" {
		return "", "", fmt.Errorf("%w: %s would ban everyone", store.ErrInvalid, mask)
	}
	return store.BanMask, mask, nil
}

// banUnits are the duration units an operator may use.
var banUnits = map[byte]time.Duration{
	's': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour,
	'y': 365 * 24 * time.Hour,
}

// ParseBanDuration reads a ban's duration: "" , "0", "perm" or "permanent" for a ban that never
// expires (returned as 0), otherwise one or more <number><unit> with the units s, m, h, d, w and
// y (365 days): "90m", "1h", "7d", "1w2d". At most 100 years. Safe for concurrent use.
func ParseBanDuration(s string) (time.Duration, error) {
	switch strings.ToLower(s) {
	case "", "0", "perm", "permanent":
		return 0, nil
	}
	var total time.Duration
	rest := strings.ToLower(s)
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) || i > 6 {
			return 0, fmt.Errorf("%w: duration %q: use a number and a unit (s, m, h, d, w, y), like 1h or 7d, "+
				"or perm", store.ErrInvalid, s)
		}
		unit, ok := banUnits[rest[i]]
		if !ok {
			return 0, fmt.Errorf("%w: duration %q: unknown unit %q (s, m, h, d, w, y)", store.ErrInvalid, s, rest[i])
		}
		var num time.Duration
		for _, c := range rest[:i] {
			num = num*10 + time.Duration(c-'0')
		}
		// Checked before multiplying: six digits of years would overflow a Duration.
		if num > maxBanDuration/unit || total+num*unit > maxBanDuration {
			return 0, fmt.Errorf("%w: duration %q is longer than 100 years; use perm", store.ErrInvalid, s)
		}
		total += num * unit
		rest = rest[i+1:]
	}
	if total == 0 {
		return 0, fmt.Errorf("%w: duration %q is zero; use perm for a ban that never expires", store.ErrInvalid, s)
	}
	return total, nil
}
