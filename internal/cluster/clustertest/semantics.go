package clustertest

import (
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/cluster"
)

// check fails the test unless err matches want (nil: success).
func check(t *testing.T, what string, err, want error) {
	t.Helper()
	if want == nil && err != nil || want != nil && !errors.Is(err, want) {
		t.Fatalf("%s: err = %v, want %v", what, err, want)
	}
}

// testSemantics walks each method through its documented cases, across two nodes.
func testSemantics(t *testing.T, f Factory) {
	h := f(t, Options{Nodes: 2})
	ctx := ctxT(t)
	a, b := h.Dir(0), h.Dir(1)
	alice, bob := owner(h, 0, 1), owner(h, 1, 2)
	rep := Watch(t, b)

	check(t, "claim", a.ClaimNick(ctx, "alice", alice), nil)
	check(t, "claim again by its owner", a.ClaimNick(ctx, "alice", alice), nil)
	check(t, "claim by another", b.ClaimNick(ctx, "alice", bob), cluster.ErrTaken)
	check(t, "release by another", b.ReleaseNick(ctx, "alice", bob), nil)
	check(t, "claim after a foreign release", b.ClaimNick(ctx, "alice", bob), cluster.ErrTaken)
	check(t, "release by the owner", a.ReleaseNick(ctx, "alice", alice), nil)
	check(t, "release of a free nick", a.ReleaseNick(ctx, "alice", alice), nil)
	check(t, "claim of a released nick", b.ClaimNick(ctx, "alice", bob), nil)
	check(t, "non-ASCII nick", a.ClaimNick(ctx, "zoë.[x]*>", alice), nil)

	u := cluster.UserRecord{ID: alice.Client, Node: alice.Node, Incarnation: alice.Incarnation, Nick: "Zoë", User: "z", Host: "h", Signon: time.Now()}
	check(t, "put user", a.PutUser(ctx, u), nil)
	Eventually(t, 5*time.Second, "the other node sees the user", func() bool {
		got, ok := rep.Users()[string(alice.Client)]
		return ok && got.Nick == "Zoë" && rep.Nicks()["zoë.[x]*>"] == alice
	})

	ch := &cluster.ChannelRecord{Key: "#sem", Name: "#Sem", Created: time.Now()}
	check(t, "create channel", a.CreateChannel(ctx, ch), nil)
	stale := *ch
	ch.Topic = "one"
	check(t, "update at the current revision", a.UpdateChannel(ctx, ch), nil)
	stale.Topic = "lost"
	check(t, "update at a stale revision", b.UpdateChannel(ctx, &stale), cluster.ErrConflict)
	check(t, "delete at a stale revision", b.DeleteChannel(ctx, "#sem", stale.Revision), cluster.ErrConflict)
	got, err := b.GetChannel(ctx, "#sem")
	check(t, "get", err, nil)
	if got.Topic != "one" || got.Revision != ch.Revision {
		t.Fatalf("GetChannel = %+v, want topic one at revision %d", got, ch.Revision)
	}
	check(t, "delete at the current revision", b.DeleteChannel(ctx, "#sem", got.Revision), nil)
	_, err = a.GetChannel(ctx, "#sem")
	check(t, "get after delete", err, cluster.ErrNotFound)
	check(t, "update after delete", a.UpdateChannel(ctx, ch), cluster.ErrConflict)
	check(t, "create after delete", a.CreateChannel(ctx, &cluster.ChannelRecord{Key: "#sem", Name: "#sem"}), nil)

	m := &cluster.MemberRecord{Channel: "#sem", Client: alice.Client, Node: alice.Node, Incarnation: alice.Incarnation}
	check(t, "add member", a.AddMember(ctx, m), nil)
	check(t, "add member twice", b.AddMember(ctx, &cluster.MemberRecord{Channel: "#sem", Client: alice.Client}), cluster.ErrExists)
	old := *m
	m.Prefixes = 4
	check(t, "update member", b.UpdateMember(ctx, m), nil)
	check(t, "update member at a stale revision", a.UpdateMember(ctx, &old), cluster.ErrConflict)
	Eventually(t, 5*time.Second, "the other node sees the ranks", func() bool {
		return rep.Members()["#sem "+string(alice.Client)].Prefixes == 4
	})
	check(t, "remove member", a.RemoveMember(ctx, "#sem", string(alice.Client)), nil)
	check(t, "remove a missing member", a.RemoveMember(ctx, "#sem", string(alice.Client)), nil)
	check(t, "update a removed member", b.UpdateMember(ctx, m), cluster.ErrConflict)
	check(t, "delete user", a.DeleteUser(ctx, string(alice.Client)), nil)
	Eventually(t, 5*time.Second, "the other node sees the deletions", func() bool {
		_, user := rep.Users()[string(alice.Client)]
		_, member := rep.Members()["#sem "+string(alice.Client)]
		return !user && !member
	})
}

// testWatchOrder: every node applies every bucket's changes in the same order.
func testWatchOrder(t *testing.T, f Factory) {
	const nodes, ops = 3, 30
	h := f(t, Options{Nodes: nodes})
	ctx := ctxT(t)
	reps := make([]*Replica, nodes)
	for i := range reps {
		reps[i] = Watch(t, h.Dir(i))
	}
	for i, r := range reps {
		Eventually(t, 10*time.Second, fmt.Sprintf("replica %d snapshot", i), r.Ready)
	}
	var wg sync.WaitGroup
	errs := make(chan error, nodes*ops*5)
	for n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := h.Dir(n)
			for i := range ops {
				o := owner(h, n, i)
				m := &cluster.MemberRecord{Channel: "#order", Client: o.Client, Node: o.Node, Incarnation: o.Incarnation}
				errs <- d.ClaimNick(ctx, fmt.Sprintf("o%d-%d", n, i), o)
				errs <- d.PutUser(ctx, cluster.UserRecord{ID: o.Client, Node: o.Node, Incarnation: o.Incarnation, Nick: "x"})
				errs <- d.AddMember(ctx, m)
				m.Prefixes = 16
				errs <- d.UpdateMember(ctx, m)
				if i%2 == 1 {
					errs <- d.RemoveMember(ctx, "#order", string(o.Client))
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// A key rewritten before a node's watch reads it shows that node only its latest value (the
	// bucket keeps one revision per key), so nodes may apply different subsets of the changes;
	// what must hold is that they apply them in the bucket's one order, that one revision is one
	// change everywhere, and that they end in the same state.
	kinds := []cluster.ChangeKind{cluster.ChangeNick, cluster.ChangeUser, cluster.ChangeMember}
	Eventually(t, 10*time.Second, "every replica reaches the same last revisions", func() bool {
		for _, k := range kinds {
			for _, r := range reps[1:] {
				if r.LastRevision(k) != reps[0].LastRevision(k) {
					return false
				}
			}
		}
		return true
	})
	byRev := map[string]string{}
	for i, r := range reps {
		for _, k := range kinds {
			log, disorder := r.Log(k)
			if len(disorder) > 0 {
				t.Fatalf("node %d applied revisions out of order: %v", i, disorder)
			}
			for _, e := range log {
				rev, _, _ := strings.Cut(e, " ")
				id := k.String() + " " + rev
				if prev, ok := byRev[id]; ok && prev != e {
					t.Fatalf("%s is %q on one node and %q on node %d", id, prev, e, i)
				}
				byRev[id] = e
			}
			t.Logf("node %d applied %d %s changes", i, len(log), k)
		}
	}
	if !maps.Equal(reps[0].Nicks(), reps[1].Nicks()) || !maps.Equal(reps[0].Nicks(), reps[2].Nicks()) ||
		len(reps[0].Members()) != len(reps[2].Members()) || len(reps[0].Users()) != len(reps[1].Users()) {
		t.Fatal("replicas differ at the same revisions")
	}
}
