package node_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/testkit"
)

func httpGet(t *testing.T, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body), resp.Header
}

func TestHTTPDoor(t *testing.T) {
	t.Parallel()
	cfg := testkit.Config(t)
	cfg.HTTP.Pprof = true
	n := testkit.StartNode(t, cfg)
	base := "http://" + n.HTTPAddr().String()

	tests := []struct {
		path, contains, contentType string
		status                      int
	}{
		{"/healthz", "ok", "text/plain", 200},
		{"/readyz", "ready", "text/plain", 200},
		{"/metrics", "parley_connections", "text/plain", 200},
		{"/", "<html", "text/html", 200},
		{"/style.css", "", "text/css", 200},
		{"/debug/pprof/", "goroutine", "text/html", 200},
		{"/no-such-file", "", "", 404},
	}
	for _, tc := range tests {
		status, body, h := httpGet(t, base+tc.path)
		if status != tc.status {
			t.Errorf("GET %s: status %d, want %d", tc.path, status, tc.status)
			continue
		}
		if tc.contentType != "" && !strings.HasPrefix(h.Get("Content-Type"), tc.contentType) {
			t.Errorf("GET %s: Content-Type %q, want %s", tc.path, h.Get("Content-Type"), tc.contentType)
		}
		if !strings.Contains(body, tc.contains) {
			t.Errorf("GET %s: body does not contain %q", tc.path, tc.contains)
		}
	}
}

func TestPprofOffByDefault(t *testing.T) {
	t.Parallel()
	n := testkit.StartNode(t, nil)
	if status, _, _ := httpGet(t, "http://"+n.HTTPAddr().String()+"/debug/pprof/"); status != 404 {
		t.Fatalf("pprof served without http.pprof: status %d", status)
	}
}

func TestMetricsCountTraffic(t *testing.T) {
	t.Parallel()
	n := testkit.StartNode(t, nil)
	addr := testkit.IRCAddr(n)
	alice := connect(t, addr, "alice")
	bob := connect(t, addr, "bob")
	carol := connect(t, addr, "carol")
	for _, c := range []*testkit.Client{alice, bob, carol} {
		c.Join("#m")
	}
	for i := 0; i < 10; i++ {
		alice.Send("PRIVMSG #m :hello")
	}
	alice.Roundtrip()
	bob.Roundtrip()
	carol.Roundtrip()
	_, body, _ := httpGet(t, "http://"+n.HTTPAddr().String()+"/metrics")
	for _, want := range []string{
		"parley_messages_delivered_total 20", // 10 messages to 2 other members
		"parley_fanout_size_count 10",
		"parley_clients 3",
		"parley_channels 1",
		`parley_connections{transport="tcp"} 3`,
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("metrics lack %q", want)
		}
	}
}
