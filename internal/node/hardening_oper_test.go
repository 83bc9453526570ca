package node_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/node"
	"github.com/parleychat/parley/internal/passhash"
	"github.com/parleychat/parley/internal/testkit"
)

// rehashConfig is a configuration file for a node that REHASH re-reads; extra is appended.
func rehashConfig(dir, hash, extra string) string {
	return `server: {name: irc.test, network: TestNet}
listen: {irc: ["127.0.0.1:0"], http: ""}
data_dir: "` + dir + `"
limits: {flood: {enabled: false}}
opers:
  - {name: root, password: "` + hash + `", class: admin}
  - {name: help, password: "` + hash + `", class: helper}
oper_classes:
  - {name: helper, privileges: [flood_exempt]}
` + extra
}

// startFromFile starts a node from a configuration file, with ConfigPath set so REHASH works.
func startFromFile(t *testing.T, path string) *node.Node {
	t.Helper()
	n, err := node.New(mustLoad(t, path), node.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), ConfigPath: path})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		n.Shutdown(ctx, "test over")
	})
	return n
}

func TestOperPrivilegesAndRehash(t *testing.T) {
	t.Parallel()
	hash, err := passhash.Hash([]byte("hunter2"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "parley.yaml")
	writeFile(t, path, rehashConfig(dir, hash, ""))
	n := startFromFile(t, path)
	addr := testkit.IRCAddr(n)
	root := connect(t, addr, "root")
	help := connect(t, addr, "help")
	user := connect(t, addr, "user")
	root.Send("OPER root hunter2")
	root.Expect("381")
	help.Send("OPER help hunter2")
	help.Expect("381")

	// The helper class holds neither kill nor rehash.
	want(t, numeric(help, "KILL user :bye", "481"), msg("", "481", "help", "Permission Denied- You do not have the required operator privileges"))
	want(t, numeric(help, "REHASH", "481"), msg("", "481", "help", "Permission Denied- You do not have the required operator privileges"))
	want(t, numeric(user, "REHASH", "481"), msg("", "481", "user", "Permission Denied- You're not an IRC operator"))

	// REHASH applies a changed file: a new filter, and kill for helpers.
	writeFile(t, path, strings.Replace(rehashConfig(dir, hash, "filters: [{name: f, pattern: nope, action: block}]\n"),
		"[flood_exempt]", "[flood_exempt, kill]", 1))
	root.Send("REHASH")
	got := root.Roundtrip()
	wantIn(t, got, msg("", "382", "root", "parley.yaml", "Rehashing"))
	wantNone(t, got, "FAIL")
	user.Send("PRIVMSG root :nope")
	if m := user.Expect("FAIL"); m.Param(1) != "MESSAGE_FILTERED" {
		t.Fatalf("filter not applied by REHASH: %s", m.String())
	}
	help.Send("KILL user :bye")
	if e := user.ExpectError(); !strings.Contains(e, "Killed by help") {
		t.Fatalf("KILL after REHASH: %q", e)
	}

	// A bad file changes nothing and names the key.
	writeFile(t, path, rehashConfig(dir, hash, "filters: [{name: f, pattern: '(', action: block}]\n"))
	root.Send("REHASH")
	m := root.Expect("FAIL")
	if m.Param(0) != "REHASH" || m.Param(1) != "CONFIG_INVALID" || !strings.Contains(m.Param(2), "filters[0].pattern") {
		t.Fatalf("bad file: %s", m.String())
	}
	// Rehash itself reports an unknown key by name, and the running config stays.
	writeFile(t, path, rehashConfig(dir, hash, "server_x: 1\n"))
	if _, err := n.Rehash(); err == nil || !strings.Contains(err.Error(), "server_x") {
		t.Fatalf("unknown key: %v", err)
	}
	user2 := connect(t, addr, "user2")
	user2.Send("PRIVMSG root :nope")
	if m := user2.Expect("FAIL"); m.Param(1) != "MESSAGE_FILTERED" {
		t.Fatalf("a refused rehash changed the filters: %s", m.String())
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
