package commands

import "github.com/parleychat/parley/internal/ircmsg"

// RejectInvalidUTF8 answers a line refused because its text is not UTF-8 (ISUPPORT UTF8ONLY):
// "FAIL <command> INVALID_UTF8 :..." naming the command when it could be read, with the line's label
// (labeled-response). m is the line parsed without the UTF-8 check, nil when even that failed.
// Reader goroutine only.
func (s *Server) RejectInvalidUTF8(c *Client, m *ircmsg.Message) {
	command, label := "*", ""
	if m != nil {
		command = m.Command
		label, _ = m.Tag("label")
	}
	rb := newReplyBuffer(c, label)
	rb.Fail(command, "INVALID_UTF8", "Message rejected, your IRC software MUST use UTF-8 encoding on this network")
	rb.Flush()
}
