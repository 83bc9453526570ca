package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/store"
)

func testBans(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	b, err := s.AddBan(ctx, store.Ban{Kind: store.BanCIDR, Pattern: "192.0.2.0/24", Reason: "spam", SetBy: "oper"})
	must(t, "add", err)
	if b.ID == "" || b.Created.IsZero() {
		t.Errorf("AddBan did not fill ID and Created: %+v", b)
	}
	exp := store.Ban{ID: "my.ban/1", Kind: store.BanMask, Pattern: "*!*@evil.example", Created: when, Expires: when.Add(time.Hour)}
	_, err = s.AddBan(ctx, exp)
	must(t, "add with ID", err)
	_, err = s.AddBan(ctx, exp)
	wantErr(t, "add same ID", err, store.ErrExists)
	_, err = s.AddBan(ctx, store.Ban{Kind: "galaxy", Pattern: "x"})
	wantErr(t, "add unknown kind", err, store.ErrInvalid)
	_, err = s.AddBan(ctx, store.Ban{Kind: store.BanIP})
	wantErr(t, "add empty pattern", err, store.ErrInvalid)

	list, err := s.ListBans(ctx)
	must(t, "list", err)
	if len(list) != 2 {
		t.Fatalf("list = %+v", list)
	}
	for _, got := range list {
		if got.ID == exp.ID && (!got.Expires.Equal(exp.Expires) || got.Pattern != exp.Pattern || got.Kind != exp.Kind) {
			t.Errorf("stored ban = %+v, want %+v", got, exp)
		}
	}
	if !exp.Expired(when.Add(time.Hour)) || exp.Expired(when) || b.Expired(when.Add(1e6*time.Hour)) {
		t.Error("Ban.Expired is wrong")
	}

	must(t, "remove", s.RemoveBan(ctx, exp.ID))
	wantErr(t, "remove again", s.RemoveBan(ctx, exp.ID), store.ErrNotFound)
	list, _ = s.ListBans(ctx)
	if len(list) != 1 || list[0].ID != b.ID {
		t.Errorf("list after remove = %+v", list)
	}
}

// testWatchBans checks that a watcher sees the bans stored before it started, then adds and
// removals made afterwards, in order, and that its channel closes with its context.
func testWatchBans(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	old, err := s.AddBan(ctx, store.Ban{Kind: store.BanIP, Pattern: "198.51.100.7"})
	must(t, "add before watch", err)

	wctx, stop := context.WithCancel(ctx)
	events, err := s.WatchBans(wctx)
	must(t, "watch", err)
	expectEvent(t, events, store.BanAdded, old.ID, old.Pattern)

	added, err := s.AddBan(ctx, store.Ban{Kind: store.BanAccount, Pattern: "spammer"})
	must(t, "add", err)
	expectEvent(t, events, store.BanAdded, added.ID, "spammer")
	must(t, "remove", s.RemoveBan(ctx, old.ID))
	expectEvent(t, events, store.BanRemoved, old.ID, "")

	stop()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-events:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("watch channel not closed after its context ended")
		}
	}
}

func expectEvent(t *testing.T, events <-chan store.BanEvent, op store.BanOp, id, pattern string) {
	t.Helper()
	select {
	case ev, ok := <-events:
		if !ok {
			t.Fatal("watch channel closed")
		}
		if ev.Op != op || ev.Ban.ID != id || ev.Ban.Pattern != pattern {
			t.Fatalf("event = %+v, want op %d id %s pattern %q", ev, op, id, pattern)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("no event (want op %d id %s)", op, id)
	}
}
