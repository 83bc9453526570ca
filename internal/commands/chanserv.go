package commands

import (
	"errors"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/model"
	"github.com/parleychat/parley/internal/store"
)

// chanServ registers channels: a registered channel keeps its topic, modes and access list while
// empty and across restarts.
var chanServ = &service{
	nick:  "ChanServ",
	about: "ChanServ registers channels and keeps their topic, modes and access list.",
}

// chanServCommands returns the commands of ChanServ (set in init, since they refer to it).
func chanServCommands() map[string]serviceCmd {
	return map[string]serviceCmd{
		"REGISTER": {run: csRegister, minArgs: 1, usage: "REGISTER <#channel>",
			help: "Registers a channel you are an operator of; your account becomes its founder."},
		"INFO": {run: csInfo, minArgs: 1, usage: "INFO <#channel>", help: "Shows a channel's registration."},
		"DROP": {run: csDrop, minArgs: 1, usage: "DROP <#channel>", help: "Drops a channel's registration (founder only)."},
		"SET": {run: csSet, minArgs: 3, usage: "SET <#channel> TOPICLOCK|HISTORY ON|OFF",
			help: "TOPICLOCK ON lets only accounts with op access change the topic. HISTORY OFF keeps the " +
				"channel's messages out of stored history. Channel modes set with MODE are kept by the " +
				"registration (they persist), so there is no separate mode lock."},
		"OP":      {run: csRank('o', true), minArgs: 1, usage: "OP <#channel> [nick]", help: "Gives operator status (op access needed)."},
		"DEOP":    {run: csRank('o', false), minArgs: 1, usage: "DEOP <#channel> [nick]", help: "Takes operator status (op access needed)."},
		"VOICE":   {run: csRank('v', true), minArgs: 1, usage: "VOICE <#channel> [nick]", help: "Gives voice (voice access for yourself, op access for others)."},
		"DEVOICE": {run: csRank('v', false), minArgs: 1, usage: "DEVOICE <#channel> [nick]", help: "Takes voice (voice access for yourself, op access for others)."},
		"AMODE": {run: csAmode, minArgs: 1, usage: "AMODE <#channel> [+q|+o|+v|-q|-o|-v <account>]",
			help: "Lists or changes the access list: +q founder, +o op, +v voice, applied when the account joins. " +
				"Only founders change it."},
	}
}

// csChannel reads the registration named by args[0], replying when there is none.
func csChannel(s *Server, sr *serviceReply, name string) (store.ChannelReg, bool) {
	if !core.IsChannelName(name) {
		sr.say("\x02" + name + "\x02 is not a channel name.")
		return store.ChannelReg{}, false
	}
	ctx, cancel := storeCtx()
	defer cancel()
	reg, err := s.accounts().Store.Channel(ctx, name)
	if err != nil {
		sr.say(storeErrText(err, "\x02"+name+"\x02 is not registered."))
		return store.ChannelReg{}, false
	}
	return reg, true
}

func csRegister(s *Server, c *Client, sr *serviceReply, args []string) {
	account := c.User.Account()
	ch := s.Net.FindChannel(args[0])
	var mem core.Member
	if ch != nil {
		mem, _ = ch.Membership(c.User)
	}
	switch {
	case account == "":
		sr.say("Log in to an account first: the channel will belong to it.")
		return
	case ch == nil || !mem.Prefixes.AtLeast(model.Op):
		sr.say("You must be an operator of \x02" + args[0] + "\x02 to register it.")
		return
	}
	t := ch.Topic()
	modes, key, limit := modeState(ch.Modes())
	reg := store.ChannelReg{
		Name: ch.Name(), Founder: account, Created: time.Now().UTC(),
		Topic: t.Text, TopicBy: t.SetBy, TopicAt: t.SetAt, Modes: modes, Key: key, Limit: limit,
		Access: map[string]string{s.Net.Fold(account): store.AccessFounder},
	}
	ctx, cancel := storeCtx()
	defer cancel()
	if err := s.accounts().Store.RegisterChannel(ctx, reg); err != nil {
		if errors.Is(err, store.ErrExists) {
			sr.say("\x02" + ch.Name() + "\x02 is already registered.")
			return
		}
		sr.say(storeErrText(err, "Registration failed."))
		return
	}
	s.accounts().Logger.Info("channel registered", "channel", ch.Name(), "founder", account)
	sr.say("\x02" + ch.Name() + "\x02 is now registered to \x02" + account + "\x02.")
	sr.rb.Flush()
	s.Net.ServerMode(s.servicePrefix(chanServ), ch.Name(), []core.ModeChange{{Add: true, Mode: 'q', Arg: c.User.Nick()}})
}

func csInfo(s *Server, c *Client, sr *serviceReply, args []string) {
	reg, ok := csChannel(s, sr, args[0])
	if !ok {
		return
	}
	modes := "+" + reg.Modes
	sr.say("Channel \x02"+reg.Name+"\x02", "Founder: "+reg.Founder,
		"Registered: "+reg.Created.UTC().Format(time.RFC1123), "Modes kept: "+modes)
	if reg.Topic != "" {
		sr.say("Topic kept: " + reg.Topic)
	}
	sr.say("Topic lock: "+onOff(reg.TopicLock), "History: "+onOff(!reg.HistoryOff),
		"Access entries: "+strconv.Itoa(len(reg.Access)))
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func csDrop(s *Server, c *Client, sr *serviceReply, args []string) {
	reg, ok := csChannel(s, sr, args[0])
	if !ok {
		return
	}
	if s.accessLevel(reg, c.User.Account()) != store.AccessFounder {
		sr.say("Only a founder of \x02" + reg.Name + "\x02 can drop it.")
		return
	}
	ctx, cancel := storeCtx()
	defer cancel()
	if err := s.accounts().Store.DropChannel(ctx, reg.Name); err != nil {
		sr.say(storeErrText(err, "\x02"+reg.Name+"\x02 is not registered."))
		return
	}
	s.accounts().Logger.Info("channel dropped", "channel", reg.Name, "by", c.User.Account())
	sr.say("\x02" + reg.Name + "\x02 is no longer registered.")
}

func csSet(s *Server, c *Client, sr *serviceReply, args []string) {
	reg, ok := csChannel(s, sr, args[0])
	if !ok {
		return
	}
	if accessRank(s.accessLevel(reg, c.User.Account())) < accessRank(store.AccessOp) {
		sr.say("You need op access to \x02" + reg.Name + "\x02 to change its settings.")
		return
	}
	setting, value := strings.ToUpper(args[1]), strings.ToUpper(args[2])
	if value != "ON" && value != "OFF" || setting != "TOPICLOCK" && setting != "HISTORY" {
		sr.say("Syntax: " + chanServ.cmds["SET"].usage)
		return
	}
	on := value == "ON"
	err := updateReg(s, reg.Name, func(r *store.ChannelReg) {
		if setting == "TOPICLOCK" {
			r.TopicLock = on
		} else {
			r.HistoryOff = !on
		}
	})
	if err != nil {
		sr.say(storeErrText(err, "\x02"+reg.Name+"\x02 is not registered."))
		return
	}
	sr.say(setting + " is now " + strings.ToLower(value) + " for \x02" + reg.Name + "\x02.")
}

// updateReg applies change to a registration, retrying on a revision conflict.
func updateReg(s *Server, name string, change func(*store.ChannelReg)) error {
	ctx, cancel := storeCtx()
	defer cancel()
	st := s.accounts().Store
	for range 5 {
		reg, err := st.Channel(ctx, name)
		if err != nil {
			return err
		}
		change(&reg)
		if _, err = st.UpdateChannel(ctx, reg); !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	return store.ErrConflict
}

// csRank returns the handler of OP/DEOP/VOICE/DEVOICE.
func csRank(mode byte, add bool) func(*Server, *Client, *serviceReply, []string) {
	return func(s *Server, c *Client, sr *serviceReply, args []string) {
		reg, ok := csChannel(s, sr, args[0])
		if !ok {
			return
		}
		nick := c.User.Nick()
		if len(args) > 1 {
			nick = args[1]
		}
		need := store.AccessOp
		if mode == 'v' && s.Net.Casemap().Equal(nick, c.User.Nick()) {
			need = store.AccessVoice
		}
		if accessRank(s.accessLevel(reg, c.User.Account())) < accessRank(need) {
			sr.say("You need " + need + " access to \x02" + reg.Name + "\x02 for that.")
			return
		}
		_, _, errs := s.Net.ServerMode(s.servicePrefix(chanServ), reg.Name, []core.ModeChange{{Add: add, Mode: mode, Arg: nick}})
		if len(errs) > 0 {
			sr.say("\x02" + nick + "\x02 is not on \x02" + reg.Name + "\x02.")
		}
	}
}

func csAmode(s *Server, c *Client, sr *serviceReply, args []string) {
	reg, ok := csChannel(s, sr, args[0])
	if !ok {
		return
	}
	level := s.accessLevel(reg, c.User.Account())
	if len(args) < 3 {
		if level == "" {
			sr.say("You have no access to \x02" + reg.Name + "\x02.")
			return
		}
		sr.say("Access list of \x02" + reg.Name + "\x02:")
		names := make([]string, 0, len(reg.Access))
		for acct := range reg.Access {
			names = append(names, acct)
		}
		sort.Strings(names)
		for _, acct := range names {
			sr.say("  +" + string(accessMode(reg.Access[acct])) + " " + acct)
		}
		return
	}
	change, target := args[1], args[2]
	newLevel, valid := amodeLevel(change)
	switch {
	case level != store.AccessFounder:
		sr.say("Only a founder of \x02" + reg.Name + "\x02 can change its access list.")
		return
	case !valid:
		sr.say("Syntax: " + chanServ.cmds["AMODE"].usage)
		return
	case newLevel == "" && s.Net.Casemap().Equal(target, reg.Founder):
		sr.say("\x02" + target + "\x02 is the registering founder and keeps founder access.")
		return
	}
	key := s.Net.Fold(target)
	err := updateReg(s, reg.Name, func(r *store.ChannelReg) {
		if r.Access == nil {
			r.Access = map[string]string{}
		}
		if newLevel == "" {
			delete(r.Access, key)
		} else {
			r.Access[key] = newLevel
		}
	})
	if err != nil {
		sr.say(storeErrText(err, "\x02"+reg.Name+"\x02 is not registered."))
		return
	}
	sr.say("Access of \x02" + target + "\x02 on \x02" + reg.Name + "\x02: " + orNone(newLevel) + ".")
}

// amodeLevel maps "+q", "+o", "+v" to access levels and "-q", "-o", "-v" to removal ("").
func amodeLevel(change string) (string, bool) {
	if len(change) != 2 || (change[0] != '+' && change[0] != '-') {
		return "", false
	}
	var level string
	switch change[1] {
	case 'q':
		level = store.AccessFounder
	case 'o':
		level = store.AccessOp
	case 'v':
		level = store.AccessVoice
	default:
		return "", false
	}
	if change[0] == '-' {
		return "", true
	}
	return level, true
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
