package guard

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"
)

// clock is a manual clock for the throttle.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func tcp(s string) net.Addr {
	return net.TCPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr(s), 40000))
}

// reason returns the refusal reason of err, "" when admitted.
func reason(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var r *Refusal
	if !errors.As(err, &r) {
		t.Fatalf("error %v is not a *Refusal", err)
	}
	return r.Reason
}

func TestPerIP(t *testing.T) {
	l := New(Config{PerIP: 2}, nil)
	r1, err := l.Acquire(tcp("192.0.2.1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Acquire(tcp("192.0.2.1")); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Acquire(tcp("192.0.2.1")); reason(t, err) != ReasonPerIP {
		t.Fatalf("third connection: got %v, want a per_ip refusal", err)
	}
	if _, err := l.Acquire(tcp("192.0.2.2")); err != nil {
		t.Fatalf("another address was refused: %v", err)
	}
	r1()
	r1() // a second release must not free a second slot
	if _, err := l.Acquire(tcp("192.0.2.1")); err != nil {
		t.Fatalf("after a release: %v", err)
	}
	if _, err := l.Acquire(tcp("192.0.2.1")); reason(t, err) != ReasonPerIP {
		t.Fatalf("double release freed two slots: %v", err)
	}
}

func TestPerIPCountsIPv6By64(t *testing.T) {
	l := New(Config{PerIP: 1}, nil)
	if _, err := l.Acquire(tcp("2001:db8:1:2::1")); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Acquire(tcp("2001:db8:1:2::ffff")); reason(t, err) != ReasonPerIP {
		t.Fatalf("same /64: got %v", err)
	}
	if _, err := l.Acquire(tcp("2001:db8:1:3::1")); err != nil {
		t.Fatalf("another /64: %v", err)
	}
	// An IPv4-mapped IPv6 address is the IPv4 address.
	if _, err := l.Acquire(tcp("192.0.2.9")); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Acquire(tcp("::ffff:192.0.2.9")); reason(t, err) != ReasonPerIP {
		t.Fatalf("mapped address counted apart: %v", err)
	}
}

func TestPerCIDR(t *testing.T) {
	l := New(Config{IPv4Prefix: 24, IPv6Prefix: 48, PerCIDR: 2}, nil)
	rel, _ := l.Acquire(tcp("198.51.100.1"))
	l.Acquire(tcp("198.51.100.2"))
	if _, err := l.Acquire(tcp("198.51.100.3")); reason(t, err) != ReasonPerCIDR {
		t.Fatalf("third in the /24: %v", err)
	}
	if _, err := l.Acquire(tcp("198.51.101.1")); err != nil {
		t.Fatalf("next /24: %v", err)
	}
	rel()
	if _, err := l.Acquire(tcp("198.51.100.3")); err != nil {
		t.Fatalf("after a release: %v", err)
	}
	l.Acquire(tcp("2001:db8:5:1::1"))
	l.Acquire(tcp("2001:db8:5:2::1"))
	if _, err := l.Acquire(tcp("2001:db8:5:3::1")); reason(t, err) != ReasonPerCIDR {
		t.Fatalf("third in the /48: %v", err)
	}
}

func TestThrottle(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	l := New(Config{Burst: 3, Refill: 1, Per: time.Second}, c.now)
	for i := 0; i < 3; i++ {
		rel, err := l.Acquire(tcp("203.0.113.5"))
		if err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		rel() // closing does not give the token back
	}
	if _, err := l.Acquire(tcp("203.0.113.5")); reason(t, err) != ReasonThrottle {
		t.Fatalf("past the burst: %v", err)
	}
	if _, err := l.Acquire(tcp("203.0.113.6")); err != nil {
		t.Fatalf("another address: %v", err)
	}
	c.advance(999 * time.Millisecond)
	if _, err := l.Acquire(tcp("203.0.113.5")); reason(t, err) != ReasonThrottle {
		t.Fatalf("before a refill: %v", err)
	}
	c.advance(2 * time.Millisecond)
	if _, err := l.Acquire(tcp("203.0.113.5")); err != nil {
		t.Fatalf("after a refill: %v", err)
	}
	if _, err := l.Acquire(tcp("203.0.113.5")); reason(t, err) != ReasonThrottle {
		t.Fatalf("one refill gave two tokens: %v", err)
	}
}

func TestExempt(t *testing.T) {
	l := New(Config{PerIP: 1, PerCIDR: 1, IPv4Prefix: 8, IPv6Prefix: 64, Burst: 1, Refill: 1, Per: time.Hour,
		Exempt: []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16")}}, nil)
	for i := 0; i < 10; i++ {
		if _, err := l.Acquire(tcp("10.1.2.3")); err != nil {
			t.Fatalf("exempt address refused: %v", err)
		}
	}
	if _, err := l.Acquire(tcp("10.2.0.1")); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Acquire(tcp("10.2.0.1")); err == nil {
		t.Fatal("a second connection from a non-exempt address was admitted")
	}
	if a, _ := l.Tracked(); a != 1 {
		t.Fatalf("exempt connections are tracked: %d addresses", a)
	}
}

func TestNoAddress(t *testing.T) {
	l := New(Config{}, nil)
	for _, a := range []net.Addr{nil, &net.UnixAddr{Name: "/tmp/sock", Net: "unix"}} {
		if _, err := l.Acquire(a); !errors.Is(err, ErrNoAddress) {
			t.Fatalf("%v: got %v", a, err)
		}
	}
}

// TestMemoryBounded floods the limiter with distinct addresses: the idle state kept must stay
// within MaxTracked, and state must vanish once buckets refill and connections close.
func TestMemoryBounded(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	l := New(Config{PerIP: 4, PerCIDR: 100, IPv4Prefix: 24, IPv6Prefix: 48, Burst: 2, Refill: 1, Per: time.Second, MaxTracked: 500}, c.now)
	var open []func()
	openNets := map[[3]byte]bool{}
	for i := 0; i < 20000; i++ {
		ip := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		rel, err := l.Acquire(net.TCPAddrFromAddrPort(netip.AddrPortFrom(ip, 1)))
		if err != nil {
			continue
		}
		if i%100 == 0 {
			open = append(open, rel) // a few stay connected
			openNets[[3]byte{10, byte(i >> 16), byte(i >> 8)}] = true
		} else {
			rel()
		}
	}
	addrs, prefixes := l.Tracked()
	if addrs > 500+len(open) {
		t.Fatalf("%d addresses tracked, want at most %d", addrs, 500+len(open))
	}
	if prefixes != len(openNets) {
		t.Fatalf("%d prefixes tracked for %d open connections in %d /24s", prefixes, len(open), len(openNets))
	}
	// Still-open connections are never forgotten: their limits keep holding.
	for _, rel := range open {
		rel()
	}
	c.advance(5 * time.Second)
	l.sweep(c.now())
	if a, p := l.Tracked(); a != 0 || p != 0 {
		t.Fatalf("after refill and close: %d addresses, %d prefixes still tracked", a, p)
	}
}

func TestSetConfigKeepsCounts(t *testing.T) {
	l := New(Config{PerIP: 5, PerCIDR: 2, IPv4Prefix: 24, IPv6Prefix: 48}, nil)
	var rels []func()
	for i := 1; i <= 2; i++ {
		rel, err := l.Acquire(tcp(fmt.Sprintf("192.0.2.%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		rels = append(rels, rel)
	}
	l.SetConfig(Config{PerIP: 5, PerCIDR: 2, IPv4Prefix: 16, IPv6Prefix: 48})
	if _, err := l.Acquire(tcp("192.0.3.1")); reason(t, err) != ReasonPerCIDR {
		t.Fatalf("the /16 holds two open connections: %v", err)
	}
	for _, rel := range rels {
		rel()
	}
	if _, p := l.Tracked(); p != 0 {
		t.Fatalf("%d prefixes left after every release", p)
	}
	l.SetConfig(Config{PerIP: 1})
	l.Acquire(tcp("192.0.2.1"))
	if _, err := l.Acquire(tcp("192.0.2.1")); reason(t, err) != ReasonPerIP {
		t.Fatalf("new per_ip not applied: %v", err)
	}
}

func BenchmarkAcquireRelease(b *testing.B) {
	l := New(Config{PerIP: 64, PerCIDR: 1000, IPv4Prefix: 24, IPv6Prefix: 48, Burst: 1 << 30, Refill: 1, Per: time.Second}, nil)
	addr := tcp("192.0.2.1")
	b.ReportAllocs()
	for b.Loop() {
		rel, err := l.Acquire(addr)
		if err != nil {
			b.Fatal(err)
		}
		rel()
	}
}
