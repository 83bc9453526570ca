package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// sseClient reads a Server-Sent Events stream.
type sseClient struct {
	t    *testing.T
	r    *bufio.Reader
	stop context.CancelFunc
}

// sseEvent is one parsed event.
type sseEvent struct {
	name, id string
	data     map[string]any
}

func openEvents(t *testing.T, url, token string) *sseClient {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	c := &sseClient{t: t, r: bufio.NewReader(resp.Body), stop: cancel}
	if line := c.line(); !strings.HasPrefix(line, ":") {
		t.Fatalf("stream opened with %q, want a comment", line)
	}
	return c
}

func (c *sseClient) line() string {
	c.t.Helper()
	timer := time.AfterFunc(5*time.Second, c.stop)
	defer timer.Stop()
	s, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("reading the stream: %v", err)
	}
	return strings.TrimSuffix(s, "\n")
}

// next returns the next event, skipping comments.
func (c *sseClient) next() sseEvent {
	c.t.Helper()
	var ev sseEvent
	for {
		line := c.line()
		switch {
		case line == "" && ev.name != "":
			return ev
		case strings.HasPrefix(line, "event: "):
			ev.name = line[len("event: "):]
		case strings.HasPrefix(line, "id: "):
			ev.id = line[len("id: "):]
		case strings.HasPrefix(line, "data: "):
			if err := json.Unmarshal([]byte(line[len("data: "):]), &ev.data); err != nil {
				c.t.Fatalf("data %q: %v", line, err)
			}
		}
	}
}

func TestEvents(t *testing.T) {
	n, base := testNode(t, nil)
	alice := ircUser(t, n, "alice", "#a", "#secret")
	alice.Send("MODE #secret +s")
	alice.Roundtrip()
	all := openEvents(t, base+"/events", readToken)
	onlyA := openEvents(t, base+"/events?channels=a&types=privmsg", readToken)

	alice.Join("#b")
	alice.Send("PRIVMSG #secret :psst")
	alice.Send("PRIVMSG #b :to b")
	alice.Send("PRIVMSG #a :to a")
	alice.Send("PRIVMSG alice :to myself")
	alice.Roundtrip()

	// The secret channel's message is hidden from a read token, and the private message from all.
	for _, want := range []struct{ name, channel string }{{"join", "#b"}, {"privmsg", "#b"}, {"privmsg", "#a"}} {
		ev := all.next()
		if ev.name != want.name || ev.data["channel"] != want.channel || ev.id == "" || ev.data["id"] != ev.id {
			t.Fatalf("got %s %v (id %q), want %s in %s", ev.name, ev.data, ev.id, want.name, want.channel)
		}
	}
	ev := onlyA.next()
	src := ev.data["source"].(map[string]any)
	if ev.name != "privmsg" || ev.data["text"] != "to a" || src["nick"] != "alice" || ev.data["time"] == nil {
		t.Errorf("filtered stream got %s %v", ev.name, ev.data)
	}

	// The API's own posts are events too; an admin's stream shows the secret channel.
	admin := openEvents(t, base+"/events?channels=%23secret", adminToken)
	expect(t, call(t, "POST", base+"/channels/%23secret/messages", adminToken, map[string]any{"text": "hi"}), http.StatusCreated, "")
	if ev := admin.next(); ev.name != "privmsg" || ev.data["text"] != "hi" || ev.data["bot"] != true {
		t.Errorf("admin stream got %s %v", ev.name, ev.data)
	}
	alice.Send("QUIT :bye")
	if ev := all.next(); ev.name != "quit" || ev.data["text"] != "Quit: bye" && ev.data["text"] != "bye" {
		t.Errorf("after the quit the stream got %s %v", ev.name, ev.data)
	}
	expect(t, call(t, "GET", base+"/events?types=bogus", readToken, nil), http.StatusBadRequest, "bad_parameter")
}
