package clustertest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/cluster"
)

// Replica is what a node keeps from Directory.Watch, the way core will: the current records, and
// the log of changes applied after the snapshot. Safe for concurrent use.
type Replica struct {
	mu       sync.Mutex
	snapshot bool
	nicks    map[string]cluster.Owner
	users    map[string]cluster.UserRecord
	channels map[string]cluster.ChannelRecord
	members  map[string]cluster.MemberRecord
	log      map[cluster.ChangeKind][]string // changes after the snapshot, in arrival order
	lastRev  map[cluster.ChangeKind]uint64
	disorder []string // revisions that went backwards within a bucket
}

// Watch starts a replica of d, ended with the test.
func Watch(t testing.TB, d cluster.Directory) *Replica {
	t.Helper()
	r := &Replica{
		nicks: map[string]cluster.Owner{}, users: map[string]cluster.UserRecord{},
		channels: map[string]cluster.ChannelRecord{}, members: map[string]cluster.MemberRecord{},
		log: map[cluster.ChangeKind][]string{}, lastRev: map[cluster.ChangeKind]uint64{},
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := d.Watch(ctx, r.apply); err != nil {
		t.Fatalf("Watch: %v", err)
	}
	return r
}

func (r *Replica) apply(c cluster.Change) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if c.Kind == cluster.ChangeSnapshot {
		r.snapshot = true
		return
	}
	if c.Revision <= r.lastRev[c.Kind] {
		r.disorder = append(r.disorder, fmt.Sprintf("%s rev %d after %d", c.Kind, c.Revision, r.lastRev[c.Kind]))
	}
	r.lastRev[c.Kind] = c.Revision
	var entry string
	switch c.Kind {
	case cluster.ChangeNick:
		entry = setOrDelete(r.nicks, c.Nick.Nick, c.Nick.Owner, c.Deleted)
	case cluster.ChangeUser:
		entry = setOrDelete(r.users, string(c.User.ID), *c.User, c.Deleted)
	case cluster.ChangeChannel:
		entry = setOrDelete(r.channels, c.Channel.Key, *c.Channel, c.Deleted)
	case cluster.ChangeMember:
		entry = setOrDelete(r.members, c.Member.Channel+" "+string(c.Member.Client), *c.Member, c.Deleted)
	}
	if r.snapshot {
		r.log[c.Kind] = append(r.log[c.Kind], fmt.Sprintf("%d %s", c.Revision, entry))
	}
}

func setOrDelete[V any](m map[string]V, k string, v V, deleted bool) string {
	if deleted {
		delete(m, k)
		return "del " + k
	}
	m[k] = v
	return fmt.Sprintf("put %s %+v", k, v)
}

// Ready reports whether the snapshot is complete.
func (r *Replica) Ready() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.snapshot
}

// Nicks returns a copy of the nick claims.
func (r *Replica) Nicks() map[string]cluster.Owner { return copyMap(r, r.nicks) }

// Users returns a copy of the users.
func (r *Replica) Users() map[string]cluster.UserRecord { return copyMap(r, r.users) }

// Channels returns a copy of the channels.
func (r *Replica) Channels() map[string]cluster.ChannelRecord { return copyMap(r, r.channels) }

// Members returns a copy of the memberships, keyed "<channel> <client>".
func (r *Replica) Members() map[string]cluster.MemberRecord { return copyMap(r, r.members) }

func copyMap[V any](r *Replica, m map[string]V) map[string]V {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Log returns the changes of one kind applied after the snapshot, and any out-of-order revisions.
func (r *Replica) Log(k cluster.ChangeKind) (log []string, disorder []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.log[k]...), append([]string(nil), r.disorder...)
}

// LastRevision returns the revision of the last change of kind k applied.
func (r *Replica) LastRevision(k cluster.ChangeKind) uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lastRev[k]
}

// Eventually polls cond every 10ms until it holds or wait passes, then fails the test with msg.
func Eventually(t testing.TB, wait time.Duration, msg string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", wait, msg)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
