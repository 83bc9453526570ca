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
)

// capInfo describes a capability in CAP LS.
type capInfo struct {
	cap   Cap
	name  string
	value func(*Server) string // CAP LS 302 value, nil for none
}

// capTable lists the capabilities in the order CAP LS shows them.
var capTable = []capInfo{
	{CapAccountNotify, "account-notify", nil},
	{CapAccountTag, "account-tag", nil},
	{CapAwayNotify, "away-notify", nil},
	{CapBatch, "batch", nil},
	{CapCapNotify, "cap-notify", nil},
	{CapChghost, "chghost", nil},
	{CapEchoMessage, "echo-message", nil},
	{CapExtendedJoin, "extended-join", nil},
	{CapInviteNotify, "invite-notify", nil},
	{CapLabeledResponse, "labeled-response", nil},
	{CapMessageTags, "message-tags", nil},
	{CapMultiPrefix, "multi-prefix", nil},
	{CapServerTime, "server-time", nil},
	{CapSetname, "setname", nil},
	{CapUserhostInNames, "userhost-in-names", nil},
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

// capHolder lets Deliver (any goroutine) read the set the reader goroutine changes.
type capHolder struct{ v atomic.Uint64 }

func (h *capHolder) load() CapSet   { return CapSet(h.v.Load()) }
func (h *capHolder) store(s CapSet) { h.v.Store(uint64(s)) }

// Caps returns the client's negotiated capabilities. Safe for concurrent use.
func (c *Client) Caps() CapSet { return c.caps.load() }

// Has reports whether the client negotiated the capability. Safe for concurrent use.
func (c *Client) Has(cp Cap) bool { return c.caps.load().Has(cp) }
