//go:build linux

package transport

import (
	"net"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// rawDial connects with a bare socket so the client side costs no Go heap
// and the measurement sees only the server's connections.
func rawDial(t *testing.T, port int) int {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Connect(fd, &syscall.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		_ = syscall.Close(fd)
		t.Fatal(err)
	}
	return fd
}

func memInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse + ms.StackInuse
}

// TestIdleConnMemory reports the heap and stack cost of connections whose
// handler is parked in ReadLine, which is what an idle client costs the
// transport (the session adds its own state on top).
func TestIdleConnMemory(t *testing.T) {
	n := 2000
	if testing.Short() {
		n = 200
	}
	var entered atomic.Int64
	l, err := Listen("tcp", "127.0.0.1:0", nil, func(c Conn) {
		// A registered client has exchanged a few lines before idling.
		for range 3 {
			if _, err := c.ReadLine(); err != nil {
				return
			}
		}
		entered.Add(1)
		_, _ = c.ReadLine()
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port

	before := memInUse()
	fds := make([]int, 0, n)
	defer func() {
		for _, fd := range fds {
			_ = syscall.Close(fd)
		}
	}()
	hello := []byte("CAP LS 302\r\nNICK idle\r\nUSER idle 0 * :Idle\r\n")
	for range n {
		fd := rawDial(t, port)
		fds = append(fds, fd)
		if _, err := syscall.Write(fd, hello); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for entered.Load() < int64(n) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d handlers reached ReadLine", entered.Load(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // let every handler park
	after := memInUse()
	per := float64(int64(after)-int64(before)) / float64(n)
	t.Logf("%d idle TCP conns blocked in ReadLine: %.0f bytes each (heap+stack, includes the goroutine)", n, per)
	if per > 64<<10 {
		t.Fatalf("%.0f bytes per idle connection: a read buffer is being pinned", per)
	}
}
