package commands

import (
	"strings"

	"github.com/parleychat/parley/internal/ircmsg"
)

// Handler runs one command. It writes replies only through rb.
type Handler func(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer)

// Command declares a handler and the preconditions Run checks before calling it, once, for every
// command (the Ergo model), instead of each handler repeating them.
type Command struct {
	Handler   Handler
	MinParams int  // fewer parameters: 461 ERR_NEEDMOREPARAMS
	PreReg    bool // allowed before registration completes; otherwise 451 ERR_NOTREGISTERED
	Oper      bool // IRC operators only: 481 ERR_NOPRIVILEGES
	// Priv, with Oper, is the privilege the operator's class must hold (481 when missing).
	Priv string
	// Idle false means the command does not reset WHOIS idle time (PING, PONG, ...).
	Active bool
}

// table maps each verb to its command. Filled in init() functions of the family files so that each
// family declares its own commands next to their handlers.
var table = map[string]*Command{}

func register(verb string, cmd Command) {
	c := cmd
	table[verb] = &c
}

// Verbs returns every command name, for HELP and tests.
func Verbs() []string {
	out := make([]string, 0, len(table))
	for v := range table {
		out = append(out, v)
	}
	return out
}

// Run dispatches one parsed line from the client: preconditions, handler, then the reply flush.
// Reader goroutine only.
func (s *Server) Run(c *Client, m *ircmsg.Message) {
	label, _ := m.Tag("label")
	rb := newReplyBuffer(c, label)
	rb.cmd = m.Command
	defer rb.Flush()
	cmd, ok := table[m.Command]
	if !ok {
		rb.Numeric(ircmsg.ERR_UNKNOWNCOMMAND, m.Command, "Unknown command")
		return
	}
	if !cmd.PreReg && !c.registered {
		rb.Numeric(ircmsg.ERR_NOTREGISTERED, "You have not registered")
		return
	}
	if len(m.Params) < cmd.MinParams {
		rb.Numeric(ircmsg.ERR_NEEDMOREPARAMS, m.Command, "Not enough parameters")
		return
	}
	if cmd.Oper && !c.User.IsOper() {
		rb.Numeric(ircmsg.ERR_NOPRIVILEGES, "Permission Denied- You're not an IRC operator")
		return
	}
	if cmd.Priv != "" && !s.HasPrivilege(c, cmd.Priv) {
		denyPrivilege(rb)
		return
	}
	if cmd.Active && c.registered {
		c.User.Touch(s.Net.Now())
	}
	if s.batched(c, m) { // a line of an open draft/multiline batch, see multiline.go
		return
	}
	cmd.Handler(s, c, m, rb)
}

// splitList splits a comma-separated parameter, dropping empty elements.
func splitList(s string) []string {
	parts := strings.Split(s, ",")
	out := parts[:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}
