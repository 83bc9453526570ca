package transport

import (
	"bytes"
	"io"
	"net"
	"testing"
)

// benchLine is a typical relayed message.
var benchLine = []byte("@time=2024-01-01T00:00:00.000Z :nick!user@host PRIVMSG #channel :hello there, how is everyone doing today?\r\n")

// BenchmarkReadLine measures ReadLine over loopback TCP while a client
// streams lines in 64-line writes.
func BenchmarkReadLine(b *testing.B) {
	conns := make(chan Conn, 1)
	done := make(chan struct{})
	l, err := Listen("tcp", "127.0.0.1:0", nil, func(c Conn) {
		conns <- c
		<-done
	}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	defer close(done)
	cl, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	c := <-conns

	batch := bytes.Repeat(benchLine, 64)
	go func() {
		for {
			if _, err := cl.Write(batch); err != nil {
				return
			}
		}
	}()
	b.SetBytes(int64(len(benchLine)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := c.ReadLine(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteLines measures one 32-line batch per call over loopback.
func BenchmarkWriteLines(b *testing.B) {
	conns := make(chan Conn, 1)
	done := make(chan struct{})
	l, err := Listen("tcp", "127.0.0.1:0", nil, func(c Conn) {
		conns <- c
		<-done
	}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	defer close(done)
	cl, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()
	go func() { _, _ = io.Copy(io.Discard, cl) }()
	c := <-conns

	lines := make([][]byte, 32)
	for i := range lines {
		lines[i] = benchLine
	}
	b.SetBytes(int64(len(benchLine) * len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := c.WriteLines(lines); err != nil {
			b.Fatal(err)
		}
	}
}
