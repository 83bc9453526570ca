package storetest

import (
	"testing"
	"time"

	"github.com/parleychat/parley/internal/store"
)

func testReadMarkers(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	_, err := s.ReadMarker(ctx, "alice", "#chan")
	wantErr(t, "unset marker", err, store.ErrNotFound)

	t1, t2, t0 := when, when.Add(time.Minute), when.Add(-time.Minute)
	got, err := s.SetReadMarker(ctx, "Alice", "#Chan[1]", t1)
	must(t, "set", err)
	if !got.Equal(t1) {
		t.Errorf("set returned %v, want %v", got, t1)
	}
	got, err = s.SetReadMarker(ctx, "ALICE", "#chan{1}", t0)
	must(t, "set earlier", err)
	if !got.Equal(t1) {
		t.Errorf("moving back returned %v, want the stored %v", got, t1)
	}
	got, err = s.SetReadMarker(ctx, "alice", "#chan[1]", t2)
	must(t, "set later", err)
	if !got.Equal(t2) {
		t.Errorf("moving forward returned %v, want %v", got, t2)
	}
	got, err = s.ReadMarker(ctx, "aLICE", "#CHAN{1}")
	must(t, "get", err)
	if !got.Equal(t2) {
		t.Errorf("get = %v, want %v", got, t2)
	}

	// Markers are per account and per target: these are separate, and "." in names keeps them
	// apart rather than joining them.
	other := []struct{ account, target string }{{"bob", "#chan[1]"}, {"alice", "bob"}, {"alice.#chan", "1"}, {"alice", "#chan.1"}}
	for _, o := range other {
		if _, err := s.ReadMarker(ctx, o.account, o.target); err == nil {
			t.Errorf("marker (%s, %s) set by another pair", o.account, o.target)
		}
	}
	must(t, "set another target", func() error { _, err := s.SetReadMarker(ctx, "alice", "Bob", t0); return err }())
	got, _ = s.ReadMarker(ctx, "alice", "bob")
	if !got.Equal(t0) {
		t.Errorf("second target = %v, want %v", got, t0)
	}
}

func testInvalid(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	wantErr(t, "create empty name", s.CreateAccount(ctx, store.Account{}), store.ErrInvalid)
	wantErr(t, "register empty name", s.RegisterChannel(ctx, store.ChannelReg{}), store.ErrInvalid)
	_, err := s.SetReadMarker(ctx, "", "#c", when)
	wantErr(t, "marker without account", err, store.ErrInvalid)
	_, err = s.SetReadMarker(ctx, "a", "", when)
	wantErr(t, "marker without target", err, store.ErrInvalid)
}
