package api

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/casemap"
	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/model"
)

func TestRateLimiter(t *testing.T) {
	now := time.Unix(1000, 0)
	l := newRateLimiter(2, 3)
	l.now = func() time.Time { return now }
	for i := 0; i < 3; i++ {
		if _, ok := l.allow("bot"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	wait, ok := l.allow("bot")
	if ok || wait != "1" {
		t.Fatalf("past the burst: ok=%v wait=%q, want refused with Retry-After 1", ok, wait)
	}
	if _, ok := l.allow("other"); !ok {
		t.Error("another token shares the bucket")
	}
	now = now.Add(500 * time.Millisecond) // one token at 2/s
	if _, ok := l.allow("bot"); !ok {
		t.Error("refill did not happen")
	}
	if _, ok := l.allow("bot"); ok {
		t.Error("refilled more than the rate")
	}
}

func TestTokenLookup(t *testing.T) {
	ts := newTokenSet([]config.APIToken{{Name: "a", Token: "token-aaaaaaaaaaaa", Scopes: []string{"read"}},
		{Name: "b", Token: "token-bbbbbbbbbbbb", Scopes: []string{"admin"}}})
	if c := ts.lookup("token-bbbbbbbbbbbb"); c == nil || c.name != "b" || !c.has(scopePost) {
		t.Errorf("lookup b = %+v; admin should imply post", c)
	}
	if c := ts.lookup("token-aaaaaaaaaaaa"); c == nil || c.has(scopePost) || !c.has(scopeRead) {
		t.Errorf("lookup a = %+v", c)
	}
	for _, bad := range []string{"", "token-aaaaaaaaaaa", "token-aaaaaaaaaaaaa", "TOKEN-AAAAAAAAAAAA"} {
		if ts.lookup(bad) != nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestSplitText(t *testing.T) {
	lines, err := splitText("a\r\nb\n\nc", 10)
	if err != nil || strings.Join(lines, "|") != "a|b|c" {
		t.Errorf("splitText = %q, %v", lines, err)
	}
	for _, tc := range []struct{ text, code string }{
		{"", "no_text"}, {"\r\n", "no_text"}, {"a\rb", "invalid_text"}, {"\xff", "invalid_text"},
		{strings.Repeat("x", 11), "text_too_long"}, {strings.Repeat("x\n", maxLines+1), "too_many_lines"},
	} {
		if _, err := splitText(tc.text, 10); err == nil || err.Code != tc.code {
			t.Errorf("splitText(%q) = %v, want %s", tc.text, err, tc.code)
		}
	}
}

// stubHistory serves fixed events and remembers the last query.
type stubHistory struct {
	events []*model.Event
	last   string
}

func (h *stubHistory) Before(_ context.Context, target string, t time.Time, limit int) ([]*model.Event, error) {
	h.last = fmt.Sprintf("before %s %d", target, limit)
	return h.events, nil
}

func (h *stubHistory) After(_ context.Context, target string, t time.Time, limit int) ([]*model.Event, error) {
	h.last = fmt.Sprintf("after %s %s %d", target, t.Format(time.RFC3339), limit)
	return h.events, nil
}

func TestHistoryQueries(t *testing.T) {
	h := &stubHistory{events: []*model.Event{{Kind: model.KindPrivmsg, ID: "m1", Target: "#c", Text: "old",
		Source: model.Prefix{Nick: "alice", User: "a", Host: "h"}, Time: time.Unix(100, 0)}}}
	_, _, srv := newTestAPI(t, Options{History: h})
	get := func(query string) (int, string) {
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/channels/c/messages"+query, nil)
		req.Header.Set("Authorization", "Bearer read-token-0123456789")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	status, body := get("?limit=5")
	if status != 200 || h.last != "before #c 5" || !strings.Contains(body, `"text":"old"`) || !strings.Contains(body, `"id":"m1"`) {
		t.Errorf("before: %d %s (query %q)", status, body, h.last)
	}
	status, _ = get("?after=2026-01-02T03:04:05Z")
	if status != 200 || h.last != "after #c 2026-01-02T03:04:05Z 50" {
		t.Errorf("after: %d (query %q)", status, h.last)
	}
}

func newTestAPI(t *testing.T, opt Options) (*API, *core.Network, *httptest.Server) {
	t.Helper()
	cm, err := casemap.Parse("rfc1459")
	if err != nil {
		t.Fatal(err)
	}
	n := core.New(core.Options{Casemap: cm, Settings: core.DefaultSettings()})
	opt.Network = n
	opt.Tokens = []config.APIToken{{Name: "reader", Token: "read-token-0123456789", Scopes: []string{"read"}}}
	a := New(opt)
	mux := http.NewServeMux()
	a.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { srv.Close(); a.Close() })
	return a, n, srv
}

func TestStreamKeepAliveAndShutdown(t *testing.T) {
	a, _, srv := newTestAPI(t, Options{KeepAlive: 20 * time.Millisecond})
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer read-token-0123456789")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	var lines []string
	for len(lines) < 4 {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, line)
	}
	if lines[2] != ": keep-alive\n" {
		t.Errorf("stream began %q, want keep-alive comments", lines)
	}
	a.Close()
	rest, _ := bufio.NewReader(r).ReadString(0)
	if !strings.Contains(rest, "event: error") || !strings.Contains(rest, "shutting_down") {
		t.Errorf("after Close the stream ended with %q", rest)
	}
}

func TestSlowStreamIsCut(t *testing.T) {
	s := &stream{queue: make(chan *model.Event, 2), overflow: make(chan struct{})}
	ev := &model.Event{Kind: model.KindPrivmsg, Target: "#c"}
	s.Deliver(ev)
	s.Deliver(ev)
	select {
	case <-s.overflow:
		t.Fatal("cut before the queue was full")
	default:
	}
	done := make(chan struct{})
	go func() { s.Deliver(ev); s.Deliver(ev); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("Deliver blocked on a full queue")
	}
	select {
	case <-s.overflow:
	default:
		t.Fatal("a full queue did not cut the stream")
	}
}
