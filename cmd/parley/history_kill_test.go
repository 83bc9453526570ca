package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/freeport"
)

// TestKill9KeepsAcknowledgedMessages is the durability promise of the history: a message whose
// echo (echo-message) reached its sender is in history after the server was killed with SIGKILL
// at any moment and restarted on the same data directory. It builds the real binary, sends
// messages as fast as echoes come back, kills the process at a random moment, and repeats; then
// it exports the channel and checks every echoed msgid is there. PARLEY_KILL_LOOPS sets the number
// of kills (default 5).
func TestKill9KeepsAcknowledgedMessages(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a real server")
	}
	loops := 5
	if s := os.Getenv("PARLEY_KILL_LOOPS"); s != "" {
		loops, _ = strconv.Atoi(s)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "parley")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	data := filepath.Join(dir, "data")
	cfg := filepath.Join(dir, "parley.yaml")
	if err := os.WriteFile(cfg, []byte("limits:\n  flood:\n    enabled: false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	echoed := map[string]bool{}
	for i := range loops {
		addr := freeAddr(t)
		cmd := exec.Command(bin, "serve", "--config", cfg, "--data-dir", data, "--listen-irc", addr, "--listen-http", "")
		cmd.Stderr = &prefixWriter{t: t}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		kill := time.Duration(200+rand.IntN(1300)) * time.Millisecond
		ids := sendUntilKilled(t, addr, fmt.Sprintf("k%d", i), kill, cmd)
		cmd.Wait()
		for _, id := range ids {
			echoed[id] = true
		}
		t.Logf("loop %d: killed after %v, %d messages echoed", i, kill, len(ids))
	}
	if len(echoed) == 0 {
		t.Fatal("no message was ever echoed")
	}
	out, err := exec.Command(bin, "history", "export", "--config", cfg, "--data-dir", data, "--target", "#durable").Output()
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	stored := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var r struct{ MsgID string }
		if json.Unmarshal([]byte(line), &r) == nil {
			stored[r.MsgID] = true
		}
	}
	missing := 0
	for id := range echoed {
		if !stored[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged messages lost after kill -9", missing, len(echoed))
	}
	t.Logf("%d acknowledged messages, all in history after %d kills", len(echoed), loops)
}

// sendUntilKilled connects, joins #durable with echo-message, keeps several messages in flight,
// kills the server after the delay, and returns the msgids of the echoes received before it.
func sendUntilKilled(t *testing.T, addr, nick string, delay time.Duration, cmd *exec.Cmd) []string {
	t.Helper()
	var conn net.Conn
	var err error
	for start := time.Now(); time.Since(start) < 20*time.Second; time.Sleep(50 * time.Millisecond) {
		if conn, err = net.Dial("tcp", addr); err == nil {
			break
		}
	}
	if err != nil {
		cmd.Process.Kill()
		t.Fatalf("server never listened: %v", err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "CAP REQ :echo-message message-tags\r\nNICK %s\r\nUSER u 0 * :u\r\nCAP END\r\nJOIN #durable\r\n", nick)
	r := bufio.NewReader(conn)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			cmd.Process.Kill()
			t.Fatalf("before joining: %v", err)
		}
		if strings.Contains(line, " 366 ") {
			break
		}
	}
	var mu sync.Mutex
	var ids []string
	inflight := make(chan struct{}, 32)
	go func() {
		for i := 0; ; i++ {
			inflight <- struct{}{}
			if _, err := fmt.Fprintf(conn, "PRIVMSG #durable :message %d\r\n", i); err != nil {
				return
			}
		}
	}()
	time.AfterFunc(delay, func() { cmd.Process.Kill() })
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			break
		}
		if !strings.Contains(line, " PRIVMSG #durable ") {
			continue
		}
		for _, tag := range strings.Split(strings.TrimPrefix(strings.Fields(line)[0], "@"), ";") {
			if id, ok := strings.CutPrefix(tag, "msgid="); ok {
				mu.Lock()
				ids = append(ids, id)
				mu.Unlock()
			}
		}
		<-inflight
	}
	return ids
}

func freeAddr(t *testing.T) string { return freeport.Addr(t) }

// prefixWriter shows the server's log in the test output, where it helps when the test fails.
type prefixWriter struct{ t *testing.T }

func (w *prefixWriter) Write(p []byte) (int, error) {
	w.t.Logf("server: %s", strings.TrimSpace(string(p)))
	return len(p), nil
}
