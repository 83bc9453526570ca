package main

import (
	"bytes"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/testkit"
)

// The `parley ban` commands against a real server process: a ban added while it is stopped holds
// when it starts, one added through the API kicks a connected user, and removal lets them back.
func TestBanCLI(t *testing.T) {
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

	// Bad usage, bad targets and bad durations exit 2 with the reason.
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ban"}, "unknown subcommand \"--config\""},
		{[]string{"ban", "frob"}, "unknown subcommand"},
		{[]string{"ban", "add"}, "exactly one TARGET"},
		{[]string{"ban", "list", "x"}, "no arguments"},
		{[]string{"ban", "add", "*!*@*"}, "would ban everyone"},
		{[]string{"ban", "add", "10.0.0.0/33"}, "not a CIDR network"},
		{[]string{"ban", "add", "x!y@z", "--duration", "3 days"}, "duration"},
		{[]string{"ban", "add", "x!y@z", "--duration", "9999y"}, "longer than 100 years"},
	} {
		if code, out := parley(t, bin, append(tc.args, "--config", cfg)...); code != 2 || !strings.Contains(out, tc.want) || !strings.Contains(out, "usage:") {
			t.Errorf("parley %v: exit %d, want 2 and %q:\n%s", tc.args, code, tc.want, out)
		}
	}

	// Stopped: the data directory.
	out := mustRun(t, bin, "ban", "add", "offline!*@*", "--reason", "set while stopped", "--config", cfg)
	if !strings.HasPrefix(out, "ban ") || !strings.Contains(out, "mask offline!*@*, permanent") {
		t.Fatalf("add offline: %s", out)
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

	c := testkit.Dial(t, ircAddr)
	c.Send("NICK offline")
	c.Send("USER offline 0 * :x")
	if got := c.ExpectError(); !strings.Contains(got, "set while stopped") {
		t.Fatalf("ban added while stopped: ERROR %q", got)
	}

	// Running: through the API.
	user := testkit.Dial(t, ircAddr)
	user.Register("online")
	out = mustRun(t, bin, "ban", "add", "online", "--duration", "1h", "--reason", "via the API", "--config", cfg)
	if !strings.Contains(out, "mask online!*@*, until ") {
		t.Fatalf("add online: %s", out)
	}
	if got := user.ExpectError(); !strings.Contains(got, "via the API") {
		t.Fatalf("ban added through the API: ERROR %q", got)
	}
	mustRun(t, bin, "ban", "add", "192.0.2.0/24", "--config", cfg)
	out = mustRun(t, bin, "ban", "list", "--config", cfg)
	for _, want := range []string{"offline!*@*", "online!*@*", "192.0.2.0/24", "api:cli", "permanent"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	if out := mustRun(t, bin, "ban", "del", "192.0.2.0/24", "--config", cfg); !strings.Contains(out, "removed: cidr 192.0.2.0/24") {
		t.Errorf("del by CIDR target: %s", out)
	}
	if code, out := parley(t, bin, "ban", "del", "192.0.2.0/24", "--config", cfg); code != 1 || !strings.Contains(out, "no ban has the ID or target") {
		t.Errorf("del twice: exit %d: %s", code, out)
	}
	mustRun(t, bin, "ban", "del", "online", "--config", cfg)
	testkit.CheckFor(t, 5*time.Second, 50*time.Millisecond, func() error {
		back := testkit.Dial(t, ircAddr)
		defer back.Conn.Close()
		back.Send("NICK online")
		back.Send("USER online 0 * :x")
		m, err := back.ReadMsg()
		if err != nil {
			return err
		}
		if m.Command != "001" {
			return fmt.Errorf("still refused: %s", m.String())
		}
		return nil
	})

	srv.Process.Signal(syscall.SIGTERM)
	srv.Wait()
	if strings.Contains(srvOut.String(), "panic") {
		t.Errorf("server log has a panic:\n%s", srvOut.String())
	}
	out = mustRun(t, bin, "ban", "list", "--config", cfg)
	if !strings.Contains(out, "offline!*@*") || strings.Contains(out, "online!*@*") {
		t.Errorf("list after the server stopped:\n%s", out)
	}
}
