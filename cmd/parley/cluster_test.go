package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/testkit"
)

// `parley cluster status` asks the running server of the configuration: a single node lists itself
// with its clients, and exits 0.
func TestClusterStatusCommand(t *testing.T) {
	cfg := testkit.Config(t)
	cfg.API.Tokens = []config.APIToken{{Name: "watcher", Token: "watch-token-0123456789", Scopes: []string{"read"}}}
	n := testkit.StartNode(t, cfg)
	c := testkit.Dial(t, testkit.IRCAddr(n))
	c.Register("alice")
	file := filepath.Join(t.TempDir(), "parley.yaml")
	yaml := fmt.Sprintf("listen:\n  http: %q\napi:\n  tokens:\n    - {name: watcher, token: watch-token-0123456789, scopes: [read]}\n", n.HTTPAddr().String())
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"cluster", "status", "--config", file}, nil, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "single node") || !strings.Contains(out.String(), "(this node)  yes    1") {
		t.Fatalf("status:\n%s", out.String())
	}
	out.Reset()
	if code := run([]string{"cluster", "status", "--config", file, "--json"}, nil, &out, &errb); code != 0 ||
		!strings.Contains(out.String(), `"clustered":false`) {
		t.Fatalf("--json: exit %d: %s", code, out.String())
	}
	if code := run([]string{"cluster", "bogus"}, nil, &out, &errb); code != 2 {
		t.Fatalf("bad usage: exit %d", code)
	}
}

// A node that is not alive or a JetStream that does not answer is shown and makes the exit code 1.
func TestClusterStatusUnhealthy(t *testing.T) {
	var st clusterStatus
	now := time.Date(2026, 1, 1, 0, 0, 10, 0, time.UTC)
	hb := now.Add(-1500 * time.Millisecond)
	raw := fmt.Sprintf(`{"node":"a","clustered":true,"nodes":[{"name":"a","self":true,"alive":true,"clients":2,"heartbeat":%q},
		{"name":"b","alive":false,"clients":1}],"jetstream":{"ok":false,"error":"no quorum"}}`, hb.Format(time.RFC3339Nano))
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	printClusterStatus(&out, &st, now)
	for _, want := range []string{"a (this node)  yes    2        1.5s ago", "b              NO     1        -", "NOT ANSWERING: no quorum"} {
		if !strings.Contains(out.String(), want) {
			t.Fatalf("missing %q in:\n%s", want, out.String())
		}
	}
	if clusterHealthy(&st) {
		t.Fatal("reported healthy")
	}
}
