package node_test

import (
	"net"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/testkit"
)

// startNATSServer builds nats-server from the module parley depends on and runs it with
// JetStream on a free port of 127.0.0.1; it stops when the test ends.
func startNATSServer(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "nats-server")
	build := exec.Command("go", "build", "-o", bin, "github.com/nats-io/nats-server/v2")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building nats-server: %v\n%s", err, out)
	}
	addr := procFreeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(bin, "-a", "127.0.0.1", "-p", port, "-js", "-sd", filepath.Join(dir, "js"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	testkit.CheckFor(t, 10*time.Second, 20*time.Millisecond, func() error {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err
	})
	return "nats://" + addr
}

// cluster.nats_url: two parley nodes on one external nats-server process (built from the module
// parley depends on) form one network, with no embedded server in either.
func TestClusterExternalNATS(t *testing.T) {
	if testing.Short() {
		t.Skip("multi-node test with a nats-server process")
	}
	url := startNATSServer(t)
	cfgs := testkit.ClusterConfigs(t, 2)
	for _, c := range cfgs {
		c.Cluster.Listen, c.Cluster.Routes, c.Cluster.NATSURL = "", nil, url
	}
	nodes := testkit.StartClusterConfigs(t, cfgs)

	ann := connectTo(t, nodes[0], "ann")
	bob := connectTo(t, nodes[1], "bob")
	waitUser(t, nodes, "bob", true)
	ann.Join("#ext")
	bob.Join("#ext")
	expectFrom(t, ann, "bob", "JOIN")
	bob.Send("PRIVMSG #ext :through the external server")
	if m := expectFrom(t, ann, "bob", "PRIVMSG"); m.Param(1) != "through the external server" {
		t.Fatalf("ann got %s", m.String())
	}
	// One set of nicks: bob's nick is taken on the other node too.
	c := testkit.Dial(t, testkit.IRCAddr(nodes[0]))
	c.Send("NICK bob")
	c.Send("USER x 0 * :x")
	if m := c.Expect("433"); m.Param(1) != "bob" {
		t.Fatalf("NICK bob on node 1: %s", m.String())
	}
	ann.Send("QUIT :bye")
	waitUser(t, nodes, "ann", false)
}
