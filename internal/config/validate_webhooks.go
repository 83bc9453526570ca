package config

import (
	"fmt"
	"net/url"
	"strings"
)

// webhooks checks the outgoing webhooks. Secrets are never echoed: errors
// end up in logs.
func (v *validator) webhooks(hooks []Webhook) {
	for i, h := range hooks {
		key := fmt.Sprintf("webhooks[%d]", i)
		v.check(key+".url", checkWebhookURL(h.URL))
		if len(h.Secret) < 16 {
			v.add(key+".secret", "must be at least 16 characters long (generate one with `openssl rand -hex 32`)")
		}
		seen := map[string]bool{}
		for j, e := range h.Events {
			ek := fmt.Sprintf("%s.events[%d]", key, j)
			v.oneOf(ek, e, WebhookEvents...)
			if seen[e] {
				v.add(ek, "%q is listed twice", e)
			}
			seen[e] = true
		}
		for j, c := range h.Channels {
			v.check(fmt.Sprintf("%s.channels[%d]", key, j), checkChannelName(c))
		}
	}
}

// checkWebhookURL accepts an absolute http or https URL with a host.
func checkWebhookURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
		return fmt.Errorf("%q is not a URL like https://bots.example.net/parley", redactURL(s))
	}
	return nil
}

// checkChannelName accepts a channel name as clients write it: '#' and at
// least one more character, none of them a space, comma or control character.
func checkChannelName(s string) error {
	if len(s) < 2 || s[0] != '#' || len(s) > 200 || strings.ContainsAny(s, " ,\x07") || strings.ContainsFunc(s, isControl) {
		return fmt.Errorf("%q is not a channel name (like #general)", s)
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
