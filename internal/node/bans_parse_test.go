package node

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/casemap"
	"github.com/parleychat/parley/internal/commands"
	"github.com/parleychat/parley/internal/store"
)

func TestParseBanTarget(t *testing.T) {
	for _, tc := range []struct{ in, kind, pattern string }{
		{"192.0.2.7", store.BanIP, "192.0.2.7"},
		{"::ffff:192.0.2.7", store.BanIP, "192.0.2.7"},
		{"2001:DB8::1", store.BanIP, "2001:db8::1"},
		{"192.0.2.9/24", store.BanCIDR, "192.0.2.0/24"},
		{"192.0.2.9/32", store.BanIP, "192.0.2.9"},
		{"::ffff:10.0.0.0/104", store.BanCIDR, "10.0.0.0/8"},
		{"2001:db8::/48", store.BanCIDR, "2001:db8::/48"},
		{"$a:Alice", store.BanAccount, "Alice"},
		{"ACCOUNT:bob", store.BanAccount, "bob"},
		{"nick", store.BanMask, "nick!*@*"},
		{"nick!user", store.BanMask, "nick!user@*"},
		{"*@evil.example", store.BanMask, "*!*@evil.example"},
		{"*!*@10.0.0.*", store.BanMask, "*!*@10.0.0.*"},
	} {
		kind, pattern, err := ParseBanTarget(tc.in)
		if err != nil || kind != tc.kind || pattern != tc.pattern {
			t.Errorf("ParseBanTarget(%q) = %q, %q, %v; want %q, %q", tc.in, kind, pattern, err, tc.kind, tc.pattern)
		}
	}
	for _, in := range []string{"", "*", "*!*@*", "?", "a b", "a,b", "$a:", "a!b!c@d", "a@b!c", "10.0.0.0/0",
		"10.0.0.0/33", "fe80::1%eth0", strings.Repeat("x", 201)} {
		if kind, pattern, err := ParseBanTarget(in); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("ParseBanTarget(%q) = %q, %q, %v; want ErrInvalid", in, kind, pattern, err)
		}
	}
}

func TestParseBanDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"": 0, "0": 0, "perm": 0, "Permanent": 0,
		"30s": 30 * time.Second, "90m": 90 * time.Minute, "1h": time.Hour, "7d": 7 * 24 * time.Hour,
		"1w2d": 9 * 24 * time.Hour, "1Y": 365 * 24 * time.Hour, "100y": maxBanDuration,
	} {
		if got, err := ParseBanDuration(in); err != nil || got != want {
			t.Errorf("ParseBanDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"1", "h", "1x", "-1h", "1h ", "0h", "101y", "99y53w", "9999999y", "1.5h"} {
		if got, err := ParseBanDuration(in); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("ParseBanDuration(%q) = %v, %v; want ErrInvalid", in, got, err)
		}
	}
}

func TestBanCovers(t *testing.T) {
	cm, _ := casemap.Parse("rfc1459")
	subj := commands.BanSubject{Nick: "Evil[x]", User: "~evil", Host: "host.example", IP: "192.0.2.7", Account: "Mallory"}
	for _, tc := range []struct {
		target string
		hit    bool
	}{
		{"192.0.2.7", true}, {"192.0.2.8", false}, {"192.0.2.0/24", true}, {"198.51.100.0/24", false},
		{"$a:mallory", true}, {"$a:alice", false},
		{"evil{x}", true}, {"*!~evil@*.example", true}, {"*!*@192.0.2.*", true}, {"*!evil@*", false},
	} {
		kind, pattern, err := ParseBanTarget(tc.target)
		if err != nil {
			t.Fatal(err)
		}
		e, err := prepareBan(store.Ban{Kind: kind, Pattern: pattern}, cm)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.covers(cm)(subj); got != tc.hit {
			t.Errorf("%s covers %+v = %v, want %v", tc.target, subj, got, tc.hit)
		}
	}
}

// FuzzParseBan checks that whatever an operator types, the parser either refuses it with
// ErrInvalid or returns a ban that the store accepts, that matching never panics, that the
// canonical pattern reads back as itself, and that an accepted duration stays within bounds.
func FuzzParseBan(f *testing.F) {
	for _, s := range [][2]string{
		{"192.0.2.7", "1h"}, {"2001:db8::/32", "7d"}, {"$a:alice", "perm"}, {"nick!user@host", "1w2d"},
		{"*@*.example", "0"}, {"::ffff:1.2.3.4/120", "90m"}, {"a!b@c", "100y"}, {"*!*@*", "9999999999y"},
		{"fe80::1%eth0", "1h1h"}, {"nick", ""}, {"é!ü@ß", "1s"},
	} {
		f.Add(s[0], s[1])
	}
	cm, _ := casemap.Parse("rfc1459")
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, target, duration string) {
		b, err := ParseBan(target, duration, "reason", now)
		if err != nil {
			if !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("ParseBan(%q, %q): error %v does not wrap ErrInvalid", target, duration, err)
			}
			return
		}
		if err := store.CheckBan(b); err != nil {
			t.Fatalf("ParseBan(%q) = %+v, which the store refuses: %v", target, b, err)
		}
		if !b.Expires.IsZero() && (!b.Expires.After(now) || b.Expires.Sub(now) > maxBanDuration) {
			t.Fatalf("duration %q gave expiry %v", duration, b.Expires)
		}
		kind, pattern, err := ParseBanTarget(b.Pattern)
		if b.Kind == store.BanAccount {
			kind, pattern, err = ParseBanTarget("$a:" + b.Pattern)
		}
		if err != nil || kind != b.Kind || pattern != b.Pattern {
			t.Fatalf("canonical %s %q reads back as %q %q (%v)", b.Kind, b.Pattern, kind, pattern, err)
		}
		e, err := prepareBan(b, cm)
		if err != nil {
			t.Fatalf("prepareBan(%+v): %v", b, err)
		}
		e.covers(cm)(commands.BanSubject{Nick: target, User: duration, Host: target, IP: target, Account: target})
		if b.Kind == store.BanIP && !e.covers(cm)(commands.BanSubject{IP: netip.MustParseAddr(b.Pattern).String()}) {
			t.Fatalf("ip ban %q does not cover its own address", b.Pattern)
		}
	})
}
