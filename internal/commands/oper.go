package commands

import (
	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/ircmsg"
)

func init() {
	register("OPER", Command{Handler: handleOper, MinParams: 2})
	register("KILL", Command{Handler: handleKill, MinParams: 2, Oper: true, Priv: PrivKill})
	register("WALLOPS", Command{Handler: handleWallops, MinParams: 1, Oper: true})
}

func handleOper(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	name, password := m.Params[0], m.Params[1]
	for _, op := range s.Config().Opers {
		if op.Name != name {
			continue
		}
		if !s.operHostAllowed(c, op) {
			rb.Numeric(ircmsg.ERR_NOOPERHOST, "No O-lines for your host")
			return
		}
		if !s.VerifyPassword(op.Password, []byte(password)) {
			break
		}
		c.User.SetOper(op.Class)
		rb.Numeric(ircmsg.RPL_YOUREOPER, "You are now an IRC operator")
		nick := c.User.Nick()
		rb.AddFrom(nick, "MODE", nick, "+o")
		return
	}
	rb.Numeric(ircmsg.ERR_PASSWDMISMATCH, "Password incorrect")
}

func (s *Server) operHostAllowed(c *Client, op Oper) bool {
	if len(op.Hosts) == 0 {
		return true
	}
	info := c.User.Info()
	cm := s.Net.Casemap()
	for _, mask := range op.Hosts {
		if cm.Match(mask, info.User+"@"+info.Host) || cm.Match(mask, info.User+"@"+info.IP) {
			return true
		}
	}
	return false
}

func handleKill(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	if err := s.Net.Kill(c.User, m.Params[0], m.Params[1]); err != nil {
		replyError(rb, err)
	}
}

func handleWallops(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	ev := s.Net.Wallops(c.User, m.Params[0])
	if c.User.HasMode(core.UModeWallops) {
		rb.AddEvent(ev)
	}
}
