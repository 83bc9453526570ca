package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/passhash"
)

// problems flattens the error tree returned by Load, Parse and Validate.
func problems(err error) []*Error {
	var out []*Error
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		var ce *Error
		if errors.As(err, &ce) {
			out = append(out, ce)
		} else if err != nil {
			out = append(out, &Error{Msg: "not a *config.Error: " + err.Error()})
		}
	}
	walk(err)
	return out
}

// messages returns the text of each problem in err.
func messages(err error) []string {
	var out []string
	for _, p := range problems(err) {
		out = append(out, p.Error())
	}
	return out
}

func TestLoadFull(t *testing.T) {
	c, err := Load("testdata/full.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Defaults()
	want.Server = Server{
		Name:        "irc.example.net",
		Network:     "ExampleNet",
		Password:    c.Server.Password,
		MOTD:        "Welcome to ExampleNet.\nBe kind; see https://example.net/rules\n",
		Casemapping: "ascii",
		Info:        "ExampleNet's friendly server",
		Admin:       Admin{Location1: "Example City", Location2: "Example Hosting Ltd", Email: "admin@example.net"},
	}
	want.Listen = Listen{
		IRC: []string{":6667", "127.0.0.1:6668"}, TLS: []string{":6697"}, HTTP: "127.0.0.1:8081",
		ProxyProtocol: true, ProxyTrusted: []string{"10.0.0.0/8", "2001:db8::/32"},
	}
	want.TLS = TLS{Cert: "/etc/parley/tls/fullchain.pem", Key: "/etc/parley/tls/privkey.pem", STSDuration: Duration(720 * time.Hour)}
	want.DataDir = "/var/lib/parley"
	want.Limits = Limits{
		Flood: Flood{Enabled: true, Burst: 10, Rate: 2.5, Messages: FloodClass{Burst: 10, Rate: 1},
			Joins: FloodClass{Burst: 10, Rate: 0.5}, Nicks: FloodClass{Burst: 3, Rate: 0.1}}, SendQ: 2 * MiB,
		PingInterval: Duration(2 * time.Minute), PingTimeout: Duration(45 * time.Second),
		RegistrationTimeout: Duration(20 * time.Second), MaxClients: 50000,
		NickLen: 32, ChannelLen: 50, TopicLen: 300, KickLen: 300, AwayLen: 200, RealnameLen: 100,
		MaxChannels: 50, MaxTargets: 5, MaxListEntries: 200, WhowasEntries: 5000, PerIP: 16,
		PerCIDR:         CIDRLimit{IPv4Prefix: 24, IPv6Prefix: 56, Max: 128},
		ConnectThrottle: Throttle{Burst: 20, Refill: 20, Per: Duration(2 * time.Second)},
		Exempt:          []string{"127.0.0.0/8", "::1/128"},
	}
	want.Opers = []Oper{
		{Name: "alice", Password: c.Opers[0].Password, Class: "admin", Hosts: []string{"*@203.0.113.*", "alice@*.example.net"}},
		{Name: "bob", Password: c.Opers[1].Password, Class: "helper"},
	}
	want.OperClasses = []OperClass{{Name: "helper", Privileges: []string{"kill", "flood_exempt"}}}
	want.Filters = []Filter{{Name: "invite-spam", Pattern: `(?i)join\s+#\S+\s+for\s+free`, Action: "block",
		Targets: []string{"channels", "private"}, Reason: "Spam is not welcome here"}}
	want.Log = Log{Level: "debug", Format: "json"}
	want.API.Tokens = []APIToken{
		{Name: "chatbot", Token: "b0t-T0ken-0123456789abcdef", Scopes: []string{"read", "post"}},
		{Name: "dashboard", Token: "adm1n-T0ken-0123456789abcdef", Scopes: []string{"read", "admin"}},
	}
	want.Webhooks = []Webhook{{URL: "https://bots.example.net/parley", Secret: "whsec-0123456789abcdef",
		Events: []string{"privmsg", "join", "part"}, Channels: []string{"#general", "#ops"}}}
	want.WebSocket.Origins = []string{"https://chat.example.net", "https://*.example.org"}
	want.HTTP.TrustedProxies = []string{"192.0.2.0/24"}
	want.HTTP.Pprof = true
	want.Accounts = Accounts{Registration: true, RegistrationBeforeConnect: true, NickReservation: true,
		NickReservationGrace: Duration(time.Minute)}
	want.History = History{Enabled: true, MaxAge: Duration(30 * 24 * time.Hour), MaxPerTarget: 100000, ReplayOnJoin: 20}
	want.Cluster = Cluster{Node: "node-a", Name: "chat-prod", Listen: "10.0.0.1:6222",
		Routes: []string{"nats-route://10.0.0.2:6222", "10.0.0.3:6222"}, NodeTimeout: Duration(15 * time.Second)}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("full.yaml loaded as\n%+v\nwant\n%+v", c, want)
	}
	if d := Diff(c, want); len(d) != 0 {
		t.Errorf("Diff from the expected config: %v", d)
	}
	// The example hashes are real, so the example file can be tried out.
	for hash, pw := range map[string]string{c.Server.Password: "server-pass",
		c.Opers[0].Password: "alice-oper-pass", c.Opers[1].Password: "bob-oper-pass"} {
		if !passhash.Verify(hash, []byte(pw)) {
			t.Errorf("hash %.20s… does not match %q", hash, pw)
		}
	}
	// full.yaml is meant to exercise every key: each must differ from its
	// default, except those whose default is the only sensible example.
	same := map[string]bool{"server.motd_file": true, "limits.flood.enabled": true,
		"limits.per_cidr.ipv4_prefix": true, "accounts.registration": true,
		"accounts.registration_email_required": true, "history.enabled": true,
		"cluster.nats_url": true, "dev_tls": true}
	changed := map[string]bool{}
	for _, k := range Diff(Defaults(), c) {
		changed[k] = true
	}
	for _, k := range allKeys() {
		if !changed[k] && !same[k] {
			t.Errorf("full.yaml leaves %s at its default", k)
		}
	}
}

// allKeys lists every leaf key, by diffing against a config in which every
// value differs.
func allKeys() []string {
	var keys []string
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		if v.Kind() != reflect.Struct {
			keys = append(keys, path)
			return
		}
		for i := 0; i < v.NumField(); i++ {
			name := keyName(v.Type().Field(i))
			if name == "" {
				continue
			}
			if path != "" {
				name = path + "." + name
			}
			walk(name, v.Field(i))
		}
	}
	walk("", reflect.ValueOf(Config{}))
	return keys
}

func TestLoadEmptyIsDefaults(t *testing.T) {
	for _, in := range []string{"", "\n# only a comment\n", "---\n", "~\n", "server:\n"} {
		c, err := Parse([]byte(in), "parley.yaml")
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if d := Diff(Defaults(), c); len(d) != 0 {
			t.Errorf("Parse(%q) differs from Defaults in %v", in, d)
		}
	}
}

func TestDefaultsAreValid(t *testing.T) {
	c := Defaults()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Cluster.Node != c.Server.Name {
		t.Errorf("cluster.node %q, want server.name %q", c.Cluster.Node, c.Server.Name)
	}
}

func TestDerivedDefaults(t *testing.T) {
	c, err := Parse([]byte("server: {name: irc.example.org}\nopers: [{name: o, password: '"+testHash+"'}]\n"), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Cluster.Node != "irc.example.org" {
		t.Errorf("cluster.node = %q, want it to follow server.name", c.Cluster.Node)
	}
	if c.Opers[0].Class != "admin" {
		t.Errorf("oper class = %q, want admin", c.Opers[0].Class)
	}
}

func TestLoadErrorsNameTheKey(t *testing.T) {
	cases := []struct {
		name, in string
		want     []string
	}{
		{"unknown top-level key", "server:\n  name: a.b\n\n\n\n\nlimts:\n  sendq: 1MiB\n",
			[]string{`config: parley.yaml line 7: unknown key "limts"`}},
		{"unknown nested key", "limits:\n  sendqq: 1MiB\n",
			[]string{`config: parley.yaml line 2: unknown key "limits.sendqq"`}},
		{"unknown key in a list element", "opers:\n  - name: x\n    pasword: y\n",
			[]string{
				`config: parley.yaml line 3: unknown key "opers[0].pasword"`,
				"config: opers[0].password: must be set (make a hash with `parley mkpasswd`)",
			}},
		{"bad size", "limits:\n  sendq: 12 parsecs\n",
			[]string{`config: limits.sendq: "12 parsecs" is not a size (use bytes, or units like 64KiB)`}},
		{"bare integer duration", "limits:\n  ping_interval: 90\n",
			[]string{`config: limits.ping_interval: 90 has no unit (write 90s)`}},
		{"flow mapping picks the right key", "limits: {ping_timeout: 1s, ping_interval: 5}\n",
			[]string{`config: limits.ping_interval: 5 has no unit (write 5s)`}},
		{"not a number", "limits:\n  nicklen: thirty\n",
			[]string{`config: limits.nicklen: "thirty" is not a whole number`}},
		{"long value shown in full", "limits:\n  nicklen: thirty-two-characters\n",
			[]string{`config: limits.nicklen: "thirty-two-characters" is not a whole number`}},
		{"not a bool", "listen:\n  proxy_protocol: maybe\n",
			[]string{`config: listen.proxy_protocol: "maybe" is not true or false`}},
		{"list where a value goes", "server:\n  name: [a, b]\n",
			[]string{`config: server.name: expected a single value, found a list`}},
		{"value where a list goes", "listen:\n  irc: \":6667\"\n",
			[]string{`config: listen.irc: ":6667" is not a list`}},
		{"value where a mapping goes", "limits: 5\n",
			[]string{`config: limits: "5" is not a mapping of keys`}},
		{"file is not a mapping", "just text\n",
			[]string{`config: parley.yaml line 1: the value here is not a mapping of keys such as server: and listen:`}},
		{"repeated key", "server:\n  name: a.b\n  name: c.d\n",
			[]string{`config: parley.yaml line 3: key "server.name" is set twice (first at line 2)`}},
		// yaml.v3 reports the line where the enclosing mapping went wrong.
		{"syntax error", "server:\n  name: a.b\n bad\n",
			[]string{`config: parley.yaml line 2: did not find expected key`}},
		{"tab indentation", "server:\n\tname: a.b\n",
			[]string{`config: parley.yaml line 2: found character that cannot start any token`}},
		{"two documents", "server: {name: a.b}\n---\nserver: {name: c.d}\n",
			[]string{`config: parley.yaml line 2: a second YAML document starts here; the file must hold one`}},
		{"all problems at once", "limits:\n  sendq: 1\n  nicklen: x\n  bogus: 1\nlog: {level: loud}\n",
			[]string{
				`config: limits.nicklen: "x" is not a whole number`,
				`config: parley.yaml line 4: unknown key "limits.bogus"`,
				`config: limits.sendq: 1 is out of range (4KiB to 1GiB)`,
				`config: log.level: "loud" is not one of debug, info, warn, error`,
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.in), "parley.yaml")
			if err == nil {
				t.Fatalf("no error; loaded %+v", c)
			}
			if c != nil {
				t.Error("a Config was returned with the error")
			}
			if got := messages(err); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("errors:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if err == nil || !strings.Contains(err.Error(), "nope.yaml: cannot read the file: no such file") {
		t.Fatalf("got %v", err)
	}
}

func TestMOTDFile(t *testing.T) {
	c, err := Parse([]byte("server: {motd_file: testdata/motd.txt}\n"), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Server.MOTDText(); got != "Welcome from a file.\nSecond line.\n" {
		t.Errorf("MOTDText = %q", got)
	}
	c, err = Parse([]byte("server: {motd: hi}\n"), "p.yaml")
	if err != nil || c.Server.MOTDText() != "hi" {
		t.Fatalf("inline motd: %v, %q", err, c.Server.MOTDText())
	}

	dir := t.TempDir()
	big := filepath.Join(dir, "big.txt")
	if err := os.WriteFile(big, make([]byte, maxMOTDFile+1), 0o600); err != nil {
		t.Fatal(err)
	}
	binary := filepath.Join(dir, "bin.txt")
	if err := os.WriteFile(binary, []byte("a\x00b"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{
		"server: {motd_file: " + filepath.Join(dir, "missing.txt") + "}",
		"server: {motd_file: " + dir + "}",
		"server: {motd_file: " + big + "}",
		"server: {motd_file: " + binary + "}",
		"server: {motd_file: testdata/motd.txt, motd: hi}",
	} {
		_, err := Parse([]byte(in), "p.yaml")
		ps := problems(err)
		if len(ps) != 1 || ps[0].Key != "server.motd_file" {
			t.Errorf("%s: got %v, want one error on server.motd_file", in, err)
		}
	}
}
