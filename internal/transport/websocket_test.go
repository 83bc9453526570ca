package transport

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// wsServer serves h on an httptest server and returns its ws:// URL.
func wsServer(t *testing.T, h Handler, opt WSOptions) string {
	t.Helper()
	srv := httptest.NewServer(NewWebSocketHandler(h, opt))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http")
}

func wsDial(t *testing.T, url string, opts *websocket.DialOptions) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, url, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.CloseNow() })
	return c
}

func ctx5s(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// echo answers each line with "ECHO <line>" until the connection ends.
func echo(c Conn) {
	for {
		line, err := c.ReadLine()
		if err == ErrLineTooLong {
			_ = c.WriteLines([][]byte{[]byte("ERR too long\r\n")})
			continue
		}
		if err != nil {
			return
		}
		if err := c.WriteLines([][]byte{append([]byte("ECHO "), append(line, "\r\n"...)...)}); err != nil {
			return
		}
	}
}

func TestWebSocketSubprotocols(t *testing.T) {
	url := wsServer(t, echo, WSOptions{})
	cases := []struct {
		offer    []string
		want     string
		sendType websocket.MessageType
		recvType websocket.MessageType
	}{
		{[]string{SubprotocolBinary, SubprotocolText}, SubprotocolBinary, websocket.MessageBinary, websocket.MessageBinary},
		{[]string{SubprotocolText, SubprotocolBinary}, SubprotocolText, websocket.MessageText, websocket.MessageText},
		{[]string{"chat.example", SubprotocolText}, SubprotocolText, websocket.MessageText, websocket.MessageText},
		{nil, "", websocket.MessageText, websocket.MessageText},
		// A client may send text frames on a binary connection.
		{[]string{SubprotocolBinary}, SubprotocolBinary, websocket.MessageText, websocket.MessageBinary},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.offer, ","), func(t *testing.T) {
			c := wsDial(t, url, &websocket.DialOptions{Subprotocols: tc.offer})
			if got := c.Subprotocol(); got != tc.want {
				t.Fatalf("negotiated %q, want %q", got, tc.want)
			}
			ctx := ctx5s(t)
			// A trailing CRLF from the client is tolerated.
			for _, msg := range []string{"PING a", "PING b\r\n"} {
				if err := c.Write(ctx, tc.sendType, []byte(msg)); err != nil {
					t.Fatal(err)
				}
				typ, got, err := c.Read(ctx)
				if err != nil {
					t.Fatal(err)
				}
				want := "ECHO " + strings.TrimSuffix(msg, "\r\n")
				if typ != tc.recvType || string(got) != want {
					t.Fatalf("got %v %q, want %v %q", typ, got, tc.recvType, want)
				}
			}
		})
	}
}

func TestWebSocketInvalidUTF8(t *testing.T) {
	out := make(chan result, 1)
	url := wsServer(t, func(c Conn) {
		line, err := c.ReadLine()
		out <- result{string(line), err}
	}, WSOptions{})
	c := wsDial(t, url, &websocket.DialOptions{Subprotocols: []string{SubprotocolText}})
	ctx := ctx5s(t)
	if err := c.Write(ctx, websocket.MessageText, []byte("PRIVMSG #a :\xff\xfe")); err != nil {
		t.Fatal(err)
	}
	if r := next(t, out); r.err != ErrInvalidUTF8 {
		t.Fatalf("got (%q, %v), want ErrInvalidUTF8", r.line, r.err)
	}
	_, _, err := c.Read(ctx)
	if got := websocket.CloseStatus(err); got != websocket.StatusInvalidFramePayloadData {
		t.Fatalf("close status %v (%v), want 1007", got, err)
	}
}

func TestWebSocketBinaryAllowsNonUTF8(t *testing.T) {
	url := wsServer(t, echo, WSOptions{})
	c := wsDial(t, url, &websocket.DialOptions{Subprotocols: []string{SubprotocolBinary}})
	ctx := ctx5s(t)
	if err := c.Write(ctx, websocket.MessageBinary, []byte("PRIVMSG #a :caf\xe9")); err != nil {
		t.Fatal(err)
	}
	if _, got, err := c.Read(ctx); err != nil || string(got) != "ECHO PRIVMSG #a :caf\xe9" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestWebSocketTextOutputIsValidUTF8(t *testing.T) {
	url := wsServer(t, func(c Conn) {
		_ = c.WriteLines([][]byte{[]byte("NOTICE * :caf\xe9\r\n")})
		_, _ = c.ReadLine()
	}, WSOptions{})
	c := wsDial(t, url, nil)
	typ, got, err := c.Read(ctx5s(t))
	if err != nil || typ != websocket.MessageText || string(got) != "NOTICE * :caf\uFFFD" {
		t.Fatalf("got %v %q, %v", typ, got, err)
	}
}

func TestWebSocketOrigin(t *testing.T) {
	url := wsServer(t, echo, WSOptions{Origins: []string{"chat.example"}})
	cases := []struct {
		origin string
		status int
	}{
		{"", http.StatusSwitchingProtocols},
		{"https://chat.example", http.StatusSwitchingProtocols},
		{"https://evil.example", http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.origin, func(t *testing.T) {
			h := http.Header{}
			if tc.origin != "" {
				h.Set("Origin", tc.origin)
			}
			c, resp, err := websocket.Dial(ctx5s(t), url, &websocket.DialOptions{HTTPHeader: h})
			if c != nil {
				defer c.CloseNow()
			}
			if resp == nil {
				t.Fatalf("no response: %v", err)
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d (%v), want %d", resp.StatusCode, err, tc.status)
			}
		})
	}
}

func TestWebSocketForwardedFor(t *testing.T) {
	cases := []struct {
		name    string
		trusted []netip.Prefix
		xff     string
		want    string
		kind    string
	}{
		{"trusted proxy", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, "203.0.113.7", "203.0.113.7:0", KindWSS},
		{"untrusted peer", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, "203.0.113.7", "127.0.0.1", KindWS},
		{"no trust configured", nil, "203.0.113.7", "127.0.0.1", KindWS},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := make(chan [2]string, 1)
			url := wsServer(t, func(c Conn) {
				got <- [2]string{c.RemoteAddr().String(), c.Kind()}
			}, WSOptions{TrustedProxies: tc.trusted})
			h := http.Header{"X-Forwarded-For": {tc.xff}, "X-Forwarded-Proto": {"https"}}
			_ = wsDial(t, url, &websocket.DialOptions{HTTPHeader: h})
			r := next(t, got)
			if !strings.HasPrefix(r[0], tc.want) || r[1] != tc.kind {
				t.Fatalf("got %v, want remote %s kind %s", r, tc.want, tc.kind)
			}
		})
	}
}

func TestForwardedForChain(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	cases := []struct {
		values []string
		want   string
	}{
		{[]string{"198.51.100.1"}, "198.51.100.1"},
		// The client forged the leftmost hop; the proxy appended the truth.
		{[]string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1"},
		{[]string{"198.51.100.1, 10.0.0.5", "10.0.0.6"}, "198.51.100.1"},
		{[]string{"10.0.0.9, 10.0.0.5"}, "10.0.0.9"},
		{[]string{"garbage, 198.51.100.1"}, "198.51.100.1"},
		{[]string{"198.51.100.1, garbage"}, ""},
		{nil, ""},
	}
	for _, tc := range cases {
		ip, ok := forwardedFor(http.Header{"X-Forwarded-For": tc.values}, trusted)
		got := ""
		if ok {
			got = ip.String()
		}
		if got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.values, got, tc.want)
		}
	}
}

func TestWebSocketDeadlineKeepsConnection(t *testing.T) {
	out := make(chan result, 2)
	url := wsServer(t, func(c Conn) {
		_ = c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		_, err := c.ReadLine()
		out <- result{err: err}
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		line, err := c.ReadLine()
		out <- result{string(line), err}
	}, WSOptions{})
	c := wsDial(t, url, nil)
	if r := next(t, out); !errors.Is(r.err, os.ErrDeadlineExceeded) {
		t.Fatalf("got %v, want deadline exceeded", r.err)
	}
	if err := c.Write(ctx5s(t), websocket.MessageText, []byte("PONG :x")); err != nil {
		t.Fatal(err)
	}
	expectLine(t, out, "PONG :x")
}

func TestWebSocketLineTooLong(t *testing.T) {
	url := wsServer(t, echo, WSOptions{MaxLine: 64})
	c := wsDial(t, url, nil)
	ctx := ctx5s(t)
	for _, msg := range []string{strings.Repeat("x", 5000), "PING ok"} {
		if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range []string{"ERR too long", "ECHO PING ok"} {
		if _, got, err := c.Read(ctx); err != nil || string(got) != want {
			t.Fatalf("got %q, %v; want %q", got, err, want)
		}
	}
}

func TestWebSocketCloseUnblocksReadLine(t *testing.T) {
	conns := make(chan Conn, 1)
	out := make(chan result, 1)
	url := wsServer(t, func(c Conn) {
		conns <- c
		_, err := c.ReadLine()
		out <- result{err: err}
	}, WSOptions{})
	cl := wsDial(t, url, nil)
	c := next(t, conns)
	_ = c.Close()
	_ = c.Close()
	if r := next(t, out); r.err == nil {
		t.Fatal("ReadLine returned no error after Close")
	}
	if _, _, err := cl.Read(ctx5s(t)); websocket.CloseStatus(err) != websocket.StatusNormalClosure {
		t.Fatalf("client saw %v, want a normal closure", err)
	}
}

func TestIsWebSocketUpgrade(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	if IsWebSocketUpgrade(r) {
		t.Fatal("plain GET reported as upgrade")
	}
	r.Header.Set("Connection", "keep-alive, Upgrade")
	r.Header.Set("Upgrade", "WebSocket")
	if !IsWebSocketUpgrade(r) {
		t.Fatal("upgrade not recognised")
	}
	r.Method = http.MethodPost
	if IsWebSocketUpgrade(r) {
		t.Fatal("POST reported as upgrade")
	}
}

func TestWebSocketOverTLS(t *testing.T) {
	got := make(chan [2]string, 1)
	srv := httptest.NewTLSServer(NewWebSocketHandler(func(c Conn) {
		tlsOn := "no"
		if c.TLS() != nil {
			tlsOn = "yes"
		}
		got <- [2]string{c.Kind(), tlsOn}
	}, WSOptions{}))
	t.Cleanup(srv.Close)
	url := "wss" + strings.TrimPrefix(srv.URL, "https")
	_ = wsDial(t, url, &websocket.DialOptions{HTTPClient: srv.Client()})
	if r := next(t, got); r != [2]string{KindWSS, "yes"} {
		t.Fatalf("got %v, want wss with TLS state", r)
	}
}
