package memstore

import (
	"context"
	"fmt"
	"testing"

	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/storetest"
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return New(storetest.Fold) })
}

func TestClosed(t *testing.T) {
	s := New(storetest.Fold)
	s.Close()
	if err := s.CreateAccount(context.Background(), store.Account{Name: "a"}); err == nil {
		t.Error("CreateAccount after Close succeeded")
	}
	if _, err := s.WatchBans(context.Background()); err == nil {
		t.Error("WatchBans after Close succeeded")
	}
}

func BenchmarkCreateAccount(b *testing.B) {
	s := New(storetest.Fold)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		if err := s.CreateAccount(ctx, store.Account{Name: fmt.Sprint("user", i)}); err != nil {
			b.Fatal(err)
		}
	}
}
