package config

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds the syntax checks behind Validate. Each returns an error
// that describes the value; the caller adds the key.

// checkServerName accepts a hostname-like name with at least one dot, which
// is how clients tell a server name from a nick in a message source
// (RFC 2812 section 2.3.1 "servername"; at most 63 characters).
func checkServerName(s string) error {
	if s == "" {
		return fmt.Errorf("must not be empty")
	}
	if len(s) > 63 {
		return fmt.Errorf("%q is longer than 63 characters", s)
	}
	if !strings.Contains(s, ".") {
		return fmt.Errorf("%q needs a dot (like irc.example.net) so clients cannot mistake it for a nick", s)
	}
	if err := checkHostname(s); err != nil {
		return fmt.Errorf("%q is not a valid server name: %v", s, err)
	}
	return nil
}

// checkHostname checks DNS label syntax: letters, digits and inner hyphens.
func checkHostname(s string) error {
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("each dot-separated part must be 1 to 63 characters")
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("a part cannot start or end with '-'")
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return fmt.Errorf("%q is not allowed (use letters, digits, '-' and '.')", c)
			}
		}
	}
	return nil
}

// checkToken accepts a non-empty word of printable characters without
// spaces, at most max bytes, for names that travel as one IRC parameter.
func checkToken(s string, max int) error {
	if s == "" {
		return fmt.Errorf("must not be empty")
	}
	if len(s) > max {
		return fmt.Errorf("%q is longer than %d bytes", s, max)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%q is not valid UTF-8", s)
	}
	for _, r := range s {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) || r == ',' {
			return fmt.Errorf("%q contains a space, comma or control character", s)
		}
	}
	return nil
}

// checkText accepts UTF-8 text without control characters; multiLine also
// allows line breaks and tabs.
func checkText(s string, multiLine bool) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("is not valid UTF-8")
	}
	for _, r := range s {
		if multiLine && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) {
			return fmt.Errorf("contains the control character %U", r)
		}
	}
	return nil
}

// checkHostPort accepts what net.Listen accepts for TCP, limited to a
// numeric port: ":6667", "0.0.0.0:6667", "[::1]:6667", "irc.example.net:6667".
func checkHostPort(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("%q is not a host:port address (like :6667 or 127.0.0.1:6667)", s)
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || port != strconv.FormatUint(n, 10) {
		return fmt.Errorf("%q: the port must be a number from 0 to 65535", s)
	}
	if host == "" {
		return nil
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return nil
	}
	if err := checkHostname(host); err != nil {
		return fmt.Errorf("%q: the host is neither an IP address nor a host name", s)
	}
	return nil
}

// checkCIDR accepts a network prefix written without host bits
// ("10.0.0.0/8", "2001:db8::/32", "203.0.113.7/32").
func checkCIDR(s string) error {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return fmt.Errorf("%q is not a CIDR (like 10.0.0.0/8, or 203.0.113.7/32 for one address)", s)
	}
	if p != p.Masked() {
		return fmt.Errorf("%q has bits set after the prefix (did you mean %s?)", s, p.Masked())
	}
	return nil
}

// checkUserHostMask accepts "user@host" masks with * and ? wildcards.
func checkUserHostMask(s string) error {
	user, host, ok := strings.Cut(s, "@")
	if !ok || user == "" || host == "" || strings.Contains(host, "@") {
		return fmt.Errorf("%q is not a user@host mask (like *@203.0.113.* or alice@*.example.net)", s)
	}
	return checkToken(s, 255)
}

// checkBearerToken requires at least 16 characters of the b64token syntax
// that an Authorization: Bearer header can carry (RFC 6750 section 2.1).
func checkBearerToken(s string) error {
	if len(s) < 16 {
		return fmt.Errorf("must be at least 16 characters long")
	}
	body := strings.TrimRight(s, "=")
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("-._~+/", c) >= 0) {
			return fmt.Errorf("may contain only letters, digits and -._~+/ (with = at the end)")
		}
	}
	if body == "" {
		return fmt.Errorf("must not be only '=' characters")
	}
	return nil
}

// checkOrigin accepts "*" or an http(s) origin, optionally with a "*."
// wildcard as the first label of the host ("https://*.example.net").
func checkOrigin(s string) error {
	if s == "*" {
		return nil
	}
	bad := fmt.Errorf("%q is not an origin (like https://chat.example.net, https://*.example.net or *)", s)
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || (scheme != "http" && scheme != "https") || rest == "" {
		return bad
	}
	host := strings.TrimPrefix(rest, "*.")
	if h, port, err := net.SplitHostPort(host); err == nil {
		if _, err := strconv.ParseUint(port, 10, 16); err != nil {
			return bad
		}
		host = h
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return nil
	}
	if checkHostname(host) != nil {
		return bad
	}
	return nil
}

// checkNodeName accepts names that are safe inside NATS subjects and KV keys
// once the cluster package encodes them: letters, digits, '.', '-', '_'.
func checkNodeName(s string) error {
	if s == "" {
		return fmt.Errorf("must not be empty")
	}
	if len(s) > 64 {
		return fmt.Errorf("%q is longer than 64 characters", s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return fmt.Errorf("%q may contain only letters, digits, '.', '-' and '_'", s)
		}
	}
	return nil
}

// checkRoute accepts a peer's route address as host:port or as a NATS route
// URL ("nats-route://10.0.0.2:6222").
func checkRoute(s string) error {
	if !strings.Contains(s, "://") {
		return checkHostPort(s)
	}
	return checkURL(s, "nats-route", "nats", "tls")
}

// checkNATSURL accepts one server URL or a comma-separated list, as the NATS
// client does ("nats://n1:4222,nats://n2:4222").
func checkNATSURL(s string) error {
	for _, u := range strings.Split(s, ",") {
		if err := checkURL(strings.TrimSpace(u), "nats", "tls", "ws", "wss"); err != nil {
			return err
		}
	}
	return nil
}

// checkURL accepts scheme://[user[:pass]@]host:port with one of schemes.
func checkURL(s string, schemes ...string) error {
	bad := fmt.Errorf("%q is not a URL like %s://host:port", redactURL(s), schemes[0])
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
		return bad
	}
	known := false
	for _, sc := range schemes {
		known = known || u.Scheme == sc
	}
	if !known {
		return fmt.Errorf("%q: the scheme must be one of %s", redactURL(s), strings.Join(schemes, ", "))
	}
	if u.Hostname() == "" {
		return bad
	}
	if u.Port() == "" {
		return checkHostPort(u.Host + ":0")
	}
	return checkHostPort(u.Host)
}

// redactURL hides a password in a URL so that errors can be logged.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		return u.Redacted()
	}
	return s
}
