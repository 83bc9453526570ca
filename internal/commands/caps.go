package commands

import (
	"strings"
	"sync/atomic"
)

// Cap is one IRCv3 capability as a bit.
type Cap uint64

// CapSet is a set of capabilities.
type CapSet uint64

// The capabilities parley implements. Each one changes what the client receives; see render.go.
const (
	CapMessageTags Cap = 1 << iota
	CapServerTime
	CapEchoMessage
	CapMultiPrefix
	CapUserhostInNames
	CapExtendedJoin
	CapAwayNotify
	CapAccountNotify
	CapAccountTag
	CapInviteNotify
	CapCapNotify
	CapBatch
	CapLabeledResponse
	CapSetname
	CapChghost
	CapExtendedMonitor
	CapNoImplicitNames
	CapSTS // advertised only; clients never enable it (IRCv3 sts)
	CapSASL
	CapAccountRegistration // draft/account-registration
	CapMultiline
	CapMetadata
	CapChannelRename
	CapPreAway
	CapExtendedISupport
)

// capInfo describes a capability in CAP LS.
type capInfo struct {
	cap  Cap
	name string
	// offer returns the CAP LS 302 value and whether the capability is offered at all to a client on a
	// secure (TLS) or plain connection; nil means always offered, without a value.
	offer func(s *Server, secure bool) (value string, ok bool)
	// fixed capabilities cannot be requested (sts: IRCv3 sts says clients MUST NOT request it).
	fixed bool
}

// capTable lists the capabilities in the order CAP LS shows them.
var capTable = []capInfo{
	{cap: CapAccountNotify, name: "account-notify"},
	{cap: CapAccountTag, name: "account-tag"},
	{cap: CapAwayNotify, name: "away-notify"},
	{cap: CapBatch, name: "batch"},
	{cap: CapCapNotify, name: "cap-notify"},
	{cap: CapChghost, name: "chghost"},
	{cap: CapAccountRegistration, name: "draft/account-registration", offer: registrationValue},
	{cap: CapChannelRename, name: "draft/channel-rename"},
	{cap: CapExtendedISupport, name: "draft/extended-isupport"},
	{cap: CapMetadata, name: "draft/metadata-2", offer: metadataCapValue},
	{cap: CapMultiline, name: "draft/multiline", offer: multilineCapValue},
	{cap: CapNoImplicitNames, name: "draft/no-implicit-names"},
	{cap: CapPreAway, name: "draft/pre-away"},
	{cap: CapEchoMessage, name: "echo-message"},
	{cap: CapExtendedJoin, name: "extended-join"},
	{cap: CapExtendedMonitor, name: "extended-monitor"},
	{cap: CapInviteNotify, name: "invite-notify"},
	{cap: CapLabeledResponse, name: "labeled-response"},
	{cap: CapMessageTags, name: "message-tags"},
	{cap: CapMultiPrefix, name: "multi-prefix"},
	{cap: CapSASL, name: "sasl", offer: saslValue},
	{cap: CapServerTime, name: "server-time"},
	{cap: CapSetname, name: "setname"},
	{cap: CapSTS, name: "sts", offer: stsValue, fixed: true},
	{cap: CapUserhostInNames, name: "userhost-in-names"},
}

func capByName(name string) (capInfo, bool) {
	for _, ci := range capTable {
		if strings.EqualFold(ci.name, name) {
			return ci, true
		}
	}
	return capInfo{}, false
}

// Has reports whether the set contains the capability.
func (s CapSet) Has(c Cap) bool { return uint64(s)&uint64(c) != 0 }

// With returns the set plus c.
func (s CapSet) With(c Cap) CapSet { return CapSet(uint64(s) | uint64(c)) }

// Without returns the set minus c.
func (s CapSet) Without(c Cap) CapSet { return CapSet(uint64(s) &^ uint64(c)) }

// tagCaps are the capabilities that add tags to lines.
const tagCaps = CapSet(CapMessageTags | CapServerTime | CapAccountTag)

// capHolder lets Deliver (any goroutine) read the set the reader goroutine changes; CAP DEL (cap-notify)
// may clear bits from another goroutine, hence update's compare-and-swap.
type capHolder struct{ v atomic.Uint64 }

func (h *capHolder) load() CapSet   { return CapSet(h.v.Load()) }
func (h *capHolder) store(s CapSet) { h.v.Store(uint64(s)) }

// update applies f atomically with respect to other updates.
func (h *capHolder) update(f func(CapSet) CapSet) {
	for {
		old := h.v.Load()
		if h.v.CompareAndSwap(old, uint64(f(CapSet(old)))) {
			return
		}
	}
}

// Caps returns the client's negotiated capabilities. Safe for concurrent use.
func (c *Client) Caps() CapSet { return c.caps.load() }

// Has reports whether the client negotiated the capability. Safe for concurrent use.
func (c *Client) Has(cp Cap) bool { return c.caps.load().Has(cp) }
