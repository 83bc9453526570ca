package node_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/node"
	"github.com/parleychat/parley/internal/testkit"
)

// rawConn is a bare line client, for connections that testkit's dialer cannot make (another local
// address, a socket that misbehaves on purpose).
type rawConn struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

// dialFrom connects to addr from the loopback address local ("127.0.0.2"), so a test can be two
// different clients on one machine.
func dialFrom(t *testing.T, local, addr string) *rawConn {
	t.Helper()
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("dial %s from %s: %v", addr, local, err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawConn{t: t, conn: conn, r: bufio.NewReader(conn)}
}

func (c *rawConn) send(line string) {
	c.t.Helper()
	c.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.conn.Write([]byte(line + "\r\n")); err != nil {
		c.t.Fatalf("send %q: %v", line, err)
	}
}

// readLine returns the next line without its CRLF.
func (c *rawConn) readLine() string {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("read: %v (partial %q)", err, line)
	}
	return strings.TrimRight(line, "\r\n")
}

// pong checks the connection is served: PING is allowed before registration.
func (c *rawConn) pong() {
	c.t.Helper()
	c.send("PING :alive")
	for {
		if line := c.readLine(); strings.Contains(line, "PONG") {
			return
		}
	}
}

// closedWith reads until the server closes the connection and returns everything it sent.
func (c *rawConn) closedWith(wait time.Duration) string {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(wait))
	b, err := io.ReadAll(c.r)
	if err != nil && !isReset(err) {
		c.t.Fatalf("connection still open after %v (got %q): %v", wait, b, err)
	}
	return string(b)
}

func isReset(err error) bool {
	return strings.Contains(err.Error(), "connection reset")
}

// startNodeWith starts a node from the test configuration changed by mutate.
func startNodeWith(t *testing.T, mutate func(*config.Config)) *node.Node {
	t.Helper()
	cfg := testkit.Config(t)
	if mutate != nil {
		mutate(cfg)
	}
	return testkit.StartNode(t, cfg)
}

// metricValue scrapes /metrics and returns the line of the named series ("" when absent).
func metricValue(t *testing.T, n *node.Node, series string) string {
	t.Helper()
	resp, err := http.Get("http://" + n.HTTPAddr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, series+" ") {
			return strings.TrimPrefix(line, series+" ")
		}
	}
	return ""
}

// dialWS opens the IRC WebSocket door of n.
func dialWS(t *testing.T, n *node.Node) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws://"+n.HTTPAddr().String()+"/ws", nil)
	if err != nil {
		t.Fatalf("websocket dial: %v", err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	return ws
}

// wsRead returns the next WebSocket message as text.
func wsRead(t *testing.T, ws *websocket.Conn) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, b, err := ws.Read(ctx)
	return string(b), err
}

// wsPing checks a WebSocket connection is served.
func wsPing(t *testing.T, ws *websocket.Conn) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ws.Write(ctx, websocket.MessageText, []byte("PING :ws")); err != nil {
		t.Fatal(err)
	}
	for {
		msg, err := wsRead(t, ws)
		if err != nil {
			t.Fatalf("waiting for PONG: %v", err)
		}
		if strings.Contains(msg, "PONG") {
			return
		}
	}
}

// mustLoad loads a configuration file or fails the test.
func mustLoad(t *testing.T, path string) *config.Config {
	t.Helper()
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
