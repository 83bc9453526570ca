package transport

import (
	"bytes"
	"net"
	"testing"
	"time"

	"github.com/pires/go-proxyproto"
)

// bytesConn is a net.Conn whose reads come from a byte slice, so the PROXY parser can be fed
// arbitrary input without sockets.
type bytesConn struct {
	r *bytes.Reader
}

func (c *bytesConn) Read(b []byte) (int, error)  { return c.r.Read(b) }
func (c *bytesConn) Write(b []byte) (int, error) { return len(b), nil }
func (c *bytesConn) Close() error                { return nil }
func (c *bytesConn) LocalAddr() net.Addr         { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 6667} }
func (c *bytesConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2), Port: 40000}
}
func (c *bytesConn) SetDeadline(time.Time) error      { return nil }
func (c *bytesConn) SetReadDeadline(time.Time) error  { return nil }
func (c *bytesConn) SetWriteDeadline(time.Time) error { return nil }

// FuzzProxyHeader feeds PROXY v1 and v2 headers (HAProxy proxy-protocol.txt), valid and broken,
// to readProxyHeader: it must never panic, must always name a remote address, and what it reads
// past the header must be exactly the rest of the input, so that a TLS handshake or the first IRC
// line that follows is not corrupted.
func FuzzProxyHeader(f *testing.F) {
	f.Add([]byte("PROXY TCP4 192.0.2.7 198.51.100.1 56324 6667\r\nNICK a\r\n"))
	f.Add([]byte("PROXY TCP6 2001:db8::1 2001:db8::2 56324 6697\r\n"))
	f.Add([]byte("PROXY UNKNOWN\r\n"))
	f.Add([]byte("PROXY TCP4 999.0.0.1 1.1.1.1 1 2\r\n"))
	f.Add([]byte("PROXY TCP4 192.0.2.7 198.51.100.1 56324"))
	f.Add([]byte("NICK nobody\r\n"))
	for _, h := range []*proxyproto.Header{
		proxyproto.HeaderProxyFromAddrs(2, &net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 1}, &net.TCPAddr{IP: net.ParseIP("192.0.2.8"), Port: 6697}),
		proxyproto.HeaderProxyFromAddrs(2, &net.TCPAddr{IP: net.ParseIP("2001:db8::7"), Port: 1}, &net.TCPAddr{IP: net.ParseIP("2001:db8::8"), Port: 6697}),
		{Version: 2, Command: proxyproto.LOCAL, TransportProtocol: proxyproto.UNSPEC},
	} {
		b, err := h.Format()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(append(b, "\x16\x03\x01"...)) // a TLS ClientHello starts right after
		f.Add(b[:len(b)-3])                 // cut short
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		res, err := readProxyHeader(&bytesConn{r: r})
		if res.remote == nil || res.local == nil {
			t.Fatalf("no address for %q (err %v)", data, err)
		}
		if err != nil {
			return
		}
		// The leftover is what was read past the header and sits just before what is still unread.
		end := len(data) - r.Len()
		if len(res.leftover) > end || !bytes.Equal(data[end-len(res.leftover):end], res.leftover) {
			t.Fatalf("leftover %q does not precede the unread rest of %q", res.leftover, data)
		}
		if addrIP, ok := addrIP(res.remote); ok && !addrIP.IsValid() {
			t.Fatalf("invalid remote %v", res.remote)
		}
	})
}
