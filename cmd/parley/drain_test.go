package main

import (
	"bufio"
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDrainProcess builds the binary, runs a server, connects a client, and drains the server
// with `parley drain --config`: the client is told to reconnect, then closed with "Server
// draining", and the process exits 0.
func TestDrainProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "parley")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cfgPath := filepath.Join(dir, "parley.yaml")
	cfg := "server: {name: irc.test}\nlisten: {irc: [\"127.0.0.1:0\"], http: \"\"}\ndata_dir: \"" + filepath.Join(dir, "data") + "\"\n"
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := exec.Command(bin, "serve", "--config", cfgPath, "--drain-timeout", "10s")
	stderr, err := srv.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Process.Kill() })
	addr := waitListening(t, stderr)

	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	conn.Write([]byte("NICK alice\r\nUSER alice 0 * :Alice\r\n"))
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("registering: %v", err)
		}
		if strings.Contains(line, " 376 ") || strings.Contains(line, " 422 ") {
			break
		}
	}

	// Reap the server as soon as it exits: an unreaped child still answers kill(pid, 0), so
	// `parley drain --wait` would wait for a zombie.
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	var out, errb bytes.Buffer
	if code := run([]string{"drain", "--config", cfgPath, "--wait", "15s"}, nil, &out, &errb); code != 0 {
		t.Fatalf("parley drain: exit %d: %s%s", code, out.String(), errb.String())
	}
	var got []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			break
		}
		got = append(got, strings.TrimRight(line, "\r\n"))
	}
	want := []string{":irc.test NOTICE alice :server is restarting, please reconnect", "ERROR :Closing link: Server draining"}
	if len(got) < 2 || got[len(got)-2] != want[0] || got[len(got)-1] != want[1] {
		t.Fatalf("client got %q, want it to end with %q", got, want)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("server exit: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the server did not exit")
	}
	if _, err := os.Stat(filepath.Join(dir, "data", pidFileName)); !os.IsNotExist(err) {
		t.Fatalf("pid file left behind: %v", err)
	}
}

var listeningRE = regexp.MustCompile(`msg="listening for IRC" addr=(\S+)`)

// waitListening reads the server's log until it names its IRC address, then keeps draining the
// log so the server never blocks on a full pipe.
func waitListening(t *testing.T, stderr interface{ Read([]byte) (int, error) }) string {
	t.Helper()
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case addr := <-found:
		return addr
	case <-time.After(60 * time.Second):
		t.Fatal("the server did not log its IRC address")
		return ""
	}
}
