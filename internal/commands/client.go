package commands

import (
	"sync/atomic"
	"time"

	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/model"
)

// Output is the connection side of a Client, implemented by the session. Both methods must not
// block and are safe to call from any goroutine.
type Output interface {
	// Write queues one complete line (ending in CRLF). The bytes may be shared with other clients
	// and must not be modified.
	Write(line []byte)
	// Close flushes what is queued, sends "ERROR :<reason>" and closes the connection.
	Close(reason string)
}

// Client is the protocol state of one connection. Its fields are owned by the connection's reader
// goroutine, except caps and capVersion (atomics, read by Deliver and cap-notify on other goroutines),
// monitoring (under the server's monitor lock) and what core.User guards itself.
type Client struct {
	srv  *Server
	out  Output
	User *core.User
	pipe replyPipe // replies waiting for the history, in order

	registered  bool
	quitting    bool
	pendingNick string
	username    string
	realname    string
	userGiven   bool
	password    []byte
	capBlocking bool         // CAP LS/REQ seen and CAP END not yet: registration waits
	capVersion  atomic.Int32 // CAP LS version; read by cap-notify on other goroutines
	caps        capHolder
	monitoring  map[string]struct{} // folded nicks this client monitors; guarded by Server.monitor.mu
	acct        clientAccount       // SASL exchange and nick-reservation timer (accounts.go)
	multiline   *multilineBatch     // the open draft/multiline batch, nil when none
	meta        metadataSubs        // draft/metadata-2 subscriptions; read by Deliver on any goroutine
	Secure      bool
	Kind        string // transport kind: tcp, tls, ws, wss
	Certfp      string
	LastPong    time.Time
}

// NewClient creates the protocol state for a new connection and its core user.
func (s *Server) NewClient(out Output, spec core.UserSpec, kind string) *Client {
	c := &Client{srv: s, out: out, Secure: spec.Secure, Kind: kind}
	c.User = s.Net.NewUser(spec, c)
	s.clients.Store(c, struct{}{})
	return c
}

// Registered reports whether the client completed registration. Reader goroutine only.
func (c *Client) Registered() bool { return c.registered }

// Quitting reports whether the client asked to leave (QUIT) or was told to. Reader goroutine only.
func (c *Client) Quitting() bool { return c.quitting }

// Nick returns the client's nick, "*" before registration.
func (c *Client) Nick() string {
	if !c.registered {
		if c.pendingNick != "" {
			return c.pendingNick
		}
		return "*"
	}
	return c.User.Nick()
}

// Deliver implements core.Sink: it renders ev once per capability variant (shared among every
// recipient with the same variant) and queues the bytes. Safe for concurrent use; never blocks.
func (c *Client) Deliver(ev *model.Event) {
	caps := c.caps.load()
	if !wants(ev, caps, c) {
		return
	}
	if ev.Kind == model.KindRename && !caps.Has(CapChannelRename) {
		c.srv.renameFallback(c, ev)
		return
	}
	key := caps.renderKey(ev.Kind)
	if isMultiline(ev) {
		key = multilineKey(key, caps)
		if data := ev.Encoded(uint64(key), func() []byte { return renderMultiline(ev, key) }); data != nil {
			writeLines(c.out, data)
		}
		return
	}
	data := ev.Encoded(uint64(key), func() []byte { return renderEvent(ev, key) })
	if data != nil {
		c.out.Write(data)
	}
	if ev.Kind == model.KindChghost && ev.Target != "" {
		// The fallback JOIN's MODE line: a second shared encoding of the same event.
		mode := ev.Encoded(uint64(key)|fallbackModeKey, func() []byte { return fallbackMode(ev, key, c.srv.Name()) })
		if mode != nil {
			c.out.Write(mode)
		}
	}
}

// Kill implements core.Killable: the connection closes with the kill reason.
func (c *Client) Kill(by, reason string) {
	c.out.Close("Killed by " + by + ": " + reason)
}

// Close tells the client why it is being disconnected and closes its connection. Safe for concurrent use.
func (c *Client) Close(reason string) { c.out.Close(reason) }

// Disconnected is called by the session once the connection is gone, whatever the cause, so the
// network sees the QUIT. reason is what others are told.
func (c *Client) Disconnected(reason string) {
	c.srv.accountsGone(c)
	c.srv.clients.Delete(c)
	c.srv.monitorClear(c)
	c.srv.Net.Quit(c.User, reason)
}
