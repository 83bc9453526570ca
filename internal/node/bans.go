package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sort"
	"sync"
	"time"

	"github.com/parleychat/parley/internal/api"
	"github.com/parleychat/parley/internal/casemap"
	"github.com/parleychat/parley/internal/commands"
	"github.com/parleychat/parley/internal/store"
)

// Network bans (issue 8). The store holds them; every node keeps them in memory, fed by the
// store's ban watch, so a ban added or removed on any node (or with `parley ban` on a stopped
// server) takes effect everywhere. They are checked at accept (ip and cidr, through admit), at
// registration and at login (every kind, in the protocol engine), and when a ban arrives every
// local client it covers is disconnected. An expired ban stops matching at once and is removed
// from the store by the sweeper.
//
// The list is scanned linearly: networks keep tens or hundreds of bans, and a scan of a few
// hundred entries costs less than one TLS handshake. An index would pay off past many thousands.

// banEntry is one ban, with its pattern prepared for matching.
type banEntry struct {
	ban    store.Ban
	prefix netip.Prefix // ip and cidr kinds
	fold   string       // account kind: the folded name
}

// nodeBans is the node's copy of the network bans. Its methods are safe for concurrent use.
type nodeBans struct {
	st  store.Bans
	cm  casemap.Mapping
	srv *commands.Server
	log *slog.Logger
	now func() time.Time

	mu   sync.RWMutex // guards byID; never held while calling out
	byID map[string]banEntry
	// soonest is nudged when a ban with an expiry arrives, so the sweeper re-plans.
	soonest chan struct{}

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// banRetry is how long the watch waits before starting again after the store's watch ended.
const banRetry = time.Second

// banSweepMax is the longest the sweeper sleeps, so bans whose removal by another node failed are
// still cleaned up.
const banSweepMax = time.Minute

func newNodeBans(st store.Bans, cm casemap.Mapping, srv *commands.Server, log *slog.Logger) *nodeBans {
	return &nodeBans{st: st, cm: cm, srv: srv, log: log, now: time.Now,
		byID: make(map[string]banEntry), soonest: make(chan struct{}, 1)}
}

// openBans loads the bans, starts following the store's changes, and hands the list to the
// protocol engine.
func (n *Node) openBans() error {
	b := newNodeBans(n.accounts.store, n.net.Casemap(), n.srv, n.log)
	ctx, cancel := context.WithCancel(context.Background())
	b.cancel = cancel
	events, stop, err := b.resync(ctx)
	if err != nil {
		cancel()
		return fmt.Errorf("ban store: %w", err)
	}
	b.wg.Add(2)
	go b.follow(ctx, events, stop)
	go b.sweep(ctx)
	n.bans = b
	n.cfgMu.Lock()
	cfg := n.cfg
	n.cfgMu.Unlock()
	n.srv.SetConfig(n.commandsConfig(cfg))
	return nil
}

// closeBans stops the watch and the sweeper and waits for them.
func (n *Node) closeBans() {
	if n.bans == nil {
		return
	}
	n.bans.cancel()
	n.bans.wg.Wait()
}

// follow applies the store's ban events until ctx ends, starting over when the store's watch
// ends on its own (a NATS reconnect).
func (b *nodeBans) follow(ctx context.Context, events <-chan store.BanEvent, stop context.CancelFunc) {
	defer b.wg.Done()
	for {
		for ev := range events {
			b.apply(ev)
		}
		stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(banRetry):
			}
			var err error
			if events, stop, err = b.resync(ctx); err == nil {
				break
			}
			b.log.Warn("ban watch failed; retrying", "err", err)
		}
	}
}

// resync starts a watch and replaces the list with the store's. Watch first, then list: whatever
// changes in between arrives through the watch, and applying the same add or removal twice
// changes nothing; the replacement drops bans removed while no watch was running.
// The watch lasts until stop is called or ctx ends.
func (b *nodeBans) resync(ctx context.Context) (events <-chan store.BanEvent, stop context.CancelFunc, err error) {
	wctx, stop := context.WithCancel(ctx)
	events, err = b.st.WatchBans(wctx)
	if err != nil {
		stop()
		return nil, nil, err
	}
	lctx, cancel := context.WithTimeout(ctx, stateTimeout)
	list, err := b.st.ListBans(lctx)
	cancel()
	if err != nil {
		stop()
		return nil, nil, err
	}
	fresh := make(map[string]banEntry, len(list))
	for _, ban := range list {
		if e, err := prepareBan(ban, b.cm); err == nil {
			fresh[ban.ID] = e
		}
	}
	b.mu.Lock()
	b.byID = fresh
	b.mu.Unlock()
	return events, stop, nil
}

// apply records one change and enforces a new ban on this node's clients.
func (b *nodeBans) apply(ev store.BanEvent) {
	switch ev.Op {
	case store.BanRemoved:
		b.mu.Lock()
		delete(b.byID, ev.Ban.ID)
		b.mu.Unlock()
	case store.BanAdded:
		e, ok := b.put(ev.Ban)
		if !ok || ev.Ban.Expired(b.now()) {
			return
		}
		if n := b.srv.EnforceBan(ev.Ban, e.covers(b.cm)); n > 0 {
			b.log.Info("ban enforced", "id", ev.Ban.ID, "kind", ev.Ban.Kind, "pattern", ev.Ban.Pattern, "disconnected", n)
		}
	}
}

// put stores ban in memory; ok is false for a ban this version cannot read.
func (b *nodeBans) put(ban store.Ban) (banEntry, bool) {
	e, err := prepareBan(ban, b.cm)
	if err != nil {
		b.log.Warn("ignoring an unreadable ban", "id", ban.ID, "err", err)
		return e, false
	}
	b.mu.Lock()
	b.byID[ban.ID] = e
	b.mu.Unlock()
	if !ban.Expires.IsZero() {
		select {
		case b.soonest <- struct{}{}:
		default:
		}
	}
	return e, true
}

// prepareBan parses a stored ban's pattern for matching.
func prepareBan(ban store.Ban, cm casemap.Mapping) (banEntry, error) {
	e := banEntry{ban: ban}
	switch ban.Kind {
	case store.BanIP:
		a, err := netip.ParseAddr(ban.Pattern)
		if err != nil {
			return e, err
		}
		e.prefix = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
	case store.BanCIDR:
		p, err := netip.ParsePrefix(ban.Pattern)
		if err != nil {
			return e, err
		}
		e.prefix = p.Masked()
	case store.BanAccount:
		e.fold = cm.Fold(ban.Pattern)
	case store.BanMask:
	default:
		return e, fmt.Errorf("unknown ban kind %q", ban.Kind)
	}
	return e, nil
}

// covers returns the matcher of e for one subject. Expiry is checked by the caller.
func (e banEntry) covers(cm casemap.Mapping) func(commands.BanSubject) bool {
	return func(s commands.BanSubject) bool {
		switch e.ban.Kind {
		case store.BanIP, store.BanCIDR:
			a, err := netip.ParseAddr(s.IP)
			return err == nil && e.prefix.Contains(a.Unmap())
		case store.BanAccount:
			return s.Account != "" && cm.Fold(s.Account) == e.fold
		case store.BanMask:
			return cm.Match(e.ban.Pattern, s.Nick+"!"+s.User+"@"+s.Host) ||
				(s.IP != "" && cm.Match(e.ban.Pattern, s.Nick+"!"+s.User+"@"+s.IP))
		}
		return false
	}
}

// Match implements commands.NetworkBans. Safe for concurrent use; it takes only a read lock.
func (b *nodeBans) Match(s commands.BanSubject) (store.Ban, bool) {
	now := b.now()
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, e := range b.byID {
		if !e.ban.Expired(now) && e.covers(b.cm)(s) {
			return e.ban, true
		}
	}
	return store.Ban{}, false
}

// bannedError refuses a connection at accept; the transport sends its text as ERROR.
type bannedError struct{ ban store.Ban }

func (e *bannedError) Error() string {
	text := "You are banned from this server"
	if e.ban.Reason != "" {
		text += ": " + e.ban.Reason
	}
	return text
}

// admit refuses a connection from an address that an ip or cidr ban covers.
func (b *nodeBans) admit(remote net.Addr) error {
	ap, err := netip.ParseAddrPort(remote.String())
	if err != nil {
		return nil // not an IP address: the limiter refuses it
	}
	ip := ap.Addr().Unmap()
	now := b.now()
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, e := range b.byID {
		if (e.ban.Kind == store.BanIP || e.ban.Kind == store.BanCIDR) && !e.ban.Expired(now) && e.prefix.Contains(ip) {
			return &bannedError{e.ban}
		}
	}
	return nil
}

// Add implements commands.NetworkBans: the ban takes effect on this node when the store's watch
// delivers it, which is also how every other node learns of it. Safe for concurrent use.
func (b *nodeBans) Add(ctx context.Context, target, duration, reason, setBy string) (store.Ban, error) {
	ban, err := ParseBan(target, duration, reason, b.now())
	if err != nil {
		return store.Ban{}, err
	}
	ban.SetBy = setBy
	ban, err = b.st.AddBan(ctx, ban)
	if err == nil {
		b.log.Info("ban added", "id", ban.ID, "kind", ban.Kind, "pattern", ban.Pattern, "by", setBy, "expires", ban.Expires)
	}
	return ban, err
}

// Remove implements commands.NetworkBans. Safe for concurrent use.
func (b *nodeBans) Remove(ctx context.Context, ref string) ([]store.Ban, error) {
	removed, err := removeBans(ctx, b.st, ref)
	for _, ban := range removed {
		b.log.Info("ban removed", "id", ban.ID, "kind", ban.Kind, "pattern", ban.Pattern)
	}
	return removed, err
}

// List implements commands.NetworkBans: the stored bans, oldest first. Safe for concurrent use.
func (b *nodeBans) List(ctx context.Context) ([]store.Ban, error) { return listBans(ctx, b.st) }

// removeBans deletes the bans whose ID is ref or whose target, read as ParseBanTarget reads it,
// is ref's. store.ErrNotFound when none is.
func removeBans(ctx context.Context, st store.Bans, ref string) ([]store.Ban, error) {
	list, err := st.ListBans(ctx)
	if err != nil {
		return nil, err
	}
	kind, pattern, perr := ParseBanTarget(ref)
	var removed []store.Ban
	for _, ban := range list {
		if ban.ID != ref && (perr != nil || ban.Kind != kind || ban.Pattern != pattern) {
			continue
		}
		if err := st.RemoveBan(ctx, ban.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return removed, err
		}
		removed = append(removed, ban)
	}
	if len(removed) == 0 {
		return nil, fmt.Errorf("%w: no ban with the ID or target %q", store.ErrNotFound, ref)
	}
	return removed, nil
}

func listBans(ctx context.Context, st store.Bans) ([]store.Ban, error) {
	list, err := st.ListBans(ctx)
	sort.Slice(list, func(i, j int) bool { return list[i].Created.Before(list[j].Created) })
	return list, err
}

// sweep removes expired bans from the store, waking when the soonest expiry is due (at most
// banSweepMax apart). Every node sweeps; the ones that lose the race find the ban gone already.
func (b *nodeBans) sweep(ctx context.Context) {
	defer b.wg.Done()
	t := time.NewTimer(b.nextSweep())
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.soonest:
		case <-t.C:
			b.removeExpired(ctx)
		}
		t.Reset(b.nextSweep())
	}
}

// nextSweep is the time until the soonest expiry, within [10ms, banSweepMax].
func (b *nodeBans) nextSweep() time.Duration {
	wait := banSweepMax
	now := b.now()
	b.mu.RLock()
	for _, e := range b.byID {
		if !e.ban.Expires.IsZero() {
			wait = min(wait, e.ban.Expires.Sub(now))
		}
	}
	b.mu.RUnlock()
	return max(wait, 10*time.Millisecond)
}

// removeExpired deletes the expired bans from the store and from memory.
func (b *nodeBans) removeExpired(ctx context.Context) {
	now := b.now()
	var expired []string
	b.mu.Lock()
	for id, e := range b.byID {
		if e.ban.Expired(now) {
			expired = append(expired, id)
			delete(b.byID, id)
		}
	}
	b.mu.Unlock()
	for _, id := range expired {
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := b.st.RemoveBan(rctx, id)
		cancel()
		if err != nil && !errors.Is(err, store.ErrNotFound) && ctx.Err() == nil {
			b.log.Warn("could not remove an expired ban", "id", id, "err", err)
		} else if err == nil {
			b.log.Info("ban expired", "id", id)
		}
	}
}

// AddBan stores a ban on a stopped server's data directory (`parley ban add`); see ParseBan.
// Safe for concurrent use.
func (o *OfflineStore) AddBan(ctx context.Context, target, duration, reason, setBy string) (store.Ban, error) {
	ban, err := ParseBan(target, duration, reason, time.Now())
	if err != nil {
		return store.Ban{}, err
	}
	ban.SetBy = setBy
	return o.st.AddBan(ctx, ban)
}

// RemoveBans deletes the bans whose ID or target is ref (store.ErrNotFound when none). Safe for
// concurrent use.
func (o *OfflineStore) RemoveBans(ctx context.Context, ref string) ([]store.Ban, error) {
	return removeBans(ctx, o.st, ref)
}

// Bans lists the stored bans, oldest first, expired ones included. Safe for concurrent use.
func (o *OfflineStore) Bans(ctx context.Context) ([]store.Ban, error) { return listBans(ctx, o.st) }

// apiBans returns the ban list for the API, nil when the node has none.
func (n *Node) apiBans() api.Bans {
	if n.bans == nil {
		return nil
	}
	return n.bans
}
