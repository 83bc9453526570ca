package config

import (
	"reflect"
	"testing"
	"time"
)

func TestCloneIsDeep(t *testing.T) {
	orig, err := Load("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	snapshot, _ := Load("testdata/full.yaml")
	c := orig.Clone()
	if !reflect.DeepEqual(c, orig) {
		t.Fatal("clone differs from the original")
	}
	// Change every slice element and scalar in the clone; the original must
	// not move.
	c.Listen.IRC[0] = ":1"
	c.Listen.TLS[0] = ":2"
	c.Listen.ProxyTrusted[0] = "1.0.0.0/8"
	c.Limits.Exempt[0] = "2.0.0.0/8"
	c.Opers[0].Hosts[0] = "x@y"
	c.Opers[1].Name = "mallory"
	c.API.Tokens[0].Scopes[0] = "admin"
	c.WebSocket.Origins[0] = "*"
	c.HTTP.TrustedProxies[0] = "3.0.0.0/8"
	c.Cluster.Routes[0] = "x:1"
	c.Limits.SendQ = 5 * MiB
	if !reflect.DeepEqual(orig, snapshot) {
		t.Fatalf("changing the clone changed the original: %v", Diff(snapshot, orig))
	}
	var nilConfig *Config
	if nilConfig.Clone() != nil {
		t.Fatal("Clone of nil is not nil")
	}
}

func TestDiff(t *testing.T) {
	base, err := Load("testdata/full.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if d := Diff(base, base.Clone()); len(d) != 0 {
		t.Fatalf("Diff of equal configs = %v", d)
	}
	cases := []struct {
		change func(c *Config)
		want   []string
	}{
		{func(c *Config) { c.Server.MOTD = "new" }, []string{"server.motd"}},
		{func(c *Config) { c.Server.MOTDFromFile = "new file text" }, []string{"server.motd_file"}},
		{func(c *Config) { c.Server.Admin.Email = "x@y.z" }, []string{"server.admin.email"}},
		{func(c *Config) { c.Listen.IRC = append(c.Listen.IRC, ":7000") }, []string{"listen.irc"}},
		{func(c *Config) { c.Limits.Flood.Rate = 9 }, []string{"limits.flood.rate"}},
		{func(c *Config) { c.Limits.PingTimeout = Duration(time.Minute) }, []string{"limits.ping_timeout"}},
		{func(c *Config) { c.Limits.PerCIDR.Max = 1 }, []string{"limits.per_cidr.max"}},
		{func(c *Config) { c.Opers[1].Class = "admin" }, []string{"opers"}},
		{func(c *Config) { c.API.Tokens = nil }, []string{"api.tokens"}},
		{func(c *Config) { c.DataDir = "/srv"; c.Cluster.Node = "n2"; c.Log.Level = "warn" },
			[]string{"data_dir", "log.level", "cluster.node"}},
		{func(c *Config) { c.DevTLS = true }, []string{"dev_tls"}},
	}
	for _, tc := range cases {
		c := base.Clone()
		tc.change(c)
		if got := Diff(base, c); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Diff = %v, want %v", got, tc.want)
		}
	}
}

func TestDiffTreatsEmptyAndNilListsAlike(t *testing.T) {
	a, b := Defaults(), Defaults()
	a.Listen.TLS = nil
	b.Listen.TLS = []string{}
	a.Opers = []Oper{{Name: "o", Hosts: nil}}
	b.Opers = []Oper{{Name: "o", Hosts: []string{}}}
	if d := Diff(a, b); len(d) != 0 {
		t.Fatalf("Diff = %v, want none", d)
	}
}
