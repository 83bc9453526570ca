package session

import "github.com/parleychat/parley/internal/ircmsg"

// NoticeAll queues ":<server> NOTICE <nick> :<text>" to every live session, unregistered ones
// included (as "*"), without closing any. Used before a drain, so clients learn why they are
// about to be disconnected. Safe for concurrent use; never blocks on a connection.
func (r *Registry) NoticeAll(server, text string) {
	r.mu.Lock()
	list := make([]*Session, 0, len(r.sessions))
	for s := range r.sessions {
		list = append(list, s)
	}
	r.mu.Unlock()
	for _, s := range list {
		nick := s.client.User.Nick()
		if nick == "" {
			nick = "*"
		}
		m := ircmsg.Message{Source: server, Command: "NOTICE", Params: []string{nick, text}}
		s.Write(m.Append(nil))
	}
}
