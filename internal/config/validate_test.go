package config

import (
	"strings"
	"testing"
)

// testHash is an argon2id hash of "server-pass" (made with passhash.Hash).
const testHash = "$argon2id$v=19$m=19456,t=2,p=1$5ua2rWK2kFtelnHe0aDB/A$rkyBYG+IEwsbGOOhKLyeBpKzBqfcB2j9r8ehvHHv478"

// keyCase is one YAML snippet and the key its error must name ("" = valid).
type keyCase struct {
	in      string
	wantKey string
}

func runKeyCases(t *testing.T, cases []keyCase) {
	t.Helper()
	for _, tc := range cases {
		c, err := Parse([]byte(tc.in), "p.yaml")
		ps := problems(err)
		switch {
		case tc.wantKey == "" && err != nil:
			t.Errorf("%s\n  unexpected error: %v", tc.in, err)
		case tc.wantKey == "" && c == nil:
			t.Errorf("%s\n  no Config returned", tc.in)
		case tc.wantKey != "" && len(ps) != 1:
			t.Errorf("%s\n  got %d errors (%v), want one on %s", tc.in, len(ps), err, tc.wantKey)
		case tc.wantKey != "" && ps[0].Key != tc.wantKey:
			t.Errorf("%s\n  error %q names key %q, want %q", tc.in, ps[0].Error(), ps[0].Key, tc.wantKey)
		case tc.wantKey != "" && !strings.Contains(ps[0].Error(), tc.wantKey):
			t.Errorf("%s\n  message %q does not name %q", tc.in, ps[0].Error(), tc.wantKey)
		}
	}
}

func TestServerKeys(t *testing.T) {
	runKeyCases(t, []keyCase{
		{"server: {name: irc.example.net}", ""},
		{"server: {name: My.Little.Server}", ""},
		{"server: {name: a-b.c1}", ""},
		{"server: {name: localhost}", "server.name"},
		{"server: {name: ''}", "server.name"},
		{"server: {name: irc..example}", "server.name"},
		{"server: {name: -irc.example}", "server.name"},
		{"server: {name: irc_x.example}", "server.name"},
		{"server: {name: irc.example.net.}", "server.name"},
		{"server: {name: " + strings.Repeat("a", 60) + ".net}", "server.name"},
		{"server: {network: Example-Net}", ""},
		{"server: {network: Example Net}", "server.network"},
		{"server: {network: ''}", "server.network"},
		{"server: {password: ''}", ""},
		{"server: {password: '" + testHash + "'}", ""},
		{"server: {password: hunter2}", "server.password"},
		{"server: {motd: \"line 1\\nline 2\"}", ""},
		{"server: {motd: \"bell \\a\"}", "server.motd"},
		{"server: {casemapping: ascii}", ""},
		{"server: {casemapping: rfc1459}", ""},
		{"server: {casemapping: rfc1459-strict}", ""},
		{"server: {casemapping: rfc7613}", "server.casemapping"},
		{"server: {info: 'Friendly server'}", ""},
		{"server: {info: ''}", "server.info"},
		{"server: {info: \"two\\nlines\"}", "server.info"},
		{"server: {admin: {location1: Here, location2: There, email: a@b.c}}", ""},
		{"server: {admin: {location1: \"x\\ny\"}}", "server.admin.location1"},
		{"server: {admin: {location2: \"x\\ty\"}}", "server.admin.location2"},
		{"server: {admin: {email: \"x\\ry\"}}", "server.admin.email"},
		{"server: {admin: {mail: x}}", "server.admin.mail"},
	})
}

func TestListenKeys(t *testing.T) {
	runKeyCases(t, []keyCase{
		{"listen: {irc: [':6667', '127.0.0.1:6668', '[::1]:6669', 'irc.example.net:6670']}", ""},
		{"listen: {irc: []}", ""},
		{"listen: {irc: [':0', ':0']}", ""},
		{"listen: {irc: ['6667']}", "listen.irc[0]"},
		{"listen: {irc: [':6667', ':ircd']}", "listen.irc[1]"},
		{"listen: {irc: [':70000']}", "listen.irc[0]"},
		{"listen: {irc: ['bad host!:6667']}", "listen.irc[0]"},
		{"listen: {irc: [':6667', ':6667']}", "listen.irc[1]"},
		{"listen: {irc: [':6697'], tls: [':6697']}\ntls: {cert: c, key: k}", "listen.tls[0]"},
		{"listen: {tls: [':6697']}\ntls: {cert: c.pem, key: k.pem}", ""},
		{"listen: {tls: [':6697']}", "tls.cert"},
		{"listen: {tls: ['6697']}\ntls: {cert: c, key: k}", "listen.tls[0]"},
		{"listen: {http: ''}", ""},
		{"listen: {http: ':8080'}", ""},
		{"listen: {http: '8080'}", "listen.http"},
		{"listen: {http: ':6667'}", "listen.http"},
		{"listen: {proxy_protocol: true, proxy_trusted: ['10.0.0.0/8']}", ""},
		{"listen: {proxy_protocol: true}", "listen.proxy_trusted"},
		{"listen: {proxy_trusted: ['10.0.0.1/8']}", "listen.proxy_trusted[0]"},
		{"listen: {proxy_trusted: ['10.0.0.1']}", "listen.proxy_trusted[0]"},
		{"tls: {cert: c.pem}", "tls.key"},
		{"tls: {key: k.pem}", "tls.cert"},
		{"tls: {cert: c.pem, key: k.pem}", ""},
		{"tls: {chain: c.pem}", "tls.chain"},
		{"data_dir: /var/lib/parley", ""},
		{"data_dir: ''", "data_dir"},
	})
	// --dev-tls lifts the certificate requirement.
	c := Defaults()
	c.Listen.TLS = []string{":6697"}
	if err := c.Validate(); err == nil {
		t.Fatal("want an error without a certificate")
	}
	c.Listen.TLS = []string{":6697"}
	c.DevTLS = true
	if err := c.Validate(); err != nil {
		t.Fatalf("with DevTLS: %v", err)
	}
}

func TestLimitKeys(t *testing.T) {
	runKeyCases(t, []keyCase{
		{"limits: {flood: {enabled: false, burst: 0, rate: 0}}", ""},
		{"limits: {flood: {burst: 5, rate: 0.5}}", ""},
		{"limits: {flood: {burst: 0}}", "limits.flood.burst"},
		{"limits: {flood: {rate: 0}}", "limits.flood.rate"},
		{"limits: {flood: {rate: .nan}}", "limits.flood.rate"},
		{"limits: {flood: {rate: .inf}}", "limits.flood.rate"},
		{"limits: {flood: {enabled: false, rate: .nan}}", "limits.flood.rate"},
		{"limits: {flood: {enabled: false, rate: -1}}", "limits.flood.rate"},
		{"limits: {flood: {rate: fast}}", "limits.flood.rate"},
		{"limits: {sendq: 4KiB}", ""},
		{"limits: {sendq: 65536}", ""},
		{"limits: {sendq: 4095}", "limits.sendq"},
		{"limits: {sendq: 2GiB}", "limits.sendq"},
		{"limits: {ping_interval: 30s, ping_timeout: 10s, registration_timeout: 5s}", ""},
		{"limits: {ping_interval: 0s}", "limits.ping_interval"},
		{"limits: {ping_interval: 25h}", "limits.ping_interval"},
		{"limits: {ping_timeout: -1s}", "limits.ping_timeout"},
		{"limits: {ping_timeout: soon}", "limits.ping_timeout"},
		{"limits: {registration_timeout: 2h}", "limits.registration_timeout"},
		{"limits: {registration_timeout: 30}", "limits.registration_timeout"},
		{"limits: {max_clients: 0}", ""},
		{"limits: {max_clients: -1}", "limits.max_clients"},
		{"limits: {nicklen: 9}", ""},
		{"limits: {nicklen: 0}", "limits.nicklen"},
		{"limits: {nicklen: 101}", "limits.nicklen"},
		{"limits: {channellen: 1}", "limits.channellen"},
		{"limits: {channellen: 200}", ""},
		{"limits: {topiclen: 451}", "limits.topiclen"},
		{"limits: {topiclen: 450}", ""},
		{"limits: {kicklen: 0}", "limits.kicklen"},
		{"limits: {awaylen: -5}", "limits.awaylen"},
		{"limits: {realnamelen: 1000}", "limits.realnamelen"},
		{"limits: {max_channels: 0}", "limits.max_channels"},
		{"limits: {max_channels: 1}", ""},
		{"limits: {max_targets: 0}", "limits.max_targets"},
		{"limits: {max_targets: 101}", "limits.max_targets"},
		{"limits: {max_list_entries: 0}", "limits.max_list_entries"},
		{"limits: {whowas_entries: 0}", ""},
		{"limits: {whowas_entries: -1}", "limits.whowas_entries"},
		{"limits: {per_ip: 0}", ""},
		{"limits: {per_ip: -1}", "limits.per_ip"},
		{"limits: {per_cidr: {ipv4_prefix: 16, ipv6_prefix: 64, max: 10}}", ""},
		{"limits: {per_cidr: {ipv4_prefix: 33}}", "limits.per_cidr.ipv4_prefix"},
		{"limits: {per_cidr: {ipv6_prefix: 0}}", "limits.per_cidr.ipv6_prefix"},
		{"limits: {per_cidr: {max: -1}}", "limits.per_cidr.max"},
		{"limits: {connect_throttle: {burst: 0}}", ""},
		{"limits: {connect_throttle: {burst: 0, refill: 0, per: 0s}}", ""},
		{"limits: {connect_throttle: {burst: 5, refill: 1, per: 10s}}", ""},
		{"limits: {connect_throttle: {burst: -1}}", "limits.connect_throttle.burst"},
		{"limits: {connect_throttle: {refill: 0}}", "limits.connect_throttle.refill"},
		{"limits: {connect_throttle: {per: 0s}}", "limits.connect_throttle.per"},
		{"limits: {connect_throttle: {rate: 4}}", "limits.connect_throttle.rate"},
		{"limits: {exempt: ['127.0.0.0/8', '::1/128', '203.0.113.7/32']}", ""},
		{"limits: {exempt: ['127.0.0.0/8', 'localhost']}", "limits.exempt[1]"},
		{"limits: {exempt: ['10.1.2.3/8']}", "limits.exempt[0]"},
	})
}

func TestAccessKeys(t *testing.T) {
	oper := func(fields string) string {
		return "opers: [{name: alice, password: '" + testHash + "'" + fields + "}]"
	}
	runKeyCases(t, []keyCase{
		{oper(""), ""},
		{oper(", class: netadmin, hosts: ['*@*.example.net', 'alice@203.0.113.*']") + "\noper_classes: [{name: netadmin, privileges: [kill]}]", ""},
		{oper(", class: netadmin"), "opers[0].class"},
		{"opers: [{name: alice}]", "opers[0].password"},
		{"opers: [{name: alice, password: plaintext}]", "opers[0].password"},
		{"opers: [{password: '" + testHash + "'}]", "opers[0].name"},
		{"opers: [{name: 'al ice', password: '" + testHash + "'}]", "opers[0].name"},
		{"opers: [{name: a, password: '" + testHash + "'}, {name: A, password: '" + testHash + "'}]", "opers[1].name"},
		{oper(", class: 'two words'"), "opers[0].class"},
		{oper(", hosts: ['example.net']"), "opers[0].hosts[0]"},
		{oper(", hosts: ['a@b', '@b']"), "opers[0].hosts[1]"},
		{oper(", host: ['a@b']"), "opers[0].host"},
		{"log: {level: debug, format: text}", ""},
		{"log: {level: warn, format: json}", ""},
		{"log: {level: trace}", "log.level"},
		{"log: {format: xml}", "log.format"},
		{"api: {tokens: [{name: bot, token: abcdefghijklmnop, scopes: [read]}]}", ""},
		{"api: {tokens: [{name: bot, token: 'abc-DEF_123.456~+/xyz==', scopes: [read, post, admin]}]}", ""},
		{"api: {tokens: [{name: bot, token: short, scopes: [read]}]}", "api.tokens[0].token"},
		{"api: {tokens: [{name: bot, token: 'has a space in it!!', scopes: [read]}]}", "api.tokens[0].token"},
		{"api: {tokens: [{name: bot, token: '================', scopes: [read]}]}", "api.tokens[0].token"},
		{"api: {tokens: [{token: abcdefghijklmnop, scopes: [read]}]}", "api.tokens[0].name"},
		{"api: {tokens: [{name: bot, token: abcdefghijklmnop, scopes: [write]}]}", "api.tokens[0].scopes[0]"},
		{"api: {tokens: [{name: bot, token: abcdefghijklmnop, scopes: []}]}", "api.tokens[0].scopes"},
		{"api: {tokens: [{name: bot, token: abcdefghijklmnop, scopes: [read, read]}]}", "api.tokens[0].scopes[1]"},
		{"api: {tokens: [{name: a, token: abcdefghijklmnop, scopes: [read]}, {name: a, token: abcdefghijklmnopq, scopes: [read]}]}", "api.tokens[1].name"},
		{"api: {tokens: [{name: a, token: abcdefghijklmnop, scopes: [read]}, {name: b, token: abcdefghijklmnop, scopes: [read]}]}", "api.tokens[1].token"},
		{"websocket: {origins: ['*']}", ""},
		{"websocket: {origins: ['https://chat.example.net', 'http://localhost:8080', 'https://*.example.net', 'http://127.0.0.1:3000']}", ""},
		{"websocket: {origins: ['chat.example.net']}", "websocket.origins[0]"},
		{"websocket: {origins: ['ftp://chat.example.net']}", "websocket.origins[0]"},
		{"websocket: {origins: ['https://chat.example.net/path']}", "websocket.origins[0]"},
		{"websocket: {origins: ['https://chat.example.net:http']}", "websocket.origins[0]"},
		{"http: {trusted_proxies: ['10.0.0.0/8', 'fd00::/8']}", ""},
		{"http: {trusted_proxies: ['10.0.0.0/33']}", "http.trusted_proxies[0]"},
	})
}

func TestStateKeys(t *testing.T) {
	runKeyCases(t, []keyCase{
		{"accounts: {registration: false, nick_reservation: true, nick_reservation_grace: 0s}", ""},
		{"accounts: {registration_before_connect: true, registration_email_required: true}", ""},
		{"accounts: {nick_reservation_grace: -1s}", "accounts.nick_reservation_grace"},
		{"accounts: {nick_reservation_grace: 30}", "accounts.nick_reservation_grace"},
		{"accounts: {registration: false, registration_before_connect: true}", "accounts.registration_before_connect"},
		{"accounts: {registration: false, registration_email_required: true}", "accounts.registration_email_required"},
		{"accounts: {registration: yes}", ""},
		{"history: {enabled: false, max_age: 0, max_per_target: 0, replay_on_join: 0}", ""},
		{"history: {max_age: 90d, max_per_target: 5000, replay_on_join: 50}", ""},
		{"history: {max_age: -1h}", "history.max_age"},
		{"history: {max_per_target: -1}", "history.max_per_target"},
		{"history: {replay_on_join: 1001}", "history.replay_on_join"},
		{"cluster: {node: node-1.dc_2}", ""},
		{"cluster: {node: 'node 1'}", "cluster.node"},
		{"cluster: {node: 'node*'}", "cluster.node"},
		{"cluster: {name: 'two words'}", "cluster.name"},
		{"cluster: {name: ''}", "cluster.name"},
		{"cluster: {listen: ':6222', routes: ['10.0.0.2:6222', 'nats-route://n3.example.net:6222']}", ""},
		{"cluster: {listen: '6222'}", "cluster.listen"},
		{"cluster: {routes: ['10.0.0.2:6222']}", "cluster.listen"},
		{"cluster: {listen: ':6222', routes: ['http://10.0.0.2:6222']}", "cluster.routes[0]"},
		{"cluster: {listen: ':6222', routes: ['10.0.0.2']}", "cluster.routes[0]"},
		{"cluster: {nats_url: 'nats://n1:4222,nats://n2:4222'}", ""},
		{"cluster: {nats_url: 'tls://user:secret@nats.example.net'}", ""},
		{"cluster: {nats_url: 'http://n1:4222'}", "cluster.nats_url"},
		{"cluster: {nats_url: 'nats://'}", "cluster.nats_url"},
		{"cluster: {nats_url: 'nats://n1:4222', listen: ':6222'}", "cluster.nats_url"},
		{"cluster: {node_timeout: 3s}", ""},
		{"cluster: {node_timeout: 0s}", "cluster.node_timeout"},
		{"cluster: {gossip: true}", "cluster.gossip"},
	})
}

func TestErrorsDoNotEchoSecrets(t *testing.T) {
	in := "server: {password: hunter2-secret}\n" +
		"opers: [{name: a, password: oper-secret}]\n" +
		"api: {tokens: [{name: b, token: 'short-secret', scopes: [read]}]}\n" +
		"cluster: {nats_url: 'http://user:url-secret@h:1'}\n"
	_, err := Parse([]byte(in), "p.yaml")
	if err == nil {
		t.Fatal("want errors")
	}
	for _, secret := range []string{"hunter2-secret", "oper-secret", "short-secret", "url-secret"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error text reveals %q:\n%v", secret, err)
		}
	}
}
