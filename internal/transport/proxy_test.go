package transport

import (
	"bufio"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/pires/go-proxyproto"
)

func proxyOpts(trusted ...string) Options {
	opt := Options{ProxyProtocol: true}
	for _, p := range trusted {
		opt.ProxyTrusted = append(opt.ProxyTrusted, netip.MustParsePrefix(p))
	}
	return opt
}

// addrLine reports the remote and local addresses and the first line.
func addrLine(out chan<- [3]string) Handler {
	return func(c Conn) {
		line, _ := c.ReadLine()
		out <- [3]string{c.RemoteAddr().String(), c.LocalAddr().String(), string(line)}
	}
}

func TestProxyV1(t *testing.T) {
	out := make(chan [3]string, 1)
	addr := startServer(t, nil, proxyOpts("127.0.0.0/8"), addrLine(out))
	c := dial(t, addr)
	// Header and first line in one write: the bytes after the header must
	// reach ReadLine.
	write(t, c, "PROXY TCP4 192.0.2.1 198.51.100.2 5555 6667\r\nNICK a\r\n")
	got := next(t, out)
	if want := [3]string{"192.0.2.1:5555", "198.51.100.2:6667", "NICK a"}; got != want {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestProxyV2(t *testing.T) {
	out := make(chan [3]string, 1)
	addr := startServer(t, nil, proxyOpts(), addrLine(out))
	c := dial(t, addr)
	hdr := proxyproto.HeaderProxyFromAddrs(2,
		&net.TCPAddr{IP: net.ParseIP("2001:db8::7"), Port: 40000},
		&net.TCPAddr{IP: net.ParseIP("2001:db8::1"), Port: 6697})
	raw, err := hdr.Format()
	if err != nil {
		t.Fatal(err)
	}
	write(t, c, string(raw)+"NICK b\r\n")
	got := next(t, out)
	if want := [3]string{"[2001:db8::7]:40000", "[2001:db8::1]:6697", "NICK b"}; got != want {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestProxyRefusals(t *testing.T) {
	cases := []struct {
		name    string
		opt     Options
		payload string
	}{
		{"untrusted source", proxyOpts("10.0.0.0/8"), "PROXY TCP4 192.0.2.1 198.51.100.2 5555 6667\r\nNICK a\r\n"},
		{"missing header", proxyOpts("127.0.0.0/8"), "NICK a\r\nUSER a 0 * :a\r\n"},
		{"garbled header", proxyOpts(), "PROXY TCP4 nonsense\r\nNICK a\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			called := make(chan struct{}, 1)
			addr := startServer(t, nil, tc.opt, func(Conn) { called <- struct{}{} })
			c := dial(t, addr)
			_, _ = c.Write([]byte(tc.payload))
			// The server closes without reading, so the client may see
			// a reset instead of EOF; either way nothing is written.
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			got, err := io.ReadAll(c)
			if len(got) != 0 || (err != nil && !errors.Is(err, syscall.ECONNRESET)) {
				t.Fatalf("server wrote %q, err %v; want a silent close", got, err)
			}
			select {
			case <-called:
				t.Fatal("handler ran for a refused connection")
			default:
			}
		})
	}
}

func TestProxyBeforeTLS(t *testing.T) {
	srvConf, cliConf, _ := devTLS(t)
	out := make(chan [3]string, 1)
	addr := startServer(t, srvConf, proxyOpts("127.0.0.1/32"), addrLine(out))
	raw := dial(t, addr)
	write(t, raw, "PROXY TCP4 203.0.113.9 198.51.100.2 1234 6697\r\n")
	c := tls.Client(raw, cliConf)
	if _, err := c.Write([]byte("NICK c\r\n")); err != nil {
		t.Fatal(err)
	}
	got := next(t, out)
	if got[0] != "203.0.113.9:1234" || got[2] != "NICK c" {
		t.Fatalf("got %v", got)
	}
	if _, err := bufio.NewReader(c).ReadByte(); err != io.EOF {
		t.Fatalf("got %v, want EOF after the handler returned", err)
	}
}
