package config

import (
	"strings"
	"testing"
)

func TestWebhookKeys(t *testing.T) {
	const ok = "url: https://bots.example.net/hook, secret: 0123456789abcdef"
	runKeyCases(t, []keyCase{
		{"webhooks: [{" + ok + "}]", ""},
		{"webhooks: [{" + ok + ", events: [privmsg, join], channels: ['#a', '#b-c']}]", ""},
		{"webhooks: [{url: 'http://127.0.0.1:9000/x?y=1', secret: 0123456789abcdef}]", ""},
		{"webhooks: [{url: ftp://example.net/x, secret: 0123456789abcdef}]", "webhooks[0].url"},
		{"webhooks: [{url: /relative, secret: 0123456789abcdef}]", "webhooks[0].url"},
		{"webhooks: [{url: '', secret: 0123456789abcdef}]", "webhooks[0].url"},
		{"webhooks: [{url: https://example.net/x, secret: short}]", "webhooks[0].secret"},
		{"webhooks: [{url: https://example.net/x}]", "webhooks[0].secret"},
		{"webhooks: [{" + ok + ", events: [message]}]", "webhooks[0].events[0]"},
		{"webhooks: [{" + ok + ", events: [join, join]}]", "webhooks[0].events[1]"},
		{"webhooks: [{" + ok + ", channels: [general]}]", "webhooks[0].channels[0]"},
		{"webhooks: [{" + ok + ", channels: ['#a b']}]", "webhooks[0].channels[0]"},
		{"webhooks: [{" + ok + ", colour: red}]", "webhooks[0].colour"},
	})
}

// The secret must not appear in any error: errors go to logs.
func TestWebhookSecretNotEchoed(t *testing.T) {
	_, err := Parse([]byte("webhooks: [{url: https://example.net/x, secret: sh0rtsecret}]"), "p.yaml")
	if err == nil || strings.Contains(err.Error(), "sh0rtsecret") {
		t.Fatalf("error %v: want one that does not repeat the secret", err)
	}
}
