package bench

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

func TestLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:6667", "127.3.4.5:1", "[::1]:6667", "localhost:6667"} {
		if err := checkLoopback(addr); err != nil {
			t.Errorf("checkLoopback(%q) = %v, want accepted", addr, err)
		}
	}
	for _, addr := range []string{"10.0.0.1:6667", "192.168.1.1:6667", "0.0.0.0:6667", "[::]:6667",
		"[::2]:6667", "irc.example.net:6667", "8.8.8.8:6697", "127.0.0.1", ":6667"} {
		if err := checkLoopback(addr); err == nil {
			t.Errorf("checkLoopback(%q) accepted", addr)
		}
	}
}

func TestMainRefusesNonLoopback(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), []string{"fanout", "--addr", "10.1.2.3:6667"}, &stdout, &stderr)
	if code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	if !strings.Contains(stderr.String(), "only connects to loopback") {
		t.Errorf("stderr %q lacks a clear refusal", stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout %q, want nothing", stdout.String())
	}
}

func TestParseArgsDefaults(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		clients int
		check   func(*Config) bool
	}{
		{[]string{"fanout"}, 500, func(c *Config) bool { return c.Senders == 5 && c.Size == 140 && c.Rate == 0 }},
		{[]string{"rooms"}, 10000, func(c *Config) bool { return c.Rooms == 1000 && c.Members == 10 }},
		{[]string{"idle", "--clients", "200"}, 200, func(c *Config) bool { return c.Rooms == 20 && c.Channels == 3 }},
		{[]string{"latency"}, 2, func(c *Config) bool { return c.Window == 1 && c.Senders == 1 }},
		{[]string{"--duration", "3s", "fanout"}, 500, func(c *Config) bool { return c.Duration == 3*time.Second }},
	} {
		c, err := parseArgs(tc.args, &bytes.Buffer{})
		if err != nil {
			t.Errorf("%v: %v", tc.args, err)
			continue
		}
		if c.totalClients() != tc.clients || !tc.check(c) {
			t.Errorf("%v: clients %d, config %+v", tc.args, c.totalClients(), c)
		}
	}
}

func TestParseArgsBounds(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "missing scenario"},
		{[]string{"storm"}, "unknown scenario"},
		{[]string{"fanout", "extra"}, "unexpected argument"},
		{[]string{"fanout", "--duration", "11m"}, "--duration"},
		{[]string{"fanout", "--duration", "0s"}, "--duration"},
		{[]string{"fanout", "--members", "1"}, "--members"},
		{[]string{"fanout", "--senders", "600"}, "--senders"},
		{[]string{"fanout", "--members", "19001", "--senders", "1"}, "at most 19000"},
		{[]string{"rooms", "--rooms", "2000"}, "at most 19000"},
		{[]string{"idle", "--clients", "20000"}, "at most 19000"},
		{[]string{"idle", "--channels", "5", "--rooms", "2"}, "--rooms"},
		{[]string{"fanout", "--size", "1000"}, "--size"},
		{[]string{"fanout", "--connect-rate", "0"}, "--connect-rate"},
		{[]string{"fanout", "--nick-prefix", "9x"}, "--nick-prefix"},
		{[]string{"fanout", "--channel-prefix", "bench"}, "--channel-prefix"},
		{[]string{"fanout", "--password", "a b"}, "--password"},
		{[]string{"rooms", "--per-member-rate", "0"}, "--per-member-rate"},
	} {
		_, err := parseArgs(tc.args, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseArgs(%v) = %v, want an error mentioning %q", tc.args, err, tc.want)
		}
	}
}

func TestParseVmRSS(t *testing.T) {
	status := "Name:\tparley\nVmPeak:\t  99999 kB\nVmRSS:\t   12345 kB\nThreads:\t4\n"
	kb, err := parseVmRSS(strings.NewReader(status))
	if err != nil || kb != 12345 {
		t.Errorf("parseVmRSS = %d, %v; want 12345", kb, err)
	}
	if _, err := parseVmRSS(strings.NewReader("Name:\tkthreadd\n")); err == nil {
		t.Error("missing VmRSS accepted")
	}
}

// --addr takes the nodes of one network: every address must be loopback, and clients go to them
// in turn.
func TestAddrList(t *testing.T) {
	var stderr bytes.Buffer
	cfg, err := parseArgs([]string{"latency", "--addr", "127.0.0.1:6667, 127.0.0.1:6668,localhost:6669"}, &stderr)
	if err != nil {
		t.Fatalf("parse: %v (%s)", err, stderr.String())
	}
	want := []string{"127.0.0.1:6667", "127.0.0.1:6668", "127.0.0.1:6669", "127.0.0.1:6667"}
	for id, w := range want {
		if got := cfg.dialAddr(id); got != w {
			t.Errorf("client %d dials %s, want %s", id, got, w)
		}
	}
	for _, bad := range []string{"127.0.0.1:6667,10.0.0.2:6667", "127.0.0.1:6667,", ",127.0.0.1:6667"} {
		if _, err := parseArgs([]string{"latency", "--addr", bad}, &stderr); err == nil {
			t.Errorf("--addr %q accepted", bad)
		}
	}
}
