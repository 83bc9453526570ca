package storetest

import (
	"reflect"
	"testing"

	"github.com/parleychat/parley/internal/store"
)

func sampleChannel(name string) store.ChannelReg {
	return store.ChannelReg{
		Name: name, Founder: "alice", Created: when, Topic: "hello", TopicBy: "alice!a@h", TopicAt: when,
		TopicLock: true, Modes: "nt", Key: "k", Limit: 50, HistoryOff: true,
		Access: map[string]string{"alice": store.AccessFounder, "bob": store.AccessOp},
	}
}

func sameChannel(t *testing.T, got, want store.ChannelReg) {
	t.Helper()
	if !got.Created.Equal(want.Created) || !got.TopicAt.Equal(want.TopicAt) {
		t.Errorf("times = %v, %v, want %v, %v", got.Created, got.TopicAt, want.Created, want.TopicAt)
	}
	got.Created, got.TopicAt, got.Revision = want.Created, want.TopicAt, want.Revision
	if !reflect.DeepEqual(got, want) {
		t.Errorf("channel = %+v\nwant %+v", got, want)
	}
}

func testChannelLifecycle(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	c := sampleChannel("#Parley[dev]")
	must(t, "register", s.RegisterChannel(ctx, c))
	wantErr(t, "register folded duplicate", s.RegisterChannel(ctx, sampleChannel("#parley{DEV}")), store.ErrExists)

	got, err := s.Channel(ctx, "#PARLEY{dev}")
	must(t, "get", err)
	sameChannel(t, got, c)
	got.Access["mallory"] = store.AccessOp // must not reach the store
	again, _ := s.Channel(ctx, "#parley[dev]")
	sameChannel(t, again, c)

	must(t, "register #日本", s.RegisterChannel(ctx, sampleChannel("#日本")))
	list, err := s.ListChannels(ctx)
	must(t, "list", err)
	if len(list) != 2 {
		t.Errorf("list has %d channels, want 2", len(list))
	}
	must(t, "drop", s.DropChannel(ctx, "#PARLEY[DEV]"))
	_, err = s.Channel(ctx, "#parley[dev]")
	wantErr(t, "get dropped", err, store.ErrNotFound)
	wantErr(t, "drop again", s.DropChannel(ctx, "#parley[dev]"), store.ErrNotFound)
	list, _ = s.ListChannels(ctx)
	if len(list) != 1 || list[0].Name != "#日本" {
		t.Errorf("list after drop = %+v", list)
	}
}

func testChannelConflict(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	must(t, "register", s.RegisterChannel(ctx, sampleChannel("#c")))
	c, err := s.Channel(ctx, "#c")
	must(t, "get", err)

	first := c
	first.Topic = "first"
	updated, err := s.UpdateChannel(ctx, first)
	must(t, "first update", err)
	if updated.Revision == c.Revision || updated.Topic != "first" {
		t.Errorf("update returned %+v", updated)
	}
	stale := c
	stale.Topic = "second"
	_, err = s.UpdateChannel(ctx, stale)
	wantErr(t, "update with a stale revision", err, store.ErrConflict)
	got, _ := s.Channel(ctx, "#c")
	if got.Topic != "first" {
		t.Errorf("topic after conflict = %q", got.Topic)
	}
	_, err = s.UpdateChannel(ctx, store.ChannelReg{Name: "#none", Revision: 1})
	wantErr(t, "update missing", err, store.ErrNotFound)
}
