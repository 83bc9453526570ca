package node_test

import (
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/config"
)

// TestFloodControl sends 25 PINGs in one write. With a bucket of 5 lines refilled at 10 a second,
// the last PONG cannot come before about 2 s of fake lag; without flood control it comes at once.
// The bounds are generous: this checks behaviour, not speed.
func TestFloodControl(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		enabled bool
		min     time.Duration
		max     time.Duration
	}{
		{"enabled", true, 1500 * time.Millisecond, 10 * time.Second},
		{"disabled", false, 0, time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			addr := start(t, func(cfg *config.Config) {
				cfg.Limits.Flood = config.Flood{Enabled: tc.enabled, Burst: 5, Rate: 10}
			})
			c := connect(t, addr, "flooder")
			other := connect(t, addr, "other")
			const n = 25
			var b strings.Builder
			for i := 0; i < n; i++ {
				b.WriteString("PING :f" + string(rune('a'+i)) + "\r\n")
			}
			begin := time.Now()
			c.Write([]byte(b.String()))
			// Fake lag is per client: others are served at once meanwhile.
			other.Roundtrip()
			if d := time.Since(begin); d > 500*time.Millisecond {
				t.Fatalf("another client's round trip took %v during the flood", d)
			}
			for i := 0; i < n; i++ {
				// Delayed, never dropped: every PONG arrives, in order.
				want(t, c.Expect("PONG"), msg("", "PONG", serverName, "f"+string(rune('a'+i))))
			}
			elapsed := time.Since(begin)
			t.Logf("%d PINGs answered in %v", n, elapsed)
			if elapsed < tc.min || elapsed > tc.max {
				t.Fatalf("%d PINGs took %v, want between %v and %v", n, elapsed, tc.min, tc.max)
			}
		})
	}
}
