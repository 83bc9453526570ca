package transport

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/pires/go-proxyproto"
)

// proxyHeaderBuf is the size of the transient reader used for the PROXY
// header: a v1 header is at most 107 bytes, a v2 header 16 bytes plus
// addresses and TLVs (longer TLVs are read through, not buffered).
const proxyHeaderBuf = 256

// errUntrustedProxy refuses a connection to a PROXY-protocol listener from
// an address outside Options.ProxyTrusted.
var errUntrustedProxy = errors.New("transport: PROXY protocol source not trusted")

// addrTrusted reports whether a's IP lies in one of prefixes.
func addrTrusted(a net.Addr, prefixes []netip.Prefix) bool {
	ip, ok := addrIP(a)
	return ok && inPrefixes(ip, prefixes)
}

// addrIP extracts the unmapped IP of a TCP address.
func addrIP(a net.Addr) (netip.Addr, bool) {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return netip.Addr{}, false
	}
	ip, ok := netip.AddrFromSlice(ta.IP)
	return ip.Unmap(), ok
}

// proxyResult is what a PROXY header tells us about the real connection.
type proxyResult struct {
	remote, local net.Addr
	leftover      []byte // bytes read past the header, owned by the caller
}

// readProxyHeader reads the PROXY v1 or v2 header that must open the
// stream (HAProxy proxy-protocol.txt, sections 2.1 and 2.2). A LOCAL
// command (health checks) or an UNSPEC family keeps the socket addresses.
// The caller bounds the read with a deadline.
func readProxyHeader(nc net.Conn) (proxyResult, error) {
	res := proxyResult{remote: nc.RemoteAddr(), local: nc.LocalAddr()}
	br := bufio.NewReaderSize(nc, proxyHeaderBuf)
	hdr, err := proxyproto.Read(br)
	if err != nil {
		return res, fmt.Errorf("transport: PROXY header: %w", err)
	}
	if n := br.Buffered(); n > 0 {
		rest, _ := br.Peek(n)
		res.leftover = bytes.Clone(rest)
	}
	if hdr.Command.IsProxy() && hdr.SourceAddr != nil && hdr.DestinationAddr != nil {
		res.remote, res.local = hdr.SourceAddr, hdr.DestinationAddr
	}
	return res, nil
}

// prefixConn replays bytes read past a PROXY header before reading from
// the socket again, so that a TLS handshake sees the whole stream.
type prefixConn struct {
	net.Conn
	prefix []byte
}

func (p *prefixConn) Read(b []byte) (int, error) {
	if len(p.prefix) > 0 {
		n := copy(b, p.prefix)
		p.prefix = p.prefix[n:]
		if len(p.prefix) == 0 {
			p.prefix = nil
		}
		return n, nil
	}
	return p.Conn.Read(b)
}
