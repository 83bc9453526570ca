package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/testkit"

	"github.com/parleychat/parley/internal/freeport"
)

// freePort returns a loopback address that was free a moment ago.
func freePort(t *testing.T) string { return freeport.Addr(t) }

// writeConfig writes a configuration for the test server and returns its path.
func writeConfig(t *testing.T, dir, ircAddr, httpAddr string, token bool) string {
	t.Helper()
	cfg := fmt.Sprintf("server:\n  name: irc.test\nlisten:\n  irc: [%q]\n  http: %q\ndata_dir: %q\n",
		ircAddr, httpAddr, filepath.Join(dir, "data"))
	if token {
		cfg += "api:\n  tokens:\n    - {name: cli, token: admin-token-0123456789, scopes: [admin]}\n"
	}
	path := filepath.Join(dir, fmt.Sprintf("parley-%v.yaml", token))
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// parley runs the built binary and returns its exit code and output.
func parley(t *testing.T, bin string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String()
	}
	if err != nil {
		t.Fatalf("running parley %v: %v", args, err)
	}
	return 0, out.String()
}

func mustRun(t *testing.T, bin string, args ...string) string {
	t.Helper()
	code, out := parley(t, bin, args...)
	if code != 0 {
		t.Fatalf("parley %s: exit %d:\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// saslLogin logs in over TCP with SASL PLAIN and returns the final numeric's command.
func saslLogin(t *testing.T, addr, user, password string) string {
	t.Helper()
	c := testkit.Dial(t, addr)
	c.Send("AUTHENTICATE PLAIN")
	c.Expect("AUTHENTICATE")
	c.Send("AUTHENTICATE " + base64.StdEncoding.EncodeToString([]byte("\x00"+user+"\x00"+password)))
	m := c.ExpectFunc("903 or 904", func(m ircmsg.Message) bool { return m.Command == "903" || m.Command == "904" })
	return m.Command
}

// The `parley account` commands against a real server process: on the data directory while it
// is stopped, through the API while it runs, with SASL working the moment `add` returns.
func TestAccountCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "parley")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ircAddr, httpAddr := freePort(t), freePort(t)
	cfg := writeConfig(t, dir, ircAddr, httpAddr, true)
	noToken := writeConfig(t, dir, ircAddr, httpAddr, false)

	// Bad usage exits 2 with a message.
	for _, args := range [][]string{{"account"}, {"account", "frob"}, {"account", "add"}, {"account", "list", "extra"},
		{"account", "delete", "a", "b"}, {"account", "add", "x", "--bogus"}} {
		if code, out := parley(t, bin, args...); code != 2 || !strings.Contains(out, "usage:") {
			t.Errorf("parley %v: exit %d, output:\n%s", args, code, out)
		}
	}

	// Stopped: the data directory.
	mustRun(t, bin, "account", "add", "bob", "--password", "bob's password", "--config", cfg)
	if code, out := parley(t, bin, "account", "add", "BOB", "--password", "x-password", "--config", cfg); code != 1 ||
		!strings.Contains(out, "already exists") {
		t.Errorf("duplicate offline: exit %d: %s", code, out)
	}

	srv := exec.Command(bin, "serve", "--config", cfg)
	var srvOut bytes.Buffer
	srv.Stdout, srv.Stderr = &srvOut, &srvOut
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Process.Kill()
	testkit.CheckFor(t, 20*time.Second, 50*time.Millisecond, func() error {
		c, err := net.Dial("tcp", ircAddr)
		if err == nil {
			c.Close()
		}
		return err
	})

	// Running: through the API; the account logs in at once.
	pw := "pässwörd with spaces ✓"
	mustRun(t, bin, "account", "add", "alice", "--config", cfg, "--password", pw)
	if got := saslLogin(t, ircAddr, "alice", pw); got != "903" {
		t.Fatalf("SASL right after account add: %s\nserver log:\n%s", got, srvOut.String())
	}
	if got := saslLogin(t, ircAddr, "bob", "bob's password"); got != "903" {
		t.Fatalf("account added while stopped: %s", got)
	}
	if code, out := parley(t, bin, "account", "add", "alice", "--password", "x-password", "--config", cfg); code != 1 ||
		!strings.Contains(out, "already exists") {
		t.Errorf("duplicate via API: exit %d: %s", code, out)
	}
	mustRun(t, bin, "account", "passwd", "alice", "--password", "the new password", "--config", cfg)
	if got := saslLogin(t, ircAddr, "alice", "the new password"); got != "903" {
		t.Fatalf("SASL after passwd: %s", got)
	}
	if out := mustRun(t, bin, "account", "list", "--config", cfg); !strings.Contains(out, "alice") || !strings.Contains(out, "bob") {
		t.Errorf("list:\n%s", out)
	}
	if code, out := parley(t, bin, "account", "delete", "nobody", "--config", cfg); code != 1 || !strings.Contains(out, "no account nobody") {
		t.Errorf("delete unknown: exit %d: %s", code, out)
	}
	if code, out := parley(t, bin, "account", "list", "--config", noToken); code != 1 || !strings.Contains(out, "server is running") {
		t.Errorf("running server without an admin token: exit %d: %s", code, out)
	}
	mustRun(t, bin, "account", "delete", "bob", "--config", cfg)

	srv.Process.Signal(syscall.SIGTERM)
	srv.Wait()
	out := mustRun(t, bin, "account", "list", "--config", noToken)
	if !strings.Contains(out, "alice") || strings.Contains(out, "bob") {
		t.Errorf("list after the server stopped:\n%s", out)
	}
}
