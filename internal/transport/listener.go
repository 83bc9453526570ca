package transport

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

// Options configures a TCP or TLS listener. The zero value is usable.
type Options struct {
	// MaxLine is the longest line ReadLine accepts, in bytes, without the
	// terminator. Default DefaultMaxLine.
	MaxLine int
	// HandshakeTimeout bounds reading the PROXY header and the TLS
	// handshake, so a stalled client only costs a parked goroutine for
	// that long. Default DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
	// ProxyProtocol makes the listener expect a PROXY v1 or v2 header at
	// the start of every connection; a connection without one is refused.
	ProxyProtocol bool
	// ProxyTrusted lists the sources allowed to connect when ProxyProtocol
	// is set; connections from elsewhere are refused before anything is
	// read. Empty means any source.
	ProxyTrusted []netip.Prefix
	// Logger receives accept errors and refusals. Default: discard.
	Logger *slog.Logger
	// OnAccept, if set, is asked about each connection once its real
	// address is known (and TLS is up).
	OnAccept Gate
}

// Gate admits or refuses a connection from remote. On refusal the error is
// sent as "ERROR :<err>" and the connection is closed. On admission the
// transport calls release once the connection has ended (release may be
// nil). A Gate is called from many goroutines at once.
type Gate func(remote net.Addr) (release func(), err error)

func (o Options) withDefaults() Options {
	if o.MaxLine <= 0 {
		o.MaxLine = DefaultMaxLine
	}
	if o.HandshakeTimeout <= 0 {
		o.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Listener accepts TCP or TLS connections and runs a Handler for each.
type Listener struct {
	ln   net.Listener
	tls  *tls.Config
	h    Handler
	opt  Options
	kind string

	closeOnce sync.Once
	closeErr  error
	closed    chan struct{}
}

// Listen binds network/addr and starts the accept loop. tlsConf nil means
// plain TCP. Each connection is served in its own goroutine.
func Listen(network, addr string, tlsConf *tls.Config, h Handler, opt Options) (*Listener, error) {
	if h == nil {
		return nil, errors.New("transport: nil handler")
	}
	ln, err := net.Listen(network, addr)
	if err != nil {
		return nil, err
	}
	l := &Listener{ln: ln, tls: tlsConf, h: h, opt: opt.withDefaults(), kind: KindTCP, closed: make(chan struct{})}
	if tlsConf != nil {
		l.kind = KindTLS
	}
	go l.acceptLoop()
	return l, nil
}

// Addr is the bound address. Safe from any goroutine.
func (l *Listener) Addr() net.Addr { return l.ln.Addr() }

// Close stops accepting; connections already accepted stay open. Safe from
// any goroutine, any number of times.
func (l *Listener) Close() error {
	l.closeOnce.Do(func() {
		close(l.closed)
		l.closeErr = l.ln.Close()
	})
	return l.closeErr
}

func (l *Listener) acceptLoop() {
	var backoff time.Duration
	for {
		nc, err := l.ln.Accept()
		if err == nil {
			backoff = 0
			go l.serve(nc)
			continue
		}
		select {
		case <-l.closed:
			return
		default:
		}
		if errors.Is(err, net.ErrClosed) {
			return
		}
		// Out of descriptors and similar: back off instead of spinning
		// (the same schedule as net/http).
		backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
		l.opt.Logger.Warn("accept failed", "addr", l.ln.Addr().String(), "err", err, "retry_in", backoff)
		select {
		case <-time.After(backoff):
		case <-l.closed:
			return
		}
	}
}

// serve prepares one connection and runs the handler. A panic in the
// handler is logged and only costs this connection. Its frame stays on the
// stack of every connection for as long as the connection lives, under the
// reader parked in the poller: the setup and the logging live in functions
// that return, so the idle goroutine's stack fits the runtime's smallest.
func (l *Listener) serve(nc net.Conn) {
	c, release := l.admit(nc)
	if c == nil {
		return
	}
	defer l.done(c, release)
	l.h(c)
}

// admit prepares the connection and asks OnAccept; nil when refused.
//
//go:noinline
func (l *Listener) admit(nc net.Conn) (*streamConn, func()) {
	c, err := l.prepare(nc)
	if err != nil {
		l.opt.Logger.Debug("connection refused", "kind", l.kind, "remote", nc.RemoteAddr().String(), "err", err)
		_ = nc.Close()
		return nil, nil
	}
	if l.opt.OnAccept == nil {
		return c, nil
	}
	release, err := l.opt.OnAccept(c.RemoteAddr())
	if err != nil {
		refuse(c, err, l.opt.HandshakeTimeout)
		_ = c.Close()
		return nil, nil
	}
	return c, release
}

// done runs when the handler returns or panics: it logs a panic, closes the
// connection and releases what OnAccept gave.
func (l *Listener) done(c *streamConn, release func()) {
	if p := recover(); p != nil {
		l.opt.Logger.Error("connection handler panicked", "remote", c.RemoteAddr().String(),
			"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
	}
	_ = c.Close()
	if release != nil {
		release()
	}
}

// prepare reads the PROXY header and runs the TLS handshake, both under
// HandshakeTimeout.
func (l *Listener) prepare(nc net.Conn) (*streamConn, error) {
	res := proxyResult{remote: nc.RemoteAddr(), local: nc.LocalAddr()}
	deadline := time.Now().Add(l.opt.HandshakeTimeout)
	if l.opt.ProxyProtocol {
		if len(l.opt.ProxyTrusted) > 0 && !addrTrusted(nc.RemoteAddr(), l.opt.ProxyTrusted) {
			return nil, errUntrustedProxy
		}
		if err := nc.SetReadDeadline(deadline); err != nil {
			return nil, err
		}
		var err error
		if res, err = readProxyHeader(nc); err != nil {
			return nil, err
		}
		if err := nc.SetReadDeadline(time.Time{}); err != nil {
			return nil, err
		}
	}
	if l.tls == nil {
		return newTCPConn(nc, res.leftover, res.remote, res.local, l.opt.MaxLine), nil
	}
	raw := nc
	if len(res.leftover) > 0 {
		raw = &prefixConn{Conn: nc, prefix: res.leftover}
	}
	tc := tls.Server(raw, l.tls)
	if err := nc.SetDeadline(deadline); err != nil {
		return nil, err
	}
	if err := tc.Handshake(); err != nil {
		return nil, fmt.Errorf("transport: TLS handshake: %w", err)
	}
	if err := nc.SetDeadline(time.Time{}); err != nil {
		return nil, err
	}
	return newTLSConn(tc, res.remote, res.local, l.opt.MaxLine), nil
}

// refuse tells the client why it is turned away, bounded by timeout so a
// client that does not read cannot hold the goroutine.
func refuse(c Conn, reason error, timeout time.Duration) {
	msg := strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == 0 {
			return ' '
		}
		return r
	}, reason.Error())
	_ = c.SetWriteDeadline(time.Now().Add(timeout))
	_ = c.WriteLines([][]byte{[]byte("ERROR :" + msg + "\r\n")})
}
