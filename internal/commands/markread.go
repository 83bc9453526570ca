package commands

import (
	"context"
	"strings"
	"time"

	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/store"
)

func init() {
	register("MARKREAD", Command{Handler: handleMarkRead, MinParams: 1})
}

// markers returns the read-marker store, or nil.
func (s *Server) markers() store.ReadMarkers {
	m, _ := s.Net.History().(store.ReadMarkers)
	return m
}

// handleMarkRead serves draft/read-marker: "MARKREAD <target>" asks for the marker,
// "MARKREAD <target> timestamp=<time>" moves it forward. Markers belong to the account, so every
// session of it shares them; a change is sent to all of them that negotiated the capability.
func handleMarkRead(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	rm := s.markers()
	target := m.Params[0]
	account := c.User.Account()
	switch {
	case rm == nil:
		rb.Fail("MARKREAD", "INTERNAL_ERROR", target, "Read markers are not available")
		return
	case account == "":
		rb.Fail("MARKREAD", "ACCOUNT_REQUIRED", target, "Log in to an account to keep read markers")
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), historyTimeout)
	defer cancel()
	if len(m.Params) < 2 {
		t, err := rm.ReadMarker(ctx, account, target)
		switch {
		case err == nil:
			rb.Add("MARKREAD", target, "timestamp="+formatTime(t))
		case errorsIsNotFound(err):
			rb.Add("MARKREAD", target, "*")
		default:
			rb.Fail("MARKREAD", "INTERNAL_ERROR", target, "The read marker could not be read")
		}
		return
	}
	ts, ok := strings.CutPrefix(m.Params[1], "timestamp=")
	at, err := time.Parse(time.RFC3339Nano, ts)
	if !ok || err != nil {
		rb.Fail("MARKREAD", "INVALID_PARAMS", target, m.Params[1], "Expected timestamp=<RFC 3339 time>")
		return
	}
	stored, err := rm.SetReadMarker(ctx, account, target, at)
	if err != nil {
		rb.Fail("MARKREAD", "INTERNAL_ERROR", target, "The read marker could not be stored")
		return
	}
	rb.Add("MARKREAD", target, "timestamp="+formatTime(stored))
	line := ircmsg.Message{Source: s.Name(), Command: "MARKREAD", Params: []string{target, "timestamp=" + formatTime(stored)}}
	s.toAccountSessions(c, account, CapReadMarker, line)
}

// toAccountSessions sends line to every other session logged into the account that has the
// capability. Safe for concurrent use (Output.Write is).
func (s *Server) toAccountSessions(except *Client, account string, cp Cap, line ircmsg.Message) {
	key := s.Net.Fold(account)
	data := line.Append(nil)
	s.clients.Range(func(k, _ any) bool {
		o := k.(*Client)
		if o != except && o.Has(cp) && s.Net.Fold(o.User.Account()) == key {
			o.out.Write(data)
		}
		return true
	})
}
