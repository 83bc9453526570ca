package transport

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// The IRCv3 WebSocket subprotocols (IRCv3 "WebSocket support").
const (
	SubprotocolBinary = "binary.ircv3.net"
	SubprotocolText   = "text.ircv3.net"
)

// WSOptions configures the WebSocket door. The zero value is usable.
type WSOptions struct {
	// Origins lists allowed Origin patterns, matched as by coder/websocket
	// OriginPatterns (path.Match on the host, or on scheme://host when the
	// pattern has a scheme). The request's own host is always allowed, and
	// a request without an Origin header (a bot) is always accepted.
	Origins []string
	// TrustedProxies are the peers whose X-Forwarded-For (and
	// X-Forwarded-Proto) headers are believed.
	TrustedProxies []netip.Prefix
	// MaxLine is the longest message accepted, in bytes. Default
	// DefaultMaxLine.
	MaxLine int
	// Logger receives refused upgrades and handler panics. Default: discard.
	Logger *slog.Logger
	// OnAccept, if set, is asked about each upgraded connection with the
	// client's address (after X-Forwarded-For), as for the TCP listeners.
	OnAccept Gate
}

type wsHandler struct {
	h   Handler
	opt WSOptions
}

// NewWebSocketHandler returns an http.Handler that upgrades GET requests
// and runs h, in the request goroutine, on the resulting Conn. Safe for
// concurrent requests.
func NewWebSocketHandler(h Handler, opt WSOptions) http.Handler {
	if opt.MaxLine <= 0 {
		opt.MaxLine = DefaultMaxLine
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &wsHandler{h: h, opt: opt}
}

// IsWebSocketUpgrade reports whether r asks for a WebSocket upgrade, so a
// mux can route upgrades on any path here. Safe from any goroutine.
func IsWebSocketUpgrade(r *http.Request) bool {
	return r.Method == http.MethodGet &&
		headerHasToken(r.Header, "Connection", "upgrade") &&
		headerHasToken(r.Header, "Upgrade", "websocket")
}

func (wh *wsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	proto := chooseSubprotocol(r.Header)
	var protos []string
	if proto != "" {
		protos = []string{proto}
	}
	// A server-wide ReadTimeout/WriteTimeout would otherwise survive the
	// hijack and cut a long-lived chat connection.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})

	// Accept answers 403 itself when the Origin is not allowed.
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{
		Subprotocols:   protos,
		OriginPatterns: wh.opt.Origins,
	})
	if err != nil {
		wh.opt.Logger.Debug("websocket upgrade refused", "remote", r.RemoteAddr, "err", err)
		return
	}
	remote, secure := wh.clientAddr(r)
	local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	c := newWSConn(ws, proto, wh.opt.MaxLine, remote, local, r.TLS, secure)
	defer c.Close()
	if wh.opt.OnAccept != nil {
		// Asked after the upgrade so that the refusal reaches the client as an IRC ERROR, which a
		// browser can show; an HTTP status before the upgrade is invisible to page scripts.
		release, err := wh.opt.OnAccept(remote)
		if err != nil {
			refuse(c, err, DefaultHandshakeTimeout)
			return
		}
		if release != nil {
			defer release()
		}
	}
	defer func() {
		if p := recover(); p != nil {
			wh.opt.Logger.Error("connection handler panicked", "remote", remote.String(),
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
	}()
	wh.h(c)
}

// chooseSubprotocol picks the first supported subprotocol in the client's
// order of preference: "The server MUST accept any subprotocol it
// supports, respecting the client's order of preference" (IRCv3 WebSocket
// support). "" means none, which exchanges text messages.
func chooseSubprotocol(h http.Header) string {
	for _, v := range h.Values("Sec-WebSocket-Protocol") {
		for _, tok := range strings.Split(v, ",") {
			tok = strings.TrimSpace(tok)
			if strings.EqualFold(tok, SubprotocolBinary) {
				return SubprotocolBinary
			}
			if strings.EqualFold(tok, SubprotocolText) {
				return SubprotocolText
			}
		}
	}
	return ""
}

// clientAddr is the peer address, or the client named by X-Forwarded-For
// when the peer is a trusted proxy. secure reports TLS on the client's leg.
func (wh *wsHandler) clientAddr(r *http.Request) (addr net.Addr, secure bool) {
	secure = r.TLS != nil
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return stringAddr(r.RemoteAddr), secure
	}
	addr = net.TCPAddrFromAddrPort(peer)
	if !inPrefixes(peer.Addr().Unmap(), wh.opt.TrustedProxies) {
		return addr, secure
	}
	if ip, ok := forwardedFor(r.Header, wh.opt.TrustedProxies); ok {
		addr = net.TCPAddrFromAddrPort(netip.AddrPortFrom(ip, 0))
	}
	if strings.EqualFold(strings.TrimSpace(r.Header.Get("X-Forwarded-Proto")), "https") {
		secure = true
	}
	return addr, secure
}

// forwardedFor walks X-Forwarded-For from the right, skipping trusted
// proxies: the first untrusted hop is the client, since everything to its
// left was written by the client itself and may be forged.
func forwardedFor(h http.Header, trusted []netip.Prefix) (netip.Addr, bool) {
	var hops []string
	for _, v := range h.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	var last netip.Addr
	for i := len(hops) - 1; i >= 0; i-- {
		ip, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			// A garbled hop ends the chain we can vouch for.
			break
		}
		last = ip.Unmap()
		if !inPrefixes(last, trusted) {
			return last, true
		}
	}
	return last, last.IsValid()
}

func inPrefixes(ip netip.Addr, prefixes []netip.Prefix) bool {
	for _, p := range prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// headerHasToken reports whether a comma-separated header holds token.
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// stringAddr is a net.Addr for a peer address net/http could not parse.
type stringAddr string

func (a stringAddr) Network() string { return "tcp" }
func (a stringAddr) String() string  { return string(a) }
