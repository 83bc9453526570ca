package commands

import "github.com/parleychat/parley/internal/ircmsg"

// Operator privileges, granted by oper classes (config oper_classes). A command that needs one
// declares it in its table entry (Command.Priv).
const (
	PrivKill        = "kill"
	PrivBan         = "ban"
	PrivRehash      = "rehash"
	PrivSeeHidden   = "see_hidden"
	PrivFloodExempt = "flood_exempt"
	PrivDrain       = "drain"
)

// HasPrivilege reports whether c is an IRC operator whose class holds priv. Safe for concurrent
// use (the oper class and the config snapshot are read atomically).
func (s *Server) HasPrivilege(c *Client, priv string) bool {
	if !c.User.IsOper() {
		return false
	}
	for _, p := range s.Config().OperClasses[c.User.Info().OperClass] {
		if p == priv {
			return true
		}
	}
	return false
}

// FloodExempt reports whether c skips flood control: an operator whose class has flood_exempt.
// Safe for concurrent use.
func (s *Server) FloodExempt(c *Client) bool { return s.HasPrivilege(c, PrivFloodExempt) }

// denyPrivilege answers an operator whose class lacks the command's privilege (ERR_NOPRIVILEGES
// with the wording modern servers use for opers, so the oper knows the class is the problem).
func denyPrivilege(rb *ReplyBuffer) {
	rb.Numeric(ircmsg.ERR_NOPRIVILEGES, "Permission Denied- You do not have the required operator privileges")
}
