package node_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/testkit"
	"github.com/parleychat/parley/internal/transport"
)

// TestSTSOffered checks the sts capability: plain-text clients learn the TLS port, TLS clients the
// policy duration, and a development certificate offers nothing.
func TestSTSOffered(t *testing.T) {
	t.Parallel()
	cert, key, err := transport.DevCertificate(t.TempDir(), []string{"localhost", "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := testkit.Config(t)
	cfg.Listen.TLS = []string{"127.0.0.1:0"}
	cfg.TLS.Cert, cfg.TLS.Key = cert, key
	cfg.TLS.STSDuration = config.Duration(48 * time.Hour)
	n := testkit.StartNode(t, cfg)
	tlsPort := strings.TrimPrefix(n.TLSAddrs()[0].String(), "127.0.0.1:")

	plain := testkit.Dial(t, testkit.IRCAddr(n))
	if v := capLS(t, plain, "302")["sts"]; v != "port="+tlsPort+",duration=172800" {
		t.Fatalf("plain connection: sts=%q", v)
	}
	secure := testkit.DialTLS(t, n.TLSAddrs()[0].String(), nil)
	if v := capLS(t, secure, "302")["sts"]; v != "duration="+strconv.Itoa(48*3600) {
		t.Fatalf("TLS connection: sts=%q", v)
	}

	dev := testkit.Config(t)
	dev.Listen.TLS = []string{"127.0.0.1:0"}
	dev.DevTLS = true
	d := testkit.StartNode(t, dev)
	c := testkit.Dial(t, testkit.IRCAddr(d))
	if v, ok := capLS(t, c, "302")["sts"]; ok {
		t.Fatalf("sts=%q offered with a development certificate", v)
	}
}
