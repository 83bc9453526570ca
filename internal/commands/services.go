package commands

import (
	"sort"
	"strings"

	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/model"
)

// A service is a built-in pseudo-user (NickServ, ChanServ) that answers PRIVMSGs sent to its nick
// and its command aliases (NS, NICKSERV, CS, CHANSERV) with NOTICEs. Its nick cannot be taken by
// a user. Services work only when the node has accounts (SetAccounts).
type service struct {
	nick  string
	about string
	cmds  map[string]serviceCmd
}

// serviceCmd is one service command: its handler, a one-line usage and a description for HELP.
type serviceCmd struct {
	run   func(s *Server, c *Client, sr *serviceReply, args []string)
	usage string
	help  string
	// minArgs below which the usage is shown instead of running the command.
	minArgs int
}

var services []*service

func init() {
	nickServ.cmds = nickServCommands()
	chanServ.cmds = chanServCommands()
	for _, sv := range []*service{nickServ, chanServ} {
		services = append(services, sv)
		sv.cmds["HELP"] = serviceCmd{run: sv.runHelp, usage: "HELP [command]", help: "Lists the commands, or explains one."}
	}
	register("NS", Command{Handler: serviceAlias(nickServ), MinParams: 1, Active: true})
	register("NICKSERV", Command{Handler: serviceAlias(nickServ), MinParams: 1, Active: true})
	register("CS", Command{Handler: serviceAlias(chanServ), MinParams: 1, Active: true})
	register("CHANSERV", Command{Handler: serviceAlias(chanServ), MinParams: 1, Active: true})
}

// serviceAlias returns the handler of "NS <command> [args]": the parameters are the words of the
// command, as if sent to the service in one PRIVMSG.
func serviceAlias(sv *service) Handler {
	return func(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
		s.runService(sv, c, rb, strings.Join(m.Params, " "))
	}
}

// serviceNamed returns the service with that nick, or nil.
func (s *Server) serviceNamed(nick string) *service {
	for _, sv := range services {
		if s.Net.Casemap().Equal(sv.nick, nick) {
			return sv
		}
	}
	return nil
}

// serviceReply sends a service's answers to the client as NOTICEs from the service.
type serviceReply struct {
	rb     *ReplyBuffer
	source string
	nick   string
}

func (sr *serviceReply) say(lines ...string) {
	for _, l := range lines {
		if l == "" {
			l = " "
		}
		sr.rb.AddFrom(sr.source, "NOTICE", sr.nick, l)
	}
}

// servicePrefix is the service's nick!user@host.
func (s *Server) servicePrefix(sv *service) model.Prefix {
	return model.Prefix{Nick: sv.nick, User: "services", Host: s.Name()}
}

// runService parses a line sent to a service and runs the command.
func (s *Server) runService(sv *service, c *Client, rb *ReplyBuffer, text string) {
	sr := &serviceReply{rb: rb, source: s.servicePrefix(sv).String(), nick: c.Nick()}
	if s.accounts() == nil {
		sr.say(sv.nick + " is not available: this server has no account store.")
		return
	}
	args := strings.Fields(text)
	if len(args) == 0 {
		sr.say("Send \x02HELP\x02 for the list of commands.")
		return
	}
	verb := strings.ToUpper(args[0])
	cmd, ok := sv.cmds[verb]
	if !ok {
		sr.say("Unknown command \x02" + args[0] + "\x02. Send \x02/msg " + sv.nick + " HELP\x02 for the list of commands.")
		return
	}
	if len(args)-1 < cmd.minArgs {
		sr.say("Syntax: " + cmd.usage)
		return
	}
	cmd.run(s, c, sr, args[1:])
}

func (sv *service) runHelp(s *Server, c *Client, sr *serviceReply, args []string) {
	if len(args) > 0 {
		if cmd, ok := sv.cmds[strings.ToUpper(args[0])]; ok {
			sr.say("Syntax: "+cmd.usage, cmd.help)
			return
		}
		sr.say("No help for \x02" + args[0] + "\x02.")
	}
	sr.say(sv.about, "Commands:")
	verbs := make([]string, 0, len(sv.cmds))
	for v := range sv.cmds {
		verbs = append(verbs, v)
	}
	sort.Strings(verbs)
	for _, v := range verbs {
		sr.say("  " + sv.cmds[v].usage)
	}
}
