package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"
)

// stubIRC is a scripted IRC server on the WebSocket door: just enough of
// registration, JOIN, CHATHISTORY and echo-message to drive the client, and a
// record of every line the client sent.
type stubIRC struct {
	mu    sync.Mutex
	lines []string
	conns []*websocket.Conn
	seq   int
}

func (s *stubIRC) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{"text.ircv3.net"}})
	if err != nil {
		return
	}
	if c.Subprotocol() != "text.ircv3.net" {
		c.Close(websocket.StatusPolicyViolation, "subprotocol text.ircv3.net required")
		return
	}
	s.mu.Lock()
	s.conns = append(s.conns, c)
	s.mu.Unlock()
	ctx := r.Context()
	nick := "*"
	send := func(lines ...string) {
		for _, l := range lines {
			_ = c.Write(ctx, websocket.MessageText, []byte(l))
		}
	}
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			return
		}
		line := string(data)
		s.mu.Lock()
		s.lines = append(s.lines, line)
		s.seq++
		seq := s.seq
		s.mu.Unlock()
		if strings.HasPrefix(line, "NICK ") {
			nick = strings.TrimPrefix(line, "NICK ")
		}
		send(s.reply(line, nick, seq)...)
	}
}

func (s *stubIRC) reply(line, nick string, seq int) []string {
	f := strings.Fields(line)
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	switch {
	case line == "CAP LS 302":
		return []string{":stub CAP * LS :server-time message-tags batch echo-message draft/chathistory multi-prefix"}
	case strings.HasPrefix(line, "CAP REQ "):
		return []string{":stub CAP * ACK :" + strings.TrimPrefix(strings.TrimPrefix(line, "CAP REQ "), ":")}
	case line == "CAP END":
		return []string{
			":stub 001 " + nick + " :Welcome to the stub network",
			":stub 005 " + nick + " CHANTYPES=# PREFIX=(ov)@+ NETWORK=StubNet CHATHISTORY=100 :are supported by this server",
		}
	case f[0] == "JOIN":
		return []string{
			":" + nick + "!u@h JOIN " + f[1],
			":stub 332 " + nick + " " + f[1] + " :Stub topic https://example.org/rules",
			":stub 353 " + nick + " = " + f[1] + " :alice +voice @op " + nick,
			":stub 366 " + nick + " " + f[1] + " :End of /NAMES list.",
		}
	case f[0] == "CHATHISTORY" && f[1] == "LATEST":
		return []string{
			":stub BATCH +h1 chathistory " + f[2],
			"@batch=h1;time=2024-05-01T10:00:00.000Z;msgid=h-1 :alice!a@h PRIVMSG " + f[2] + " :see https://example.com/x).",
			"@batch=h1;time=2024-05-01T10:00:01.000Z;msgid=h-2 :voice!v@h PRIVMSG " + f[2] + " :<b>not bold</b> <img src=x onerror=alert(1)>",
			"@batch=h1;time=2024-05-01T10:00:02.000Z;msgid=h-3 :alice!a@h PRIVMSG " + f[2] + " :\x01ACTION waves\x01",
			":stub BATCH -h1",
		}
	case f[0] == "CHATHISTORY":
		return []string{":stub BATCH +h2 chathistory " + f[2], ":stub BATCH -h2"}
	case f[0] == "PRIVMSG":
		return []string{fmt.Sprintf("@time=%s;msgid=s-%d :%s!u@h %s", now, seq, nick, line)}
	case f[0] == "PING":
		return []string{":stub PONG stub " + strings.Join(f[1:], " ")}
	}
	return nil
}

// drop closes every client connection, as a server restart would.
func (s *stubIRC) drop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		_ = c.CloseNow()
	}
	s.conns = nil
}

// waitLine waits until the client has sent n lines for which match is true.
func (s *stubIRC) waitLine(t *testing.T, n int, what string, match func(string) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.mu.Lock()
		count := 0
		for _, l := range s.lines {
			if match(l) {
				count++
			}
		}
		got := slices.Clone(s.lines)
		s.mu.Unlock()
		if count >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("client never sent %s (x%d); it sent:\n%s", what, n, strings.Join(got, "\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func browser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	var path string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		t.Skip("no Chromium found")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	return ctx
}

func poll(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		dump, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#messages') ? document.querySelector('#messages').innerText : ''`))
		t.Fatalf("waiting for %s: %v\nmessages:\n%s", what, err, dump)
	}
}

func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// shot saves a screenshot when PARLEY_WEB_SCREENSHOTS names a directory,
// for checking the layout by eye.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("PARLEY_WEB_SCREENSHOTS")
	if dir == "" {
		return
	}
	time.Sleep(300 * time.Millisecond) // let transitions finish
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserSession drives the real page in headless Chromium against the
// stub server: connect, history, rendering, sending, completion, reconnect,
// and the phone layout.
func TestBrowserSession(t *testing.T) {
	ctx := browser(t)
	stub := &stubIRC{}
	mux := http.NewServeMux()
	mux.Handle("/ws", stub)
	mux.Handle("/", http.FileServerFS(FS()))
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)

	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(375, 740),
		chromedp.Navigate(ts.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#connect-form")),
	); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "connect-phone")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "connect-desktop")
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#nick"), "tester"),
		chromedp.SendKeys(chromedp.CSS("#channels"), "#chan"),
		chromedp.Click(chromedp.CSS("#connect-button")),
	); err != nil {
		t.Fatal(err)
	}
	poll(t, ctx, "status connected", `document.querySelector('#status').textContent === 'connected'`)
	poll(t, ctx, "channel in the buffer list", `document.querySelector('#buffer-list [data-buffer="#chan"][aria-current="true"]') !== null`)
	stub.waitLine(t, 1, "CHATHISTORY LATEST", func(l string) bool { return l == "CHATHISTORY LATEST #chan * 50" })
	poll(t, ctx, "history lines", `document.querySelectorAll('#messages .message[data-nick="alice"]').length === 2`)
	checkRendering(t, ctx)
	checkSending(t, ctx, stub)
	checkInputKeys(t, ctx, stub)
	checkReconnect(t, ctx, stub)
	checkPhoneLayout(t, ctx)
	checkDarkTheme(t, ctx)
}

// checkRendering checks links, text-only rendering, actions, the nick list and the topic.
func checkRendering(t *testing.T, ctx context.Context) {

	link := eval[map[string]string](t, ctx, `(() => { const a = document.querySelector('#messages .message[data-msgid="h-1"] .text a');
		return {href: a.getAttribute('href'), rel: a.rel, text: a.textContent}; })()`)
	if link["href"] != "https://example.com/x" || !strings.Contains(link["rel"], "noopener") {
		t.Errorf("link = %v, want href https://example.com/x with rel noopener", link)
	}
	if got := eval[string](t, ctx, `document.querySelector('#messages .message[data-msgid="h-2"] .text').textContent`); got != "<b>not bold</b> <img src=x onerror=alert(1)>" {
		t.Errorf("markup in a message was not shown as text: %q", got)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#messages b, #messages img').length`); n != 0 {
		t.Errorf("message text created %d elements", n)
	}
	if got := eval[string](t, ctx, `document.querySelector('#messages .message[data-msgid="h-3"]').className`); !strings.Contains(got, "kind-action") {
		t.Errorf("ACTION line class = %q", got)
	}
	nicks := eval[[]string](t, ctx, `[...document.querySelectorAll('#nicklist [data-nick]')].map(e => e.dataset.nick)`)
	if want := []string{"op", "voice", "alice", "tester"}; !slices.Equal(nicks, want) {
		t.Errorf("nick list = %v, want %v", nicks, want)
	}
	if got := eval[string](t, ctx, `document.querySelector('#topic').textContent`); got != "Stub topic https://example.org/rules" {
		t.Errorf("topic = %q", got)
	}

}

// checkSending sends a line; with echo-message only the echo is shown.
func checkSending(t *testing.T, ctx context.Context, stub *stubIRC) {
	// Sending: the echo (echo-message) is what appears.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#input"), "hello world\r")); err != nil {
		t.Fatal(err)
	}
	stub.waitLine(t, 1, "the PRIVMSG", func(l string) bool { return l == "PRIVMSG #chan :hello world" })
	poll(t, ctx, "own message", `[...document.querySelectorAll('#messages .message[data-nick="tester"] .text')].some(e => e.textContent === 'hello world')`)
	if n := eval[int](t, ctx, `[...document.querySelectorAll('#messages .message[data-nick="tester"] .text')].filter(e => e.textContent === 'hello world').length`); n != 1 {
		t.Errorf("own message shown %d times, want 1", n)
	}

	shot(t, ctx, "chat-desktop")

}

// checkInputKeys covers Tab completion, input history and a /command.
func checkInputKeys(t *testing.T, ctx context.Context, stub *stubIRC) {
	// Tab completes a nick at the start of the line; Up recalls the last line.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#input"), "vo\t")); err != nil {
		t.Fatal(err)
	}
	if got := eval[string](t, ctx, `document.querySelector('#input').value`); got != "voice: " {
		t.Errorf("completion gave %q, want %q", got, "voice: ")
	}
	eval[bool](t, ctx, `(() => { const i = document.querySelector('#input'); i.value = '';
		i.dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowUp', bubbles: true})); return true; })()`)
	if got := eval[string](t, ctx, `document.querySelector('#input').value`); got != "hello world" {
		t.Errorf("ArrowUp recalled %q, want %q", got, "hello world")
	}
	eval[bool](t, ctx, `(() => { document.querySelector('#input').value = ''; return true; })()`)
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#input"), "/me dances\r")); err != nil {
		t.Fatal(err)
	}
	stub.waitLine(t, 1, "the ACTION", func(l string) bool { return l == "PRIVMSG #chan :\x01ACTION dances\x01" })

}

// checkReconnect drops the connection and expects a rejoin and a catch-up.
func checkReconnect(t *testing.T, ctx context.Context, stub *stubIRC) {
	// A dropped connection comes back, rejoins and catches up after the newest msgid.
	stub.drop()
	poll(t, ctx, "status reconnecting", `document.querySelector('#status').textContent.startsWith('reconnecting')`)
	poll(t, ctx, "status connected again", `document.querySelector('#status').textContent === 'connected'`)
	stub.waitLine(t, 2, "JOIN #chan twice", func(l string) bool { return l == "JOIN #chan" })
	stub.waitLine(t, 1, "CHATHISTORY AFTER", func(l string) bool { return strings.HasPrefix(l, "CHATHISTORY AFTER #chan msgid=s-") })

}

// checkPhoneLayout checks the 375px layout and the sliding buffer list.
func checkPhoneLayout(t *testing.T, ctx context.Context) {
	// Phone width: the buffer list hides behind a button and nothing overflows.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 740)); err != nil {
		t.Fatal(err)
	}
	poll(t, ctx, "sidebar off screen", `document.querySelector('#sidebar').getBoundingClientRect().right <= 0`)
	shot(t, ctx, "chat-phone")
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 375 {
		t.Errorf("page is %dpx wide at a 375px viewport", w)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#sidebar-toggle"))); err != nil {
		t.Fatal(err)
	}
	poll(t, ctx, "sidebar open", `document.querySelector('#sidebar').getBoundingClientRect().left >= 0`)
	shot(t, ctx, "sidebar-phone")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#buffer-list [data-buffer="*"]`))); err != nil {
		t.Fatal(err)
	}
	poll(t, ctx, "server buffer shown, sidebar closed", `document.querySelector('#buffer-title').textContent === 'StubNet' && document.querySelector('#sidebar').getBoundingClientRect().right <= 0`)

}

// checkDarkTheme checks that the theme follows prefers-color-scheme.
func checkDarkTheme(t *testing.T, ctx context.Context) {
	// The dark theme follows prefers-color-scheme.
	light := eval[string](t, ctx, `getComputedStyle(document.body).backgroundColor`)
	if _, err := chromedp.Run(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
		})
		return err
	})); err != nil {
		t.Fatal(err)
	}
	dark := eval[string](t, ctx, `getComputedStyle(document.body).backgroundColor`)
	if light != "rgb(255, 255, 255)" || dark != "rgb(22, 24, 28)" {
		t.Errorf("background light %q, dark %q", light, dark)
	}
	shot(t, ctx, "server-phone-dark")
}
