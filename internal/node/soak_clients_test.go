package node_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The soak test's clients: bare sockets, so that a client can misbehave on purpose, and no
// testing.T in their goroutines (a failed connection is counted, not fatal).

// soakConn is one client connection.
type soakConn struct {
	net.Conn
	r *bufio.Reader
}

// dialSoak connects and registers nick; rcvBuf > 0 shrinks the socket's receive buffer (a slow
// reader's window).
func dialSoak(addr, nick string, rcvBuf int) (*soakConn, error) {
	d := net.Dialer{Timeout: 5 * time.Second}
	if rcvBuf > 0 {
		d.Control = func(_, _ string, rc syscall.RawConn) error {
			var serr error
			err := rc.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, rcvBuf)
			})
			return errors.Join(err, serr)
		}
	}
	nc, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	c := &soakConn{Conn: nc, r: bufio.NewReader(nc)}
	c.send("NICK " + nick + "\r\nUSER soak 0 * :soak client\r\n")
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			nc.Close()
			return nil, err
		}
		if strings.Contains(line, " 001 ") {
			c.SetReadDeadline(time.Time{})
			return c, nil
		}
		if strings.HasPrefix(line, "ERROR") {
			nc.Close()
			return nil, errors.New(strings.TrimSpace(line))
		}
	}
}

func (c *soakConn) send(s string) error {
	c.SetWriteDeadline(time.Now().Add(10 * time.Second))
	_, err := c.Write([]byte(s))
	return err
}

// drain reads and discards until the connection ends, answering PING, in the background.
func (c *soakConn) drain() {
	go func() {
		for {
			line, err := c.r.ReadString('\n')
			if err != nil {
				return
			}
			if tok, ok := strings.CutPrefix(line, "PING "); ok {
				c.send("PONG " + tok)
			}
		}
	}()
}

// abort closes with a TCP RST instead of a FIN: the abrupt close of a crashed client.
func (c *soakConn) abort() {
	if tc, ok := c.Conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}

// churner cycles until ctx ends: connect, join a channel, send a few messages, then leave by
// QUIT, by an abrupt close, or by closing without a word.
func churner(ctx context.Context, addr string, id int, st *soakStats) {
	for cycle := 0; ctx.Err() == nil; cycle++ {
		c, err := dialSoak(addr, fmt.Sprintf("c%d_%d", id, cycle), 0)
		if err != nil {
			st.refused.Add(1)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		st.conns.Add(1)
		c.drain()
		ch := fmt.Sprintf("#soak%d", rand.IntN(soakChannels))
		c.send("JOIN " + ch + "\r\n")
		for i := range 5 + rand.IntN(20) {
			if ctx.Err() != nil || c.send(fmt.Sprintf("PRIVMSG %s :message %d of cycle %d\r\n", ch, i, cycle)) != nil {
				break
			}
			st.msgs.Add(1)
			time.Sleep(soakMsgGap)
		}
		switch rand.IntN(3) {
		case 0:
			c.send("QUIT :done\r\n")
			st.quits.Add(1)
			time.Sleep(50 * time.Millisecond)
			c.Close()
		case 1:
			st.aborts.Add(1)
			c.abort()
		default:
			c.Close()
		}
	}
}

// slowReader joins every churn channel with a tiny receive window, never reads, and keeps asking
// for VERSION (a burst of ISUPPORT lines each time) until the server drops it (sendq) or 20
// seconds pass; then it starts over.
func slowReader(ctx context.Context, addr string, id int, st *soakStats) {
	for cycle := 0; ctx.Err() == nil; cycle++ {
		c, err := dialSoak(addr, fmt.Sprintf("slow%d_%d", id, cycle), 4096)
		if err != nil {
			st.refused.Add(1)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		st.conns.Add(1)
		st.slow.Add(1)
		c.send("JOIN #soak0,#soak1,#soak2,#soak3,#soak4\r\n")
		until := time.Now().Add(20 * time.Second)
		for ctx.Err() == nil && time.Now().Before(until) {
			c.SetWriteDeadline(until)
			if _, err := c.Write([]byte(strings.Repeat("VERSION\r\n", 10))); err != nil {
				break // dropped by the server, or it stopped reading us
			}
			time.Sleep(10 * time.Millisecond)
		}
		c.abort()
	}
}

// historySender keeps one connection in soakHistory and sends numbered messages until ctx ends;
// sent counts the ones written. A broken connection is replaced.
func historySender(ctx context.Context, addr string, sent *atomic.Int64, st *soakStats) {
	for cycle := 0; ctx.Err() == nil; cycle++ {
		c, err := dialSoak(addr, fmt.Sprintf("historian%d", cycle), 0)
		if err != nil {
			st.refused.Add(1)
			time.Sleep(100 * time.Millisecond)
			continue
		}
		st.conns.Add(1)
		c.drain()
		c.send("JOIN " + soakHistory + "\r\n")
		for ctx.Err() == nil {
			if c.send(fmt.Sprintf("PRIVMSG %s :hist %d\r\n", soakHistory, sent.Load())) != nil {
				break
			}
			sent.Add(1)
			st.msgs.Add(1)
			time.Sleep(soakMsgGap)
		}
		c.send("QUIT :done\r\n")
		time.Sleep(time.Second) // let the last messages land before the connection goes
		c.Close()
	}
}

// countHistory pages through a channel's stored messages with the API and counts the distinct
// "hist N" messages.
func countHistory(t *testing.T, httpAddr, channel string) int {
	t.Helper()
	seen := map[string]bool{}
	after := time.Now().Add(-24 * time.Hour)
	for {
		q := url.Values{"after": {after.UTC().Format(time.RFC3339Nano)}, "limit": {"500"}}
		req, _ := http.NewRequest("GET", "http://"+httpAddr+"/api/v1/channels/"+url.PathEscape(channel)+"/messages?"+q.Encode(), nil)
		req.Header.Set("Authorization", "Bearer "+soakToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Messages []struct {
				Type string    `json:"type"`
				Time time.Time `json:"time"`
				Text string    `json:"text"`
			} `json:"messages"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("history: HTTP %d, %v", resp.StatusCode, err)
		}
		prev := after
		for _, m := range page.Messages {
			if m.Type == "privmsg" && strings.HasPrefix(m.Text, "hist ") {
				seen[m.Text] = true
			}
			after = m.Time
		}
		// Messages sharing the last timestamp are asked for again, so none is skipped; a page
		// that does not move forward is the end.
		if len(page.Messages) == 0 || !after.After(prev.Add(time.Nanosecond)) {
			return len(seen)
		}
		after = after.Add(-time.Nanosecond)
	}
}
