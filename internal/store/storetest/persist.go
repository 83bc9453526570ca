package storetest

import (
	"testing"

	"github.com/parleychat/parley/internal/store"
)

// PersistOpener opens a store on the data directory dir, built with Fold. Closing the store must
// release dir entirely (stop an embedded server), so the next open on dir is a restart.
type PersistOpener func(t *testing.T, dir string) store.Store

// RunPersistence writes one of each record, closes the store, opens it again on the same
// directory and reads them back.
func RunPersistence(t *testing.T, open PersistOpener) {
	dir := t.TempDir()
	ctx := ctxT(t)
	s := open(t, dir)
	must(t, "create", s.CreateAccount(ctx, sampleAccount("Persist")))
	must(t, "register", s.RegisterChannel(ctx, sampleChannel("#persist")))
	ban, err := s.AddBan(ctx, store.Ban{Kind: store.BanIP, Pattern: "203.0.113.9", Created: when})
	must(t, "ban", err)
	_, err = s.SetReadMarker(ctx, "persist", "#persist", when)
	must(t, "marker", err)
	must(t, "close", s.Close())

	s = open(t, dir)
	defer s.Close()
	a, err := s.Account(ctx, "PERSIST")
	must(t, "account after restart", err)
	sameAccount(t, a, sampleAccount("Persist"))
	if _, err := s.AccountByCertfp(ctx, a.Certfps[0]); err != nil {
		t.Errorf("certfp after restart: %v", err)
	}
	c, err := s.Channel(ctx, "#PERSIST")
	must(t, "channel after restart", err)
	sameChannel(t, c, sampleChannel("#persist"))
	bans, err := s.ListBans(ctx)
	must(t, "bans after restart", err)
	if len(bans) != 1 || bans[0].ID != ban.ID || !bans[0].Created.Equal(when) {
		t.Errorf("bans after restart = %+v", bans)
	}
	m, err := s.ReadMarker(ctx, "persist", "#persist")
	must(t, "marker after restart", err)
	if !m.Equal(when) {
		t.Errorf("marker after restart = %v", m)
	}
}
