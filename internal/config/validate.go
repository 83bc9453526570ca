package config

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/parleychat/parley/internal/passhash"
)

// Validate checks every value and returns all problems at once, each an
// *Error naming its key, joined with errors.Join; nil means the
// configuration is usable.
//
// Validate only reads c, so concurrent calls on one Config are safe as long
// as nobody modifies it.
func (c *Config) Validate() error {
	v := &validator{}
	v.server(&c.Server)
	v.listen(c)
	v.notEmpty("data_dir", c.DataDir)
	v.limits(&c.Limits)
	v.opers(c.Opers)
	v.oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	v.oneOf("log.format", c.Log.Format, "text", "json")
	v.apiTokens(c.API.Tokens)
	v.webhooks(c.Webhooks)
	v.origins(c.WebSocket.Origins)
	v.cidrs("http.trusted_proxies", c.HTTP.TrustedProxies)
	v.accounts(&c.Accounts)
	v.history(&c.History)
	v.cluster(&c.Cluster, c.Server.Name)
	v.operClasses(c)
	v.filters(c.Filters)
	return errors.Join(v.errs...)
}

// validator collects problems so the operator sees every bad key at once.
type validator struct {
	errs []error
}

func (v *validator) add(key, format string, args ...any) {
	v.errs = append(v.errs, &Error{Key: key, Msg: fmt.Sprintf(format, args...)})
}

// check records err, if any, against key.
func (v *validator) check(key string, err error) {
	if err != nil {
		v.add(key, "%s", err.Error())
	}
}

func (v *validator) notEmpty(key, val string) {
	if val == "" {
		v.add(key, "must not be empty")
	}
}

func (v *validator) oneOf(key, val string, allowed ...string) {
	for _, a := range allowed {
		if val == a {
			return
		}
	}
	v.add(key, "%q is not one of %s", val, strings.Join(allowed, ", "))
}

func (v *validator) intRange(key string, val, lo, hi int) {
	if val < lo || val > hi {
		v.add(key, "%d is out of range (%d to %d)", val, lo, hi)
	}
}

// durationRange checks lo <= d <= hi.
func (v *validator) durationRange(key string, d Duration, lo, hi time.Duration) {
	if d.Duration() < lo || d.Duration() > hi {
		v.add(key, "%s is out of range (%s to %s)", d, lo, hi)
	}
}

// positiveDuration checks 0 < d <= hi.
func (v *validator) positiveDuration(key string, d Duration, hi time.Duration) {
	if d <= 0 || d.Duration() > hi {
		v.add(key, "%s is out of range (more than 0, at most %s)", d, hi)
	}
}

func (v *validator) cidrs(key string, list []string) {
	for i, s := range list {
		v.check(fmt.Sprintf("%s[%d]", key, i), checkCIDR(s))
	}
}

func (v *validator) server(s *Server) {
	v.check("server.name", checkServerName(s.Name))
	v.check("server.network", checkToken(s.Network, 64))
	if s.Password != "" && !passhash.Valid(s.Password) {
		// The value is not echoed: it may be a plain-text password.
		v.add("server.password", "is not a password hash (make one with `parley mkpasswd`)")
	}
	if s.MOTD != "" && s.MOTDFile != "" {
		v.add("server.motd_file", "cannot be set together with server.motd")
	}
	v.check("server.motd", checkText(s.MOTD, true))
	v.oneOf("server.casemapping", s.Casemapping, "ascii", "rfc1459", "rfc1459-strict")
	v.notEmpty("server.info", s.Info)
	v.check("server.info", checkText(s.Info, false))
	v.check("server.admin.location1", checkText(s.Admin.Location1, false))
	v.check("server.admin.location2", checkText(s.Admin.Location2, false))
	v.check("server.admin.email", checkText(s.Admin.Email, false))
}

func (v *validator) listen(c *Config) {
	l := &c.Listen
	used := map[string]string{} // address -> key, to catch one port listed twice
	claim := func(key, addr string) {
		if err := checkHostPort(addr); err != nil {
			v.check(key, err)
			return
		}
		if strings.HasSuffix(addr, ":0") {
			return // port 0 picks a free port each time, so repeats do not clash
		}
		if prev, ok := used[addr]; ok {
			v.add(key, "%q is also used by %s", addr, prev)
		}
		used[addr] = key
	}
	for i, a := range l.IRC {
		claim(fmt.Sprintf("listen.irc[%d]", i), a)
	}
	for i, a := range l.TLS {
		claim(fmt.Sprintf("listen.tls[%d]", i), a)
	}
	if l.HTTP != "" {
		claim("listen.http", l.HTTP)
	}
	v.cidrs("listen.proxy_trusted", l.ProxyTrusted)
	if l.ProxyProtocol && len(l.ProxyTrusted) == 0 {
		// Accepting PROXY headers from anyone lets any client claim any address.
		v.add("listen.proxy_trusted", "must list the proxies' CIDRs when listen.proxy_protocol is true")
	}
	switch {
	case c.TLS.Cert != "" && c.TLS.Key == "":
		v.add("tls.key", "must be set when tls.cert is")
	case c.TLS.Key != "" && c.TLS.Cert == "":
		v.add("tls.cert", "must be set when tls.key is")
	case c.TLS.Cert == "" && len(l.TLS) > 0 && !c.DevTLS:
		v.add("tls.cert", "tls.cert and tls.key are required when listen.tls is set (or start with --dev-tls)")
	}
}

func (v *validator) limits(l *Limits) {
	minRate := 0.0
	if l.Flood.Enabled {
		v.intRange("limits.flood.burst", l.Flood.Burst, 1, 100000)
		minRate = math.SmallestNonzeroFloat64
	}
	// Written to refuse NaN too, even when flood control is off, so that a
	// Config always equals its own copy.
	if !(l.Flood.Rate >= minRate && l.Flood.Rate <= 100000) {
		v.add("limits.flood.rate", "%v is out of range (more than 0, at most 100000 lines per second)", l.Flood.Rate)
	}
	v.floodClass("limits.flood.messages", l.Flood.Messages)
	v.floodClass("limits.flood.joins", l.Flood.Joins)
	v.floodClass("limits.flood.nicks", l.Flood.Nicks)
	if l.SendQ < 4*KiB || l.SendQ > 1*GiB {
		v.add("limits.sendq", "%s is out of range (4KiB to 1GiB)", l.SendQ)
	}
	v.positiveDuration("limits.ping_interval", l.PingInterval, 24*time.Hour)
	v.positiveDuration("limits.ping_timeout", l.PingTimeout, 24*time.Hour)
	v.positiveDuration("limits.registration_timeout", l.RegistrationTimeout, time.Hour)
	v.intRange("limits.max_clients", l.MaxClients, 0, 10_000_000)
	v.intRange("limits.nicklen", l.NickLen, 1, 100)
	v.intRange("limits.channellen", l.ChannelLen, 2, 200)
	// The text limits leave room for the rest of a 512-byte line.
	v.intRange("limits.topiclen", l.TopicLen, 1, 450)
	v.intRange("limits.kicklen", l.KickLen, 1, 450)
	v.intRange("limits.awaylen", l.AwayLen, 1, 450)
	v.intRange("limits.realnamelen", l.RealnameLen, 1, 450)
	v.intRange("limits.max_channels", l.MaxChannels, 1, 10000)
	v.intRange("limits.max_targets", l.MaxTargets, 1, 100)
	v.intRange("limits.max_list_entries", l.MaxListEntries, 1, 100000)
	v.intRange("limits.whowas_entries", l.WhowasEntries, 0, 10_000_000)
	v.intRange("limits.per_ip", l.PerIP, 0, 10_000_000)
	v.intRange("limits.per_cidr.ipv4_prefix", l.PerCIDR.IPv4Prefix, 1, 32)
	v.intRange("limits.per_cidr.ipv6_prefix", l.PerCIDR.IPv6Prefix, 1, 128)
	v.intRange("limits.per_cidr.max", l.PerCIDR.Max, 0, 10_000_000)
	v.intRange("limits.connect_throttle.burst", l.ConnectThrottle.Burst, 0, 1_000_000)
	if l.ConnectThrottle.Burst > 0 {
		v.intRange("limits.connect_throttle.refill", l.ConnectThrottle.Refill, 1, 1_000_000)
		v.positiveDuration("limits.connect_throttle.per", l.ConnectThrottle.Per, time.Hour)
	}
	v.cidrs("limits.exempt", l.Exempt)
}

func (v *validator) accounts(a *Accounts) {
	v.durationRange("accounts.nick_reservation_grace", a.NickReservationGrace, 0, 24*time.Hour)
	if !a.Registration && a.RegistrationBeforeConnect {
		v.add("accounts.registration_before_connect", "needs accounts.registration to be true")
	}
	if !a.Registration && a.RegistrationEmailRequired {
		v.add("accounts.registration_email_required", "needs accounts.registration to be true")
	}
}

func (v *validator) history(h *History) {
	v.durationRange("history.max_age", h.MaxAge, 0, 100*365*24*time.Hour)
	v.intRange("history.max_per_target", h.MaxPerTarget, 0, 1_000_000_000)
	v.intRange("history.replay_on_join", h.ReplayOnJoin, 0, 1000)
}
