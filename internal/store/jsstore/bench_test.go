package jsstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/store"
)

// The benchmarks run at both JetStream sync settings: "interval" (nats-server's default, fsync
// every two minutes) and "always" (fsync before every acknowledgement).
var syncModes = []struct {
	name   string
	always bool
}{{"sync=interval", false}, {"sync=always", true}}

func BenchmarkCreateAccount(b *testing.B) {
	for _, m := range syncModes {
		b.Run(m.name, func(b *testing.B) {
			n := openNode(b, b.TempDir(), m.always)
			ctx := context.Background()
			i := 0
			for b.Loop() {
				i++
				a := store.Account{Name: fmt.Sprint("user", i), Password: "$argon2id$v=19$m=65536,t=1,p=2$c2FsdA$aGFzaA"}
				if err := n.CreateAccount(ctx, a); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkUpdateAccount(b *testing.B) {
	for _, m := range syncModes {
		b.Run(m.name, func(b *testing.B) {
			n := openNode(b, b.TempDir(), m.always)
			ctx := context.Background()
			if err := n.CreateAccount(ctx, store.Account{Name: "user"}); err != nil {
				b.Fatal(err)
			}
			a, _ := n.Account(ctx, "user")
			for b.Loop() {
				a.Email = fmt.Sprint(a.Revision, "@example.org")
				var err error
				if a, err = n.UpdateAccount(ctx, a); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkAccount(b *testing.B) {
	n := openNode(b, b.TempDir(), false)
	ctx := context.Background()
	if err := n.CreateAccount(ctx, store.Account{Name: "user", Certfps: []string{"ab"}}); err != nil {
		b.Fatal(err)
	}
	b.Run("by-name", func(b *testing.B) {
		for b.Loop() {
			if _, err := n.Account(ctx, "USER"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("by-certfp", func(b *testing.B) {
		for b.Loop() {
			if _, err := n.AccountByCertfp(ctx, "ab"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkSetReadMarker(b *testing.B) {
	n := openNode(b, b.TempDir(), false)
	ctx := context.Background()
	t := time.Unix(1700000000, 0)
	for b.Loop() {
		t = t.Add(1)
		if _, err := n.SetReadMarker(ctx, "user", "#chan", t); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListAccounts is what finding a certfp by scanning would cost with 1,000 accounts,
// against the index lookup in BenchmarkAccount/by-certfp.
func BenchmarkListAccounts(b *testing.B) {
	n := openNode(b, b.TempDir(), false)
	ctx := context.Background()
	for i := range 1000 {
		if err := n.CreateAccount(ctx, store.Account{Name: fmt.Sprint("user", i)}); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		if list, err := n.ListAccounts(ctx); err != nil || len(list) != 1000 {
			b.Fatal(len(list), err)
		}
	}
}
