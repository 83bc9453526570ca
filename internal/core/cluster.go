package core

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/model"
)

// A network of several nodes shares its state through a cluster.Directory (issue 6). Core writes
// to it around its own operations and reads nothing from it on the way: every node keeps its
// replica (the same maps a single node uses) up to date from the directory's watch, in remote.go.
//
// Which writes make the caller wait: the ones whose answer decides the operation (ClaimNick for
// registration and NICK, CreateChannel and AddMember for JOIN, RemoveMember for PART and KICK,
// UpdateChannel for MODE and TOPIC, UpdateMember for ranks). The others (PutUser, ReleaseNick,
// DeleteUser and a quitting user's memberships) go through one ordered queue per node, so a user's
// records are written in the order its operations happened and nobody waits for them.

// ErrNetworkUnavailable is returned (wrapped) when an operation needs the network's directory and
// this node cannot reach it with a quorum: a partitioned node refuses rather than invent state.
var ErrNetworkUnavailable = errors.New("network unavailable: this server cannot reach the rest of the network, try again later or use another server")

// ClusterOptions connect a Network to the other nodes of its network.
type ClusterOptions struct {
	Directory cluster.Directory
	// Incarnation returns this node's current incarnation (cluster.Liveness Self): every record
	// core writes carries it.
	Incarnation func() uint64
	// Timeout bounds each directory call; default 5s.
	Timeout time.Duration
	// Silent reports whether a node's heartbeat has gone quiet (cluster.Liveness Silent); nil
	// means never. A user whose record is deleted while its node is silent waits for the verdict,
	// so its QUIT says the node was lost rather than "Connection closed".
	Silent func(model.NodeID) bool
}

// clusterLink is the Network's side of the directory. The maps are guarded by mu, a leaf lock:
// it is never held while taking another lock, and taken while holding none (tier 5, see doc.go).
type clusterLink struct {
	dir     cluster.Directory
	inc     func() uint64
	silent  func(model.NodeID) bool
	timeout time.Duration
	ready   atomic.Bool // the watch delivered its snapshot: the replica is complete
	queue   *writeQueue

	mu      sync.Mutex                      // tier 5, leaf
	users   map[model.ClientID]*User        // every registered user, local and remote, by id
	pending map[string]cluster.MemberRecord // memberships whose user or channel is not known yet
	lost    map[model.NodeID]uint64         // nodes declared lost, with the lost incarnation
	shown   map[model.NodeID][]shownJoin    // remote JOINs shown ahead of the replica (shownjoins.go)
}

// AttachCluster makes the network one node of many: from now on registrations, nick changes,
// joins and channel changes go through the directory. Call it once, before clients connect and
// before the directory's watch starts (feed the watch to ApplyChange and the bus to
// HandleBusEvent). Registrations are refused until the watch's snapshot arrived. Not safe to call
// concurrently with operations.
func (n *Network) AttachCluster(opt ClusterOptions) {
	if opt.Timeout <= 0 {
		opt.Timeout = 5 * time.Second
	}
	cl := &clusterLink{
		dir: opt.Directory, inc: opt.Incarnation, silent: opt.Silent, timeout: opt.Timeout, queue: newWriteQueue(n.log),
		users: make(map[model.ClientID]*User), pending: make(map[string]cluster.MemberRecord),
		lost: make(map[model.NodeID]uint64),
	}
	n.cl = cl
	if n.bus != nil {
		net := n.Settings().Network
		for _, s := range []string{cluster.ControlSubject(net), cluster.NodeSubject(net, n.node)} {
			if err := n.bus.Subscribe(s); err != nil {
				n.log.Warn("bus subscribe failed", "subject", s, "err", err)
			}
		}
	}
}

// ClusterReady reports whether the node's replica of the directory is complete (always true for
// a single node). Safe for concurrent use.
func (n *Network) ClusterReady() bool { return n.cl == nil || n.cl.ready.Load() }

// CloseCluster waits (until ctx ends) for the queued directory writes to finish and stops the
// queue. Call it after the local clients quit, before the directory closes. Safe to call more
// than once; a no-op for a single node.
func (n *Network) CloseCluster(ctx context.Context) {
	if n.cl != nil {
		n.cl.queue.close(ctx)
	}
}

// dirCtx bounds one directory call.
func (n *Network) dirCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), n.cl.timeout)
}

// unavailable turns a directory failure into the error the door shows.
func unavailable(err error) error { return fmt.Errorf("%w (%v)", ErrNetworkUnavailable, err) }

// owner is u's claim on its records. A local user belongs to the incarnation it registered under,
// for life: once the others declare that incarnation lost, anything still written for the user
// (a queued write, one in flight when the node froze) carries the lost incarnation, which every
// node ignores and the sweeps delete, instead of a current one that would resurrect a ghost.
func (n *Network) owner(u *User) cluster.Owner {
	u.mu.Lock()
	if u.inc == 0 {
		u.inc = n.cl.inc()
	}
	inc := u.inc
	u.mu.Unlock()
	return cluster.Owner{Client: u.ID, Node: n.node, Incarnation: inc}
}

// claimNick claims the folded nick for u in the directory, before the local registry changes.
func (n *Network) claimNick(u *User, key, nick string) error {
	if !n.cl.ready.Load() {
		return fmt.Errorf("%w (the server is still joining the network)", ErrNetworkUnavailable)
	}
	ctx, cancel := n.dirCtx()
	defer cancel()
	err := n.cl.dir.ClaimNick(ctx, key, n.owner(u))
	switch {
	case err == nil:
		return nil
	case errors.Is(err, cluster.ErrTaken):
		return refuse(ErrNicknameInUse, nick)
	default:
		return unavailable(err)
	}
}

// releaseNickLater frees a claim in the background (a nick change, a quit, an undone claim).
func (n *Network) releaseNickLater(u *User, key string) {
	o := n.owner(u)
	n.cl.queue.add(func(ctx context.Context) error { return n.cl.dir.ReleaseNick(ctx, key, o) })
}

// userRecord is u's record as the directory keeps it.
func (n *Network) userRecord(u *User) cluster.UserRecord {
	i := u.Info()
	return cluster.UserRecord{
		V: cluster.RecordVersion, ID: u.ID, Node: n.node, Incarnation: n.owner(u).Incarnation,
		Nick: i.Nick, User: i.User, Host: i.Host, IP: i.IP, Realname: i.Realname, Account: i.Account,
		Away: i.Away, Modes: uint32(i.Modes), OperClass: i.OperClass, Signon: i.Signon,
	}
}

// userChanged queues the write of a local user's record (registration, AWAY, SETNAME, modes...).
// The record is read when the write runs, so a burst of changes writes the latest state.
func (n *Network) userChanged(u *User) {
	if n.cl == nil || !u.IsLocal() {
		return
	}
	u.mu.RLock()
	live := u.registered && !u.gone
	u.mu.RUnlock()
	if !live {
		return
	}
	n.cl.queue.add(func(ctx context.Context) error {
		u.mu.RLock()
		gone := u.gone
		u.mu.RUnlock()
		if gone {
			return nil // the quit's DeleteUser follows in the queue; do not resurrect the record
		}
		return n.cl.dir.PutUser(ctx, n.userRecord(u))
	})
}

// registered records a newly registered local user in the directory.
func (n *Network) registered(u *User) {
	n.cl.mu.Lock()
	n.cl.users[u.ID] = u
	n.cl.mu.Unlock()
	n.userChanged(u)
}

// quitDirectory removes a quitting local user's records, in the background: memberships first
// (deleting a channel left empty), then the user, then the nick.
func (n *Network) quitDirectory(u *User, key string, chans []*Channel) {
	n.cl.mu.Lock()
	delete(n.cl.users, u.ID)
	n.cl.mu.Unlock()
	o := n.owner(u)
	dir := n.cl.dir
	n.cl.queue.add(func(ctx context.Context) error {
		var errs []error
		for _, c := range chans {
			errs = append(errs, dir.RemoveMember(ctx, c.key, string(u.ID)))
			errs = append(errs, n.deleteIfEmpty(ctx, c))
		}
		errs = append(errs, dir.DeleteUser(ctx, string(u.ID)), dir.ReleaseNick(ctx, key, o))
		return errors.Join(errs...)
	})
}

// deleteIfEmpty deletes the channel's record when the replica shows no member left. A JOIN that
// raced it re-creates the channel (see remote.go, applyChannelDelete).
func (n *Network) deleteIfEmpty(ctx context.Context, c *Channel) error {
	c.mu.RLock()
	empty, rev := len(c.members) == 0, c.rev
	c.mu.RUnlock()
	if !empty || rev == 0 {
		return nil
	}
	err := n.cl.dir.DeleteChannel(ctx, c.key, rev)
	if errors.Is(err, cluster.ErrConflict) || errors.Is(err, cluster.ErrNotFound) {
		return nil // changed meanwhile (a join, a topic): it lives on
	}
	return err
}

// leftChannel records that a local user left c by PART or KICK (victim may be on any node).
func (n *Network) leftChannel(c *Channel, victim *User) {
	ctx, cancel := n.dirCtx()
	defer cancel()
	if err := n.cl.dir.RemoveMember(ctx, c.key, string(victim.ID)); err != nil {
		n.log.Warn("directory: remove member failed", "channel", c.key, "client", victim.ID, "err", err)
	}
	if err := n.deleteIfEmpty(ctx, c); err != nil {
		n.log.Warn("directory: delete channel failed", "channel", c.key, "err", err)
	}
}

// channelRecord is c's shared state. Caller holds c.mu.
func (c *Channel) recordLocked() cluster.ChannelRecord {
	rec := cluster.ChannelRecord{
		V: cluster.RecordVersion, Key: c.key, Name: c.name, Created: c.created, Modes: uint32(c.modes),
		ChanKey: c.chanKey, Limit: c.limit, Topic: c.topic.Text, TopicBy: c.topic.SetBy, TopicAt: c.topic.SetAt,
		Revision: c.rev,
	}
	rec.Bans = toRecordList(c.bans)
	rec.Excepts = toRecordList(c.excepts)
	rec.Invexes = toRecordList(c.invexes)
	return rec
}

func toRecordList(l []ListEntry) []cluster.ListEntry {
	var out []cluster.ListEntry
	for _, e := range l {
		out = append(out, cluster.ListEntry{Mask: e.Mask, SetBy: e.SetBy, SetAt: e.SetAt})
	}
	return out
}

func fromRecordList(dst []ListEntry, l []cluster.ListEntry) []ListEntry {
	dst = dst[:0]
	for _, e := range l {
		dst = append(dst, ListEntry{Mask: e.Mask, SetBy: e.SetBy, SetAt: e.SetAt})
	}
	return dst
}

// syncChannel writes c's record after a local change (MODE, TOPIC). On a conflict it re-reads
// the record and applies the change again with mutate, so a concurrent change on another node is
// kept (compare-and-swap, at most a few tries).
func (n *Network) syncChannel(c *Channel, mutate func(*cluster.ChannelRecord)) error {
	ctx, cancel := n.dirCtx()
	defer cancel()
	c.mu.RLock()
	rec := c.recordLocked()
	c.mu.RUnlock()
	for try := 0; ; try++ {
		err := n.cl.dir.UpdateChannel(ctx, &rec)
		if err == nil {
			n.applyChannelRecord(c, rec)
			return nil
		}
		if !errors.Is(err, cluster.ErrConflict) || try == 5 {
			return err
		}
		if rec, err = n.cl.dir.GetChannel(ctx, c.key); err != nil {
			return err
		}
		mutate(&rec)
	}
}

// syncRanks writes the memberships whose ranks a MODE changed. A conflict (the member's record
// changed on another node) waits for the replica to catch up and applies the rank change again.
func (n *Network) syncRanks(c *Channel, applied []ModeChange) {
	for _, ch := range applied {
		bit := model.PrefixForMode(ch.Mode)
		target := n.FindUser(ch.Arg)
		if bit == 0 || target == nil {
			continue
		}
		if err := n.syncRank(c, target, bit, ch.Add); err != nil {
			n.log.Warn("directory: rank change not stored", "channel", c.key, "nick", ch.Arg, "err", err)
		}
	}
}

func (n *Network) syncRank(c *Channel, target *User, bit model.Prefixes, add bool) error {
	ctx, cancel := n.dirCtx()
	defer cancel()
	for try := 0; ; try++ {
		c.mu.RLock()
		m := c.members[target]
		var rec cluster.MemberRecord
		if m != nil {
			rec = cluster.MemberRecord{V: cluster.RecordVersion, Channel: c.key, Client: target.ID,
				Node: target.Node, Incarnation: m.inc, Prefixes: m.Prefixes, Joined: m.Joined, Revision: m.rev}
		}
		c.mu.RUnlock()
		if m == nil {
			return nil // left meanwhile
		}
		if add {
			rec.Prefixes |= bit
		} else {
			rec.Prefixes &^= bit
		}
		err := n.cl.dir.UpdateMember(ctx, &rec)
		if err == nil {
			n.applyMemberRecord(rec)
			return nil
		}
		if !errors.Is(err, cluster.ErrConflict) || try == 5 {
			return err
		}
		time.Sleep(20 * time.Millisecond) // let the watch bring the newer revision
	}
}

// applyModesToRecord re-applies channel mode changes to a record read after a conflict.
func applyModesToRecord(rec *cluster.ChannelRecord, applied []ModeChange) {
	for _, ch := range applied {
		switch {
		case ch.Mode == 'b':
			rec.Bans = editList(rec.Bans, ch)
		case ch.Mode == 'e':
			rec.Excepts = editList(rec.Excepts, ch)
		case ch.Mode == 'I':
			rec.Invexes = editList(rec.Invexes, ch)
		case ch.Mode == 'k':
			rec.ChanKey = ""
			rec.Modes &^= uint32(CModeKey)
			if ch.Add {
				rec.ChanKey = ch.Arg
				rec.Modes |= uint32(CModeKey)
			}
		case ch.Mode == 'l':
			rec.Limit = 0
			rec.Modes &^= uint32(CModeLimit)
			if ch.Add {
				rec.Limit = atoiOr(ch.Arg, 0)
				rec.Modes |= uint32(CModeLimit)
			}
		default:
			if bit := flagBit(ch.Mode); bit != 0 {
				if ch.Add {
					rec.Modes |= uint32(bit)
				} else {
					rec.Modes &^= uint32(bit)
				}
			}
		}
	}
}

func editList(list []cluster.ListEntry, ch ModeChange) []cluster.ListEntry {
	out := list[:0:0]
	for _, b := range list {
		if b.Mask != ch.Arg {
			out = append(out, b)
		}
	}
	if ch.Add {
		out = append(out, cluster.ListEntry{Mask: ch.Arg, SetAt: time.Now()})
	}
	return out
}

func atoiOr(s string, def int) int {
	v := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return def
		}
		v = v*10 + int(s[i]-'0')
	}
	return v
}
