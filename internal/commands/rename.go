package commands

import (
	"errors"

	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/model"
)

func init() {
	register("RENAME", Command{Handler: handleRename, MinParams: 2})
}

// handleRename implements "RENAME <channel> <new name> [:<reason>]" (draft/channel-rename).
// The actor sees RENAME with the capability, and otherwise the same PART/JOIN fallback as other
// members without it.
func handleRename(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	oldName, newName := m.Params[0], m.Params[1]
	ev, err := s.Net.RenameChannel(c.User, oldName, newName, m.Param(2))
	switch {
	case errors.Is(err, core.ErrRenameNameInUse):
		rb.Fail("RENAME", "CHANNEL_NAME_IN_USE", oldName, newName, "Channel name is already in use")
		return
	case errors.Is(err, core.ErrRenameInvalid):
		rb.Fail("RENAME", "CANNOT_RENAME", oldName, newName, "Cannot rename to that name")
		return
	case err != nil:
		replyError(rb, err)
		return
	}
	if c.Has(CapChannelRename) {
		rb.AddEvent(ev)
		return
	}
	s.renameFallbackReplies(c, rb, ev)
}

// renameFallback shows a member without draft/channel-rename the rename as its own PART of the old
// name and JOIN of the new one, followed by the topic and NAMES a JOIN brings. It runs on the
// renamer's goroutine (core delivers renames with no lock held), so it addresses the numerics by
// the user's nick rather than through reader-only client state. Safe for concurrent use.
func (s *Server) renameFallback(c *Client, ev *model.Event) {
	rb := newReplyBuffer(c, "")
	rb.nick = c.User.Nick()
	s.renameFallbackReplies(c, rb, ev)
	rb.Flush()
}

func (s *Server) renameFallbackReplies(c *Client, rb *ReplyBuffer, ev *model.Event) {
	newName := param(ev.Params, 0)
	info := c.User.Info()
	self := info.Prefix.String()
	reason := ev.Text
	if reason == "" {
		reason = "Channel renamed to " + newName
	}
	rb.AddFrom(self, "PART", ev.Target, reason)
	if c.Has(CapExtendedJoin) {
		account := info.Account
		if account == "" {
			account = "*"
		}
		rb.AddFrom(self, "JOIN", newName, account, info.Realname)
	} else {
		rb.AddFrom(self, "JOIN", newName)
	}
	ch := s.Net.FindChannel(newName)
	if ch == nil {
		return
	}
	if t := ch.Topic(); t.Text != "" {
		sendTopic(rb, ch.Name(), t)
	}
	if !c.Has(CapNoImplicitNames) {
		s.sendNames(c, rb, ch)
	}
}
