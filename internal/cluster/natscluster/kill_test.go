package natscluster

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/parleychat/parley/internal/cluster"
	"github.com/parleychat/parley/internal/cluster/clustertest"
	"github.com/parleychat/parley/internal/cluster/embedded"
)

// The child process of TestKill9 runs TestKillChild with these variables set.
const (
	envChild   = "PARLEY_CLUSTER_CHILD"
	envRoutes  = "PARLEY_CLUSTER_ROUTES"
	envListen  = "PARLEY_CLUSTER_LISTEN"
	envDataDir = "PARLEY_CLUSTER_DATA"
)

// TestKillChild is the node that TestKill9 kills: an embedded server joined to the parent's two,
// a cluster with a user, a nick and a membership, and then nothing but waiting to die.
func TestKillChild(t *testing.T) {
	if os.Getenv(envChild) == "" {
		t.Skip("runs only as the child process of TestKill9")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	srv, err := embedded.Start(ctx, embedded.Options{
		DataDir: os.Getenv(envDataDir), ServerName: "node2", Listen: os.Getenv(envListen),
		Routes: strings.Split(os.Getenv(envRoutes), ","), Logger: quiet,
	})
	if err == nil {
		err = srv.Ready(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	nc, err := srv.Connect("node2", nats.NoEcho())
	if err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(nc)
	cl, err := Open(ctx, nc, js, Options{Node: "node2", Replicas: 3, Liveness: clustertest.Fast()})
	if err == nil {
		err = cl.Liveness().Start(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	self := cl.Liveness().Self()
	o := cluster.Owner{Client: "child-1", Node: self.Node, Incarnation: self.Incarnation}
	d := cl.Directory()
	if err := d.ClaimNick(ctx, "child", o); err != nil {
		t.Fatal(err)
	}
	if err := d.PutUser(ctx, cluster.UserRecord{ID: o.Client, Node: o.Node, Incarnation: o.Incarnation, Nick: "child"}); err != nil {
		t.Fatal(err)
	}
	if err := d.AddMember(ctx, &cluster.MemberRecord{Channel: "#seed", Client: o.Client, Node: o.Node, Incarnation: o.Incarnation}); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("READY %d\n", self.Incarnation)
	time.Sleep(time.Minute) // until killed; the parent's timeout bounds a parent that forgets
}

// TestKill9 kills (SIGKILL) a child process holding one node of three and checks that the other
// two declare it lost within the node timeout plus two seconds, that exactly one cleans up, and
// that its records go.
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("a JetStream cluster takes seconds to form; skipped with -short")
	}
	if os.Getenv(envChild) != "" {
		t.Skip("in the child")
	}
	routes, clients := freeAddrs(t, 3), freeAddrs(t, 2)
	// The defaults (heartbeat 1s, node_timeout 10s): a SIGKILL may take down the leader of the
	// node bucket's stream, and JetStream elects the next one within 4 to 9 seconds, so a timeout
	// shorter than that cannot promise a declaration within timeout + 2s.
	h := &netHarness{t: t, live: cluster.LivenessOptions{}.WithDefaults()}
	for i := range 2 {
		h.nodes = append(h.nodes, &testNode{opt: embedded.Options{
			DataDir: t.TempDir(), ServerName: fmt.Sprintf("node%d", i), ClientListen: clients[i],
			Listen: routes[i], Routes: routes, Logger: quiet,
		}})
	}
	t.Cleanup(h.stop)
	// Two of three servers elect no meta leader before the third appears: start them, the
	// child, then wait for the cluster.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, nd := range h.nodes {
		srv, err := embedded.Start(ctx, nd.opt)
		if err != nil {
			t.Fatal(err)
		}
		nd.srv = srv
	}

	child := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.v")
	child.Env = append(os.Environ(), envChild+"=1", envRoutes+"="+strings.Join(routes, ","),
		envListen+"="+routes[2], envDataDir+"="+t.TempDir())
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { child.Process.Kill(); child.Wait() })
	inc := waitReady(t, out)
	for _, nd := range h.nodes {
		if err := nd.srv.Ready(ctx); err != nil {
			t.Fatal(err)
		}
	}

	h.replicas3 = true
	for i := range 2 {
		h.open(i)
	}
	rep := clustertest.Watch(t, h.Dir(0))
	doomed := cluster.Owner{Client: "child-1", Node: "node2", Incarnation: inc}
	clustertest.Eventually(t, 10*time.Second, "the child's records replicate", func() bool {
		_, ok := rep.Users()["child-1"]
		return ok && rep.Nicks()["child"] == doomed
	})
	var logs [2]clustertest.LostLog
	logs[0].Record(h.Live(0))
	logs[1].Record(h.Live(1))

	killed := time.Now()
	if err := child.Process.Kill(); err != nil { // SIGKILL: no goodbye of any kind
		t.Fatal(err)
	}
	timeout := h.live.Timeout
	clustertest.Eventually(t, timeout+2*time.Second, "both survivors declare the killed node lost", func() bool {
		return len(logs[0].Events()) > 0 && len(logs[1].Events()) > 0
	})
	t.Logf("declared lost %v after kill -9 (timeout %v)", time.Since(killed).Round(time.Millisecond), timeout)
	winners := 0
	for i := range logs {
		for _, ev := range logs[i].Events() {
			if ev.Node.Node != "node2" || ev.Node.Incarnation != inc {
				t.Fatalf("node %d reports %+v", i, ev)
			}
			if ev.Won {
				winners++
			}
		}
	}
	if winners != 1 {
		t.Fatalf("%d cleanup winners, want 1", winners)
	}
	clustertest.Eventually(t, 10*time.Second, "the killed node's records are deleted", func() bool {
		_, user := rep.Users()["child-1"]
		_, member := rep.Members()["#seed child-1"]
		_, nick := rep.Nicks()["child"]
		return !user && !member && !nick
	})
	t.Logf("records deleted %v after kill -9", time.Since(killed).Round(time.Millisecond))
}

// waitReady reads the child's output until its READY line and returns its incarnation.
func waitReady(t *testing.T, out interface{ Read([]byte) (int, error) }) uint64 {
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("the child exited before it was ready")
			}
			var inc uint64
			if _, err := fmt.Sscanf(l, "READY %d", &inc); err == nil {
				go func() {
					for range lines { // keep draining so the child never blocks on stdout
					}
				}()
				return inc
			}
		case <-deadline:
			t.Fatal("the child did not get ready in 30s")
		}
	}
}
