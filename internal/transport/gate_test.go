package transport

import (
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// countingGate admits up to max connections at once and counts releases.
type countingGate struct {
	max      int32
	open     atomic.Int32
	released atomic.Int32
}

func (g *countingGate) gate(remote net.Addr) (func(), error) {
	if g.open.Add(1) > g.max {
		g.open.Add(-1)
		return nil, errors.New("Too many connections")
	}
	return func() { g.open.Add(-1); g.released.Add(1) }, nil
}

// TestGateReleaseTCP checks that an admitted connection's release runs once it has ended, so a
// slot freed by a client that left can be taken again.
func TestGateReleaseTCP(t *testing.T) {
	g := &countingGate{max: 1}
	addr := startServer(t, nil, Options{OnAccept: g.gate}, echo)
	c1 := dial(t, addr)
	write(t, c1, "HI\r\n")
	buf := make([]byte, 64)
	c1.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c1.Read(buf); err != nil {
		t.Fatal(err)
	}
	if got, want := readAll(t, dial(t, addr)), "ERROR :Too many connections\r\n"; got != want {
		t.Fatalf("second connection: got %q, want %q", got, want)
	}
	c1.Close()
	deadline := time.Now().Add(5 * time.Second)
	for g.released.Load() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("release was not called after the connection ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
	c3 := dial(t, addr)
	write(t, c3, "AGAIN\r\n")
	c3.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := c3.Read(buf)
	if err != nil || string(buf[:n]) != "ECHO AGAIN\r\n" {
		t.Fatalf("after release: %q, %v", buf[:n], err)
	}
}

// TestGateWebSocket checks the WebSocket door asks the same gate and refuses with an IRC ERROR.
func TestGateWebSocket(t *testing.T) {
	g := &countingGate{max: 1}
	url := wsServer(t, echo, WSOptions{OnAccept: g.gate})
	c1 := wsDial(t, url, nil)
	if err := c1.Write(ctx5s(t), websocket.MessageText, []byte("HI")); err != nil {
		t.Fatal(err)
	}
	if _, msg, err := c1.Read(ctx5s(t)); err != nil || string(msg) != "ECHO HI" {
		t.Fatalf("first connection: %q, %v", msg, err)
	}
	c2 := wsDial(t, url, nil)
	_, msg, err := c2.Read(ctx5s(t))
	if err != nil || string(msg) != "ERROR :Too many connections" {
		t.Fatalf("second connection: %q, %v", msg, err)
	}
	if _, _, err := c2.Read(ctx5s(t)); err == nil {
		t.Fatal("refused connection stayed open")
	}
	c1.Close(websocket.StatusNormalClosure, "")
	deadline := time.Now().Add(5 * time.Second)
	for g.released.Load() != 1 {
		if time.Now().After(deadline) {
			t.Fatal("release was not called after the WebSocket closed")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
