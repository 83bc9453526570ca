package node_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/testkit"
)

// findChromium returns the path of a Chromium-family browser, or "" when none is installed.
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts a headless Chromium with its own profile, so two browsers are two users.
func newBrowser(t *testing.T, path string) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 800),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// Start the browser on this context: the first action's context owns the browser, and the
	// steps below run on shorter-lived contexts derived from it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

// do runs browser steps, failing the test with what was being done.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// connectWeb opens the web client, signs in with nick and joins channel.
func connectWeb(t *testing.T, ctx context.Context, base, nick, channel string) {
	t.Helper()
	do(t, ctx, nick+" opens the page",
		chromedp.Navigate(base),
		chromedp.WaitVisible(chromedp.CSS("#connect-form")))
	// Set the fields directly: after a reload they are prefilled from the last session.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
		"(document.querySelector('#nick').value = "+jsString(nick)+", "+
			"document.querySelector('#channels').value = "+jsString(channel)+", true)")); err != nil {
		t.Fatalf("%s fills the form: %v", nick, err)
	}
	do(t, ctx, nick+" connects", chromedp.Click(chromedp.CSS("#connect-button")))
	waitFor(t, ctx, nick+" in "+channel,
		"document.querySelector('#buffer-list [data-buffer=\""+channel+"\"]') !== null")
	waitText(t, ctx, "#status", "connected")
}

// waitFor polls a JavaScript condition until it holds.
func waitFor(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		dump, _ := chromedp.Run(ctx, chromedp.Evaluate[string](
			"document.querySelector('#messages') ? document.querySelector('#messages').innerText : ''"))
		t.Fatalf("waiting for %s: %v\nmessages:\n%s", what, err, dump)
	}
}

// waitText waits until the element's text contains want.
func waitText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	waitFor(t, ctx, sel+" showing "+want, "(document.querySelector("+jsString(sel)+")||{}).innerText?.includes("+jsString(want)+") === true")
}

// TestBrowserChat drives the built-in web client in real headless Chromium against a real node:
// two browser users and a TCP IRC client share a channel, and a reload shows the scrollback from
// history.
func TestBrowserChat(t *testing.T) {
	path := findChromium()
	if path == "" {
		t.Skip("Chromium not found (install Debian's chromium package to run the browser test)")
	}
	n := testkit.StartNode(t, nil)
	base := "http://" + n.HTTPAddr().String() + "/"

	carol := testkit.Dial(t, testkit.IRCAddr(n))
	carol.Register("carol")
	carol.Join("#web")

	alice := newBrowser(t, path)
	bob := newBrowser(t, path)
	connectWeb(t, alice, base, "webalice", "#web")
	connectWeb(t, bob, base, "webbob", "#web")
	waitText(t, alice, "#nicklist", "webbob")

	do(t, alice, "alice sends", chromedp.SendKeys(chromedp.CSS("#input"), "hello from the browser\r"))
	waitText(t, bob, "#messages", "hello from the browser")
	carol.ExpectFunc("webalice's PRIVMSG", func(m ircmsg.Message) bool {
		return m.Command == "PRIVMSG" && strings.HasPrefix(m.Source, "webalice!") && m.Param(1) == "hello from the browser"
	})

	carol.Send("PRIVMSG #web :hello from irc")
	waitText(t, alice, "#messages", "hello from irc")
	waitText(t, bob, "#messages", "hello from irc")

	// A reload starts a new session: the scrollback comes back from history.
	connectWeb(t, bob, base, "webbob", "#web")
	waitText(t, bob, "#messages", "hello from the browser")
	waitText(t, bob, "#messages", "hello from irc")

	png, err := chromedp.Run(alice, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	shot := filepath.Join(t.TempDir(), "web-client.png")
	if err := os.WriteFile(shot, png, 0o600); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(shot); err != nil || fi.Size() < 10_000 {
		t.Fatalf("screenshot %s is missing or too small to show the chat: %v %v", shot, fi, err)
	}
	if dir := os.Getenv("PARLEY_WEB_SCREENSHOTS"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "web-client.png"), png, 0o644)
	}
}
