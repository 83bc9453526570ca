package jsstore

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/store"
)

// crashDirEnv makes the test binary run crashWriter instead of the tests.
const crashDirEnv = "PARLEY_JSSTORE_CRASH_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashDirEnv); dir != "" {
		crashWriter(dir)
		return
	}
	os.Exit(m.Run())
}

// crashWriter creates accounts forever, printing each name once CreateAccount has returned (the
// put is acknowledged), until it is killed.
func crashWriter(dir string) {
	n, err := startNode(dir, false)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	for i := 0; ; i++ {
		name := fmt.Sprint("acked", i)
		if err := n.CreateAccount(context.Background(), store.Account{Name: name}); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println(name)
	}
}

// TestAckedSurvivesKill kills a process with SIGKILL while it writes, then checks that every
// account it saw acknowledged is there after a restart on its data directory. JetStream writes
// each message to the file before acknowledging it, even without fsync (sync_interval), so
// killing the process loses nothing acknowledged; only losing the machine can.
func TestAckedSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process; skipped with -short")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	lines := bufio.NewScanner(out)
	for lines.Scan() && len(acked) < 300 {
		if line := lines.Text(); strings.HasPrefix(line, "acked") {
			acked = append(acked, line)
		} else {
			t.Fatalf("writer: %s", line)
		}
	}
	cmd.Process.Kill() // SIGKILL: no shutdown, no flush
	cmd.Wait()
	if len(acked) < 300 {
		t.Fatalf("writer stopped after %d accounts", len(acked))
	}

	n := openNode(t, dir, false)
	for _, name := range acked {
		if _, err := n.Account(context.Background(), name); err != nil {
			t.Fatalf("acknowledged account %s lost after kill -9: %v", name, err)
		}
	}
	t.Logf("%d acknowledged accounts survived kill -9", len(acked))
}
