// Package storetest is the contract every store.Store implementation must meet, written once and
// run against each (memstore in memory, jsstore on a real embedded JetStream server).
package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/casemap"
	"github.com/parleychat/parley/internal/store"
)

// Fold is the fold function the stores under test must be built with: the contract's
// case-folding checks assume rfc1459 ("[" and "{" are one letter; "Ë" and "ë" are not).
var Fold store.Fold = casemap.RFC1459.Fold

// Opener returns a new, empty store built with Fold. The test closes it.
type Opener func(t *testing.T) store.Store

// Run runs the contract suite, each case on a fresh store.
func Run(t *testing.T, open Opener) {
	cases := []struct {
		name string
		f    func(t *testing.T, s store.Store)
	}{
		{"AccountLifecycle", testAccountLifecycle},
		{"AccountConflict", testAccountConflict},
		{"AccountNames", testAccountNames},
		{"AccountCreateRace", testAccountCreateRace},
		{"Certfp", testCertfp},
		{"ChannelLifecycle", testChannelLifecycle},
		{"ChannelConflict", testChannelConflict},
		{"Bans", testBans},
		{"WatchBans", testWatchBans},
		{"ReadMarkers", testReadMarkers},
		{"Invalid", testInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { s.Close() })
			c.f(t, s)
		})
	}
}

// ctxT returns a context that ends with the test or after ten seconds.
func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// when is a fixed instant with a non-UTC zone and nanoseconds, so a store that loses either
// fails the equality checks.
var when = time.Date(2025, 3, 4, 5, 6, 7, 123456789, time.FixedZone("X", 3600))

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: err = %v, want %v", what, err, want)
	}
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}
