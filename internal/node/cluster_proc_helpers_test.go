package node_test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/freeport"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/testkit"
)

// procNodeTimeout is cluster.node_timeout in the real-process tests: short, so a lost node is
// noticed quickly, yet long enough for a busy 2-core machine not to lose a live node.
const procNodeTimeout = 3 * time.Second

// procNode is one `parley serve` child process of a real-process cluster test. Its ports and data
// directory stay the same across restarts, as an operator's would.
type procNode struct {
	name string // cluster.node
	cfg  string // the configuration file
	irc  string // the IRC listener's address
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	log  *lockedBuffer
}

// procCluster is a network of real parley processes on 127.0.0.1.
type procCluster struct {
	t     *testing.T
	bin   string
	nodes []*procNode
}

// lockedBuffer keeps a process's log for the failure report; the process writes it from the
// exec package's copying goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// tail returns the last n bytes written.
func (l *lockedBuffer) tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	if len(s) > n {
		s = s[len(s)-n:]
	}
	return s
}

// startProcCluster builds the parley binary, writes one configuration per node (free ports,
// routes to every peer, node_timeout procNodeTimeout) and starts the n processes at once: the
// embedded NATS cluster needs a quorum before any of them is ready. It returns once every node
// registers clients. Every process is killed when the test ends; under -short the test is skipped.
func startProcCluster(t *testing.T, n int) *procCluster {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs real parley processes")
	}
	dir := t.TempDir()
	pc := &procCluster{t: t, bin: filepath.Join(dir, "parley")}
	if bin := os.Getenv("PARLEY_TEST_BIN"); bin != "" {
		pc.bin = bin // a binary built elsewhere, for bisecting a failure
	} else {
		build := exec.Command("go", "build", "-o", pc.bin, "github.com/parleychat/parley/cmd/parley")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	}
	routes := make([]string, n)
	for i := range routes {
		routes[i] = procFreeAddr(t)
	}
	name := testkit.ClusterName()
	for i := range n {
		var peers []string
		for j, r := range routes {
			if j != i {
				peers = append(peers, fmt.Sprintf("%q", r))
			}
		}
		p := &procNode{name: fmt.Sprintf("node-%d", i+1), irc: procFreeAddr(t),
			cfg: filepath.Join(dir, fmt.Sprintf("node-%d.yaml", i+1))}
		yaml := fmt.Sprintf(`server:
  name: n%d.irc.test
  network: TestNet
listen:
  irc: [%q]
  http: ""
data_dir: %q
limits:
  flood:
    enabled: false
cluster:
  node: %s
  name: %s
  listen: %q
  routes: [%s]
  node_timeout: %s
`, i+1, p.irc, filepath.Join(dir, p.name), p.name, name, routes[i], strings.Join(peers, ", "), procNodeTimeout)
		if err := os.WriteFile(p.cfg, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		pc.nodes = append(pc.nodes, p)
	}
	t.Cleanup(func() {
		for _, p := range pc.nodes {
			if p.cmd != nil {
				p.cmd.Process.Kill()
				<-p.done
			}
			if t.Failed() {
				t.Logf("%s log (tail):\n%s", p.name, p.log.tail(20000))
			}
		}
	})
	for i := range pc.nodes {
		pc.start(i)
	}
	for i := range pc.nodes {
		pc.waitReady(i)
	}
	return pc
}

// procFreeAddr returns a loopback address for a process to bind (see freeport).
func procFreeAddr(t *testing.T) string { return freeport.Addr(t) }

// start runs node i's process on its configuration and data directory.
func (pc *procCluster) start(i int) {
	pc.t.Helper()
	p := pc.nodes[i]
	if p.log == nil {
		p.log = &lockedBuffer{}
	}
	fmt.Fprintf(p.log, "--- start %s\n", time.Now().Format(time.TimeOnly))
	p.cmd = exec.Command(pc.bin, "serve", "--config", p.cfg)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		pc.t.Fatalf("start %s: %v", p.name, err)
	}
	done := make(chan struct{})
	p.done = done
	go func(cmd *exec.Cmd) {
		cmd.Wait()
		close(done)
	}(p.cmd)
}

// signal sends sig to node i's process.
func (pc *procCluster) signal(i int, sig syscall.Signal) {
	pc.t.Helper()
	if err := pc.nodes[i].cmd.Process.Signal(sig); err != nil {
		pc.t.Fatalf("%s: signal %v: %v", pc.nodes[i].name, sig, err)
	}
}

// kill sends SIGKILL to node i and waits for the process to be gone.
func (pc *procCluster) kill(i int) {
	pc.t.Helper()
	pc.signal(i, syscall.SIGKILL)
	<-pc.nodes[i].done
	pc.nodes[i].cmd = nil
}

// stop sends SIGTERM to node i (a graceful shutdown) and waits up to 30 seconds for it to exit.
func (pc *procCluster) stop(i int) {
	pc.t.Helper()
	p := pc.nodes[i]
	pc.signal(i, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		pc.t.Fatalf("%s did not exit within 30s of SIGTERM", p.name)
	}
	p.cmd = nil
}

// waitReady waits until node i registers a client, which needs its listener, its NATS and the
// directory.
func (pc *procCluster) waitReady(i int) {
	pc.t.Helper()
	probe := fmt.Sprintf("probe%d", i+1)
	testkit.CheckFor(pc.t, 45*time.Second, 200*time.Millisecond, func() error {
		return tryRegister(pc.nodes[i].irc, probe, true)
	})
}

// connect registers nick on node i.
func (pc *procCluster) connect(i int, nick string) *testkit.Client {
	pc.t.Helper()
	return connect(pc.t, pc.nodes[i].irc, nick)
}

// tryRegister registers nick on addr and reports why it could not; with quit, the client leaves
// again at once.
func tryRegister(addr, nick string, quit bool) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	fmt.Fprintf(conn, "NICK %s\r\nUSER %s 0 * :probe\r\n", nick, nick)
	m, err := readLine(conn, 5*time.Second, "001", "433", "FAIL", "ERROR")
	if err != nil {
		return err
	}
	if m.Command != "001" {
		return fmt.Errorf("registration of %s refused: %s", nick, m.String())
	}
	if quit {
		fmt.Fprintf(conn, "QUIT\r\n")
	}
	return nil
}

// readLine reads raw lines from conn until one has one of the commands, within wait.
func readLine(conn net.Conn, wait time.Duration, commands ...string) (ircmsg.Message, error) {
	conn.SetReadDeadline(time.Now().Add(wait))
	buf := make([]byte, 0, 4096)
	one := make([]byte, 1)
	for {
		if _, err := conn.Read(one); err != nil {
			return ircmsg.Message{}, err
		}
		if one[0] != '\n' {
			buf = append(buf, one[0])
			continue
		}
		m, err := ircmsg.Parse(bytes.TrimRight(buf, "\r"), ircmsg.Limits{MaxLine: 4096, MaxTags: 8191, MaxClientTags: 4094})
		buf = buf[:0]
		if err != nil {
			continue
		}
		for _, c := range commands {
			if m.Command == c {
				return m, nil
			}
		}
	}
}

// whoNicks returns the nicks of the WHO replies for mask.
func whoNicks(c *testkit.Client, mask string) []string {
	c.Send("WHO " + mask)
	var nicks []string
	c.ExpectFunc("315 "+mask, func(m ircmsg.Message) bool {
		if m.Command == "352" {
			nicks = append(nicks, m.Param(5))
		}
		return m.Command == "315"
	})
	return nicks
}

// namesOf returns the member list of channel as NAMES gives it, prefixes included.
func namesOf(c *testkit.Client, channel string) string {
	c.Send("NAMES " + channel)
	var names []string
	c.ExpectFunc("366 "+channel, func(m ircmsg.Message) bool {
		if m.Command == "353" {
			names = append(names, m.Param(len(m.Params)-1))
		}
		return m.Command == "366"
	})
	return strings.Join(names, " ")
}
