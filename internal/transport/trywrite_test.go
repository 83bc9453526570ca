package transport

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"
)

// TryWriteLines never waits: against a client that does not read, it reports false once the
// socket is full and keeps the rest, which the next WriteLines sends first, so the client gets
// every byte in order once it reads.
func TestTCPTryWriteLinesKeepsTheRest(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("plain TCP writes without waiting only on unix")
	}
	var want bytes.Buffer
	type outcome struct {
		tries int
		err   error
	}
	res := make(chan outcome, 1)
	release := make(chan struct{})
	addr := startServer(t, nil, Options{}, func(c Conn) {
		sc := c.(*streamConn)
		if !sc.CanTryWrite() {
			res <- outcome{err: fmt.Errorf("plain TCP cannot write without waiting")}
			return
		}
		for i := 0; ; i++ {
			line := fmt.Appendf(nil, ":srv NOTICE * :%06d %s\r\n", i, bytes.Repeat([]byte("y"), 400))
			want.Write(line)
			start := time.Now()
			done, err := sc.TryWriteLines([][]byte{line})
			if time.Since(start) > time.Second {
				err = fmt.Errorf("TryWriteLines waited %v", time.Since(start))
			}
			if err != nil || !done {
				want.WriteString("LAST\r\n")
				res <- outcome{i + 1, err}
				break
			}
		}
		<-release
		_ = sc.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if err := sc.WriteLines([][]byte{[]byte("LAST\r\n")}); err != nil {
			t.Errorf("WriteLines after a partial TryWriteLines: %v", err)
		}
		_ = sc.Close()
	})
	c := dial(t, addr)
	var r outcome
	select {
	case r = <-res:
	case <-time.After(10 * time.Second):
		t.Fatal("TryWriteLines never found the socket full")
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	close(release)
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("after %d tries: received %d bytes, want %d (in order)", r.tries, len(got), want.Len())
	}
}
