package web

import (
	"io/fs"
	"os/exec"
	"path"
	"regexp"
	"strings"
	"testing"
)

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := fs.ReadFile(FS(), name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return string(b)
}

func jsFiles(t *testing.T) []string {
	t.Helper()
	names, err := fs.Glob(FS(), "js/*.js")
	if err != nil || len(names) == 0 {
		t.Fatalf("no js files embedded: %v", err)
	}
	return names
}

func TestFSHasIndexAtTop(t *testing.T) {
	for _, name := range []string{"index.html", "style.css", "js/app.js", "js/irc.js"} {
		if _, err := fs.Stat(FS(), name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// The automated browser tests rely on these hooks; index.html documents them.
func TestIndexHasTestHooks(t *testing.T) {
	html := readFile(t, "index.html")
	for _, id := range []string{"connect-form", "nick", "connect-button", "buffer-list", "messages", "input", "nicklist", "topic", "status", "account", "password", "channels", "server-url"} {
		if !strings.Contains(html, `id="`+id+`"`) {
			t.Errorf("index.html lacks #%s", id)
		}
	}
	for _, label := range []string{"nick", "account", "password", "channels", "server-url", "input"} {
		if !strings.Contains(html, `for="`+label+`"`) {
			t.Errorf("input #%s has no label", label)
		}
	}
}

var (
	importRE = regexp.MustCompile(`(?m)^\s*import\s[^"]*"([^"]+)"`)
	refRE    = regexp.MustCompile(`(?:src|href)="([^"]+)"`)
)

// Every module import and every file the page references must be embedded,
// or the client breaks only at run time.
func TestReferencesResolve(t *testing.T) {
	for _, name := range jsFiles(t) {
		for _, m := range importRE.FindAllStringSubmatch(readFile(t, name), -1) {
			if !strings.HasPrefix(m[1], "./") {
				t.Errorf("%s imports %q: only relative imports work without a build step", name, m[1])
				continue
			}
			target := path.Join(path.Dir(name), m[1])
			if _, err := fs.Stat(FS(), target); err != nil {
				t.Errorf("%s imports %q: %v", name, m[1], err)
			}
		}
	}
	for _, m := range refRE.FindAllStringSubmatch(readFile(t, "index.html"), -1) {
		if strings.HasPrefix(m[1], "data:") {
			continue
		}
		if _, err := fs.Stat(FS(), m[1]); err != nil {
			t.Errorf("index.html references %q: %v", m[1], err)
		}
	}
}

// Untrusted text must reach the DOM only as text, and the page must work
// offline, so no HTML sinks and no third-party origins.
func TestNoUnsafeSinksOrExternalOrigins(t *testing.T) {
	unsafe := regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(`)
	external := regexp.MustCompile(`(?:src=|href=|url\(|import\s+["']|from\s+["'])["']?(?:https?:)?//`)
	names := append(jsFiles(t), "index.html", "style.css")
	for _, name := range names {
		text := readFile(t, name)
		if loc := unsafe.FindStringIndex(text); loc != nil {
			t.Errorf("%s uses %q", name, text[loc[0]:loc[1]])
		}
		if loc := external.FindStringIndex(text); loc != nil {
			t.Errorf("%s loads from another origin: %q", name, text[loc[0]:loc[1]])
		}
	}
}

// The client's logic (codec, registration, buffers) is tested in
// JavaScript under node's built-in test runner.
func TestJavaScript(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	out, err := exec.Command(node, "--test", "jstest/").CombinedOutput()
	if err != nil {
		t.Fatalf("node --test failed: %v\n%s", err, out)
	}
}
