package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/parleychat/parley/internal/store"
)

func sampleAccount(name string) store.Account {
	return store.Account{
		Name: name, Password: "$argon2id$hash", Email: name + "@example.org", Verified: true,
		Created: when, Certfps: []string{fmt.Sprintf("%064x", len(name))},
		Scram: &store.ScramCreds{Salt: "c2FsdA==", Iters: 4096, StoredKey: []byte{1, 2}, ServerKey: []byte{3}},
	}
}

// sameAccount compares everything but Revision, times by instant.
func sameAccount(t *testing.T, got, want store.Account) {
	t.Helper()
	if !got.Created.Equal(want.Created) {
		t.Errorf("Created = %v, want %v", got.Created, want.Created)
	}
	got.Created, got.Revision, want.Revision = want.Created, 0, 0
	if !reflect.DeepEqual(got, want) {
		t.Errorf("account = %+v\nwant %+v", got, want)
	}
}

func testAccountLifecycle(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	a := sampleAccount("Alice")
	must(t, "create", s.CreateAccount(ctx, a))
	wantErr(t, "create again, other case", s.CreateAccount(ctx, sampleAccount("ALICE")), store.ErrExists)

	got, err := s.Account(ctx, "aLiCe")
	must(t, "get", err)
	sameAccount(t, got, a)
	if got.Revision == 0 {
		t.Error("Revision not set")
	}
	// The store hands out copies: changing one must not change what is stored.
	got.Scram.StoredKey[0], got.Certfps[0] = 99, "changed"
	again, _ := s.Account(ctx, "alice")
	sameAccount(t, again, a)

	must(t, "create bob", s.CreateAccount(ctx, sampleAccount("Bob")))
	list, err := s.ListAccounts(ctx)
	must(t, "list", err)
	if names := accountNames(list); !reflect.DeepEqual(names, map[string]bool{"Alice": true, "Bob": true}) {
		t.Errorf("list = %v", names)
	}

	must(t, "delete", s.DeleteAccount(ctx, "ALICE"))
	_, err = s.Account(ctx, "alice")
	wantErr(t, "get deleted", err, store.ErrNotFound)
	wantErr(t, "delete again", s.DeleteAccount(ctx, "alice"), store.ErrNotFound)
	must(t, "create after delete", s.CreateAccount(ctx, a))
	list, _ = s.ListAccounts(ctx)
	if len(list) != 2 {
		t.Errorf("list after delete and create = %v", accountNames(list))
	}
}

func accountNames(list []store.Account) map[string]bool {
	m := map[string]bool{}
	for _, a := range list {
		m[a.Name] = true
	}
	return m
}

func testAccountConflict(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	must(t, "create", s.CreateAccount(ctx, sampleAccount("carol")))
	a, err := s.Account(ctx, "carol")
	must(t, "get", err)

	first := a
	first.Email = "first@example.org"
	updated, err := s.UpdateAccount(ctx, first)
	must(t, "first update", err)
	if updated.Revision == a.Revision || updated.Email != first.Email {
		t.Errorf("update returned %+v", updated)
	}
	stale := a
	stale.Email = "second@example.org"
	_, err = s.UpdateAccount(ctx, stale)
	wantErr(t, "update with a stale revision", err, store.ErrConflict)

	got, _ := s.Account(ctx, "carol")
	if got.Email != first.Email || got.Revision != updated.Revision {
		t.Errorf("after conflict: %+v", got)
	}
	_, err = s.UpdateAccount(ctx, store.Account{Name: "nobody", Revision: 1})
	wantErr(t, "update missing", err, store.ErrNotFound)
}

// testAccountNames checks that any UTF-8 name works, that folding is the caller's, and that the
// display form survives.
func testAccountNames(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	names := []string{"Zoë[away]", "ZOË", "名前", "a.b*c>d e", "_x_5f", "-", "\x01\u00ff"}
	for _, n := range names {
		must(t, "create "+n, s.CreateAccount(ctx, store.Account{Name: n, Created: when}))
	}
	for _, n := range names {
		a, err := s.Account(ctx, n)
		must(t, "get "+n, err)
		if a.Name != n {
			t.Errorf("Account(%q).Name = %q", n, a.Name)
		}
	}
	// rfc1459 folds [ to { and Z to z, and leaves Ë alone.
	a, err := s.Account(ctx, "ZOë{AWAY}")
	must(t, "get by folded form", err)
	if a.Name != "Zoë[away]" {
		t.Errorf("folded lookup found %q", a.Name)
	}
	wantErr(t, "create folded duplicate", s.CreateAccount(ctx, store.Account{Name: "zoë{away}"}), store.ErrExists)
	list, err := s.ListAccounts(ctx)
	must(t, "list", err)
	if len(list) != len(names) {
		t.Errorf("list has %d accounts, want %d", len(list), len(names))
	}
}

// testAccountCreateRace registers one name from many goroutines at once: exactly one wins.
func testAccountCreateRace(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	const n = 16
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			name := "Racer"
			if i%2 == 1 {
				name = "rACER"
			}
			errs[i] = s.CreateAccount(ctx, store.Account{Name: name, Email: fmt.Sprint(i)})
		})
	}
	wg.Wait()
	winners := 0
	for _, err := range errs {
		switch {
		case err == nil:
			winners++
		case !errors.Is(err, store.ErrExists):
			t.Errorf("losing create: %v, want ErrExists", err)
		}
	}
	if winners != 1 {
		t.Fatalf("%d creates succeeded, want exactly 1", winners)
	}
}

func testCertfp(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	fp1, fp2 := strings.Repeat("ab", 32), strings.Repeat("cd", 32)
	// Upper-case hex and stray spaces are accepted and stored normalised.
	a := store.Account{Name: "Dave", Certfps: []string{strings.ToUpper(fp1), "  " + fp2}}
	must(t, "create", s.CreateAccount(ctx, a))

	got, err := s.AccountByCertfp(ctx, fp1)
	must(t, "lookup fp1", err)
	if got.Name != "Dave" {
		t.Errorf("lookup found %q", got.Name)
	}
	_, err = s.AccountByCertfp(ctx, strings.Repeat("ef", 32))
	wantErr(t, "lookup unknown", err, store.ErrNotFound)
	wantErr(t, "another account, same fp", s.CreateAccount(ctx, store.Account{Name: "Eve", Certfps: []string{fp2}}), store.ErrExists)

	// Dropping fp1 frees it; keeping fp2 keeps it.
	got.Certfps = []string{fp2}
	got, err = s.UpdateAccount(ctx, got)
	must(t, "update", err)
	_, err = s.AccountByCertfp(ctx, fp1)
	wantErr(t, "lookup dropped fp", err, store.ErrNotFound)
	if got2, err := s.AccountByCertfp(ctx, strings.ToUpper(fp2)); err != nil || got2.Name != "Dave" {
		t.Errorf("lookup kept fp (upper case): %v %q", err, got2.Name)
	}
	must(t, "fp1 claimed by another", s.CreateAccount(ctx, store.Account{Name: "Eve", Certfps: []string{fp1}}))

	eve, _ := s.Account(ctx, "eve")
	eve.Certfps = append(eve.Certfps, fp2)
	_, err = s.UpdateAccount(ctx, eve)
	wantErr(t, "update claiming a taken fp", err, store.ErrExists)

	must(t, "delete", s.DeleteAccount(ctx, "dave"))
	_, err = s.AccountByCertfp(ctx, fp2)
	wantErr(t, "lookup after delete", err, store.ErrNotFound)
	eve, _ = s.Account(ctx, "eve")
	eve.Certfps = append(eve.Certfps, fp2)
	_, err = s.UpdateAccount(ctx, eve)
	must(t, "claim a deleted account's fp", err)
	if got, err := s.AccountByCertfp(ctx, fp2); err != nil || got.Name != "Eve" {
		t.Errorf("lookup reclaimed fp: %v %q", err, got.Name)
	}
}
