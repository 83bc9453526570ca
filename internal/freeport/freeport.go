// Package freeport picks loopback ports for tests that must name a port before a server binds
// it (NATS routes name every peer's port up front).
//
// A port taken from the kernel's ephemeral range (127.0.0.1:0) and released is free only for a
// moment: the outgoing connections of the tests running alongside (NATS route dials, HTTP
// clients) take ports from that same range, and one can grab it before the server binds it. So
// the ports come from below the range (32768 and up on Linux), where only listeners bind.
package freeport

import (
	"fmt"
	"math/rand/v2"
	"net"
	"testing"
)

// Addr returns a 127.0.0.1 address whose port was free a moment ago, between 20000 and 32000.
func Addr(t testing.TB) string {
	t.Helper()
	for range 1000 {
		addr := fmt.Sprintf("127.0.0.1:%d", 20000+rand.IntN(12000))
		if l, err := net.Listen("tcp", addr); err == nil {
			l.Close()
			return addr
		}
	}
	t.Fatal("freeport: no free port between 20000 and 32000")
	return ""
}

// Addrs returns n distinct addresses as Addr does.
func Addrs(t testing.TB, n int) []string {
	t.Helper()
	seen := map[string]bool{}
	var out []string
	for len(out) < n {
		if a := Addr(t); !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	return out
}
