package node_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/testkit"
)

// TestSendQExceeded floods a channel in which one member has stopped reading. That member must be
// disconnected with "SendQ exceeded" while the sender and the members who read stay unaffected.
func TestSendQExceeded(t *testing.T) {
	t.Parallel()
	addr := start(t, func(cfg *config.Config) { cfg.Limits.SendQ = 8 * config.KiB })
	sender := connect(t, addr, "sender")
	observer := connect(t, addr, "observer")
	slow := testkit.DialSmallWindow(t, addr, 4096)
	slow.Register("slow")
	for _, c := range []*testkit.Client{sender, observer, slow} {
		c.Join("#flood")
	}
	sender.Roundtrip()
	observer.Roundtrip()
	// From here on slow reads nothing.

	// The observer reads everything in the background, counts the flood and reports the first
	// QUIT it sees.
	quits := make(chan ircmsg.Message, 1)
	readErr := make(chan error, 1)
	progress := make(chan struct{}, 1)
	var received atomic.Int64
	go func() {
		for {
			m, err := observer.ReadMsg()
			if err != nil {
				readErr <- err
				return
			}
			switch m.Command {
			case "PRIVMSG":
				received.Add(1)
				select {
				case progress <- struct{}{}:
				default:
				}
			case "QUIT":
				quits <- m
				return
			default:
				readErr <- fmt.Errorf("observer got %q", m.String())
				return
			}
		}
	}()

	// Ten lines of ~440 bytes per batch stay below the 8KiB sendq of a member that reads, even
	// when its writer gets no CPU until the whole batch is queued; the next batch waits until the
	// observer has read this one, so only the slow reader falls behind.
	const perBatch = 10
	line := "PRIVMSG #flood :" + strings.Repeat("z", 400) + "\r\n"
	batch := []byte(strings.Repeat(line, perBatch))
	var quit ircmsg.Message
	var worst time.Duration
	sent := 0
	deadline := time.Now().Add(30 * time.Second)
flood:
	for {
		if time.Now().After(deadline) {
			t.Fatalf("slow reader still connected after %d lines (%d KiB)", sent, sent*len(line)/1024)
		}
		sender.Write(batch)
		sent += perBatch
		begin := time.Now()
		sender.Roundtrip()
		worst = max(worst, time.Since(begin))
		for received.Load() < int64(sent) {
			select {
			case quit = <-quits:
				break flood
			case err := <-readErr:
				t.Fatalf("observer, after %d lines: %v", sent, err)
			case <-progress:
			case <-time.After(5 * time.Second):
				t.Fatalf("observer read %d of %d lines", received.Load(), sent)
			}
		}
	}
	want(t, quit, msg(prefix("slow"), "QUIT", "SendQ exceeded"))
	t.Logf("slow reader dropped after %d lines (%d KiB); observer read %d; slowest sender round trip %v",
		sent, sent*len(line)/1024, received.Load(), worst)
	// A blocked reader must never hold the sender up; a round trip takes microseconds, so a
	// second means the fan-out waited on the slow socket.
	if worst > time.Second {
		t.Errorf("sender round trip took %v while the slow reader was connected", worst)
	}

	// Everyone else carries on at once.
	for _, c := range []*testkit.Client{sender, observer} {
		begin := time.Now()
		c.Roundtrip()
		if d := time.Since(begin); d > time.Second {
			t.Errorf("%s: round trip after the disconnect took %v", c.Nick, d)
		}
	}
	sender.Send("PRIVMSG #flood :still flowing")
	want(t, observer.Expect("PRIVMSG"), msg(prefix("sender"), "PRIVMSG", "#flood", "still flowing"))
	sender.Send("NAMES #flood")
	wantIn(t, sender.Roundtrip(), msg("", "353", "sender", "=", "#flood", "observer @sender"))

	// The slow client finds its connection closed once it reads again.
	slow.Timeout = 10 * time.Second
	slow.ExpectClosed()
}
