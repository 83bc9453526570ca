// Package guard decides whether a new connection may be admitted, from the address it comes
// from: concurrent connections per address and per network prefix, and a token bucket of new
// connections per address. It does no I/O; the node asks it once per accepted connection, after
// the PROXY header and the TLS handshake, so the address is the client's own.
//
// Memory stays bounded whatever the traffic: an address is tracked only while it has open
// connections or a throttle bucket that is still refilling, at most Config.MaxTracked idle
// buckets are kept, and a flood of distinct addresses makes the oldest idle state go first.
package guard

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"time"
)

// Reasons label refusals in metrics (parley_connections_refused_total{reason}).
const (
	ReasonPerIP    = "per_ip"
	ReasonPerCIDR  = "per_cidr"
	ReasonThrottle = "throttle"
)

// Refusal is the error Acquire returns for a refused connection: Reason is a metrics label,
// Error() the text sent to the client in "ERROR :<text>".
type Refusal struct {
	Reason string
	Msg    string
}

// Error returns the message for the client. Safe for concurrent use.
func (r *Refusal) Error() string { return r.Msg }

// ErrNoAddress is returned for an address that is not an IP (a Unix socket, a garbled
// X-Forwarded-For): such a connection cannot be counted, so it is refused.
var ErrNoAddress = errors.New("cannot tell your address")

// Config holds the limits. The zero value admits everything.
type Config struct {
	PerIP      int // concurrent connections per address (IPv6: per /64); 0 = unlimited
	IPv4Prefix int // prefix length grouping IPv4 addresses for PerCIDR
	IPv6Prefix int // prefix length grouping IPv6 addresses for PerCIDR (at most 64 is used)
	PerCIDR    int // concurrent connections per prefix; 0 = off
	// Throttle: up to Burst new connections per address at once, refilled by Refill every Per.
	Burst  int // 0 = throttle off
	Refill int
	Per    time.Duration
	Exempt []netip.Prefix // addresses that skip every limit
	// MaxTracked bounds the idle throttle buckets kept; default DefaultMaxTracked.
	MaxTracked int
}

// DefaultMaxTracked is the default Config.MaxTracked: about 100 bytes each, so a few MiB at most.
const DefaultMaxTracked = 65536

// ipv6HostBits is the prefix that stands for one IPv6 host: a single machine is routinely given
// a whole /64, so counting its addresses one by one would limit nothing.
const ipv6HostBits = 64

// entry is what is known about one address (or /64).
type entry struct {
	open   int       // connections currently admitted
	tokens float64   // throttle tokens left at last
	last   time.Time // when tokens was computed
}

// Limiter applies a Config. Its methods are safe for concurrent use.
type Limiter struct {
	now func() time.Time

	mu     sync.Mutex // guards everything below; held only for map work, never for I/O
	cfg    Config
	addrs  map[netip.Addr]*entry
	nets   map[netip.Prefix]int // open connections per prefix, only while non-zero
	idle   int                  // entries in addrs with open == 0
	sweepN int                  // Acquire calls since the last sweep
}

// New returns a Limiter with cfg. now is the clock (nil: time.Now), replaceable in tests.
func New(cfg Config, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	l := &Limiter{now: now, addrs: make(map[netip.Addr]*entry), nets: make(map[netip.Prefix]int)}
	l.SetConfig(cfg)
	return l
}

// SetConfig replaces the limits; connections already admitted stay counted and are released
// against the new limits. Safe for concurrent use.
func (l *Limiter) SetConfig(cfg Config) {
	if cfg.MaxTracked <= 0 {
		cfg.MaxTracked = DefaultMaxTracked
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if cfg.IPv4Prefix != l.cfg.IPv4Prefix || cfg.IPv6Prefix != l.cfg.IPv6Prefix {
		// The prefix counts were keyed by the old lengths: rebuild them from the open counts.
		l.nets = make(map[netip.Prefix]int)
		for a, e := range l.addrs {
			if e.open > 0 {
				l.nets[prefixOf(a, cfg)] += e.open
			}
		}
	}
	l.cfg = cfg
}

// Acquire admits a connection from addr or refuses it with a *Refusal (or ErrNoAddress). When it
// admits, the caller must call release exactly once when the connection ends; further calls do
// nothing. Safe for concurrent use.
func (l *Limiter) Acquire(addr net.Addr) (release func(), err error) {
	ip, ok := addrIP(addr)
	if !ok {
		return nil, ErrNoAddress
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if exempt(ip, l.cfg.Exempt) {
		return func() {}, nil
	}
	key := hostKey(ip)
	pfx := prefixOf(ip, l.cfg)
	now := l.now()
	l.maybeSweep(now)
	e := l.addrs[key]
	if l.cfg.PerIP > 0 && e != nil && e.open >= l.cfg.PerIP {
		return nil, &Refusal{ReasonPerIP, "Too many connections from your address"}
	}
	if l.cfg.PerCIDR > 0 && l.nets[pfx] >= l.cfg.PerCIDR {
		return nil, &Refusal{ReasonPerCIDR, "Too many connections from your network"}
	}
	if e == nil {
		e = l.newEntry(key, now)
	}
	if l.cfg.Burst > 0 {
		l.refill(e, now)
		if e.tokens < 1 {
			return nil, &Refusal{ReasonThrottle, "Too many connections in too little time, try again later"}
		}
		e.tokens--
	}
	if e.open == 0 {
		l.idle--
	}
	e.open++
	l.nets[pfx]++
	var once sync.Once
	return func() { once.Do(func() { l.release(key) }) }, nil
}

func (l *Limiter) release(key netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// The prefix is computed again: SetConfig may have changed its length meanwhile, and it
	// rebuilt the counts under the new one.
	pfx := prefixOf(key, l.cfg)
	if n := l.nets[pfx] - 1; n > 0 {
		l.nets[pfx] = n
	} else {
		delete(l.nets, pfx)
	}
	e := l.addrs[key]
	if e == nil || e.open == 0 {
		return
	}
	e.open--
	if e.open == 0 {
		l.idle++
		l.forgetIfFull(key, e, l.now())
	}
}

// newEntry starts tracking key with a full bucket, making room first when too many idle entries
// are kept. Caller holds l.mu.
func (l *Limiter) newEntry(key netip.Addr, now time.Time) *entry {
	if l.idle >= l.cfg.MaxTracked {
		l.sweep(now)
	}
	for a, e := range l.addrs {
		if l.idle < l.cfg.MaxTracked {
			break
		}
		// Still full: forget idle buckets (in the map's random order). This forgives a few
		// throttled addresses, which is the price of a bounded table.
		if e.open == 0 {
			delete(l.addrs, a)
			l.idle--
		}
	}
	e := &entry{tokens: float64(l.cfg.Burst), last: now}
	l.addrs[key] = e
	l.idle++ // the caller takes it out of the idle count when it admits
	return e
}

// refill adds the tokens earned since e.last. Caller holds l.mu.
func (l *Limiter) refill(e *entry, now time.Time) {
	if l.cfg.Per > 0 && l.cfg.Refill > 0 {
		earned := now.Sub(e.last).Seconds() * float64(l.cfg.Refill) / l.cfg.Per.Seconds()
		if earned > 0 {
			e.tokens += earned
		}
	}
	e.tokens = min(e.tokens, float64(l.cfg.Burst))
	e.last = now
}

// forgetIfFull drops an idle entry whose bucket has refilled: it holds nothing a fresh entry
// would not. Caller holds l.mu.
func (l *Limiter) forgetIfFull(key netip.Addr, e *entry, now time.Time) {
	if e.open > 0 {
		return
	}
	if l.cfg.Burst > 0 {
		l.refill(e, now)
		if e.tokens < float64(l.cfg.Burst) {
			return
		}
	}
	delete(l.addrs, key)
	l.idle--
}

// sweepEvery is how many Acquire calls pass between sweeps of refilled idle entries, so the
// cost is amortised to O(1) per call.
const sweepEvery = 1024

func (l *Limiter) maybeSweep(now time.Time) {
	l.sweepN++
	if l.sweepN >= sweepEvery {
		l.sweep(now)
	}
}

// sweep forgets every idle entry whose bucket has refilled. Caller holds l.mu.
func (l *Limiter) sweep(now time.Time) {
	l.sweepN = 0
	for a, e := range l.addrs {
		l.forgetIfFull(a, e, now)
	}
}

// Tracked returns how many addresses and prefixes hold state, for tests and metrics. Safe for
// concurrent use.
func (l *Limiter) Tracked() (addrs, prefixes int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.addrs), len(l.nets)
}

func addrIP(addr net.Addr) (netip.Addr, bool) {
	if addr == nil {
		return netip.Addr{}, false
	}
	if ta, ok := addr.(*net.TCPAddr); ok {
		ip, ok := netip.AddrFromSlice(ta.IP)
		return ip.Unmap(), ok
	}
	ap, err := netip.ParseAddrPort(addr.String())
	if err != nil {
		ip, err := netip.ParseAddr(addr.String())
		return ip.Unmap(), err == nil
	}
	return ap.Addr().Unmap(), true
}

// hostKey is the address counted as one host: the IPv4 address, or the IPv6 /64.
func hostKey(ip netip.Addr) netip.Addr {
	if ip.Is4() {
		return ip
	}
	p, _ := ip.Prefix(ipv6HostBits)
	return p.Addr()
}

// prefixOf is the network ip is counted in for PerCIDR. IPv6 prefixes longer than /64 count as
// /64, the unit PerIP already counts.
func prefixOf(ip netip.Addr, cfg Config) netip.Prefix {
	bits := min(cfg.IPv6Prefix, ipv6HostBits)
	if ip.Is4() {
		bits = cfg.IPv4Prefix
	}
	bits = max(0, min(bits, ip.BitLen()))
	p, _ := ip.Prefix(bits)
	return p
}

func exempt(ip netip.Addr, list []netip.Prefix) bool {
	for _, p := range list {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
