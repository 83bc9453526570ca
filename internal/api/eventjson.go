package api

import (
	"strings"
	"time"

	"github.com/parleychat/parley/internal/model"
)

// eventJSON is one network event as the event stream, webhooks and history show it. Which fields
// are set depends on the type; docs/api.md lists them.
type eventJSON struct {
	Type     string     `json:"type"` // privmsg, notice, join, part, kick, quit, nick, topic, mode, ...
	ID       string     `json:"id"`   // the IRC msgid
	Time     time.Time  `json:"time"`
	Channel  string     `json:"channel,omitempty"`
	Source   sourceJSON `json:"source"`
	Account  string     `json:"account,omitempty"`
	Bot      bool       `json:"bot,omitempty"`
	Text     string     `json:"text,omitempty"`     // message, reason, topic, away message
	Target   string     `json:"target,omitempty"`   // the kicked nick
	NewNick  string     `json:"new_nick,omitempty"` // nick
	Modes    string     `json:"modes,omitempty"`    // mode: "+o-v"
	Args     []string   `json:"args,omitempty"`     // mode arguments
	Realname string     `json:"realname,omitempty"` // join, setname
	User     string     `json:"user,omitempty"`     // chghost: the new user name
	Host     string     `json:"host,omitempty"`     // chghost: the new host
}

type sourceJSON struct {
	Nick string `json:"nick"`
	User string `json:"user,omitempty"`
	Host string `json:"host,omitempty"`
}

// eventType is an event's name in JSON and in the webhooks' events list (config.WebhookEvents).
func eventType(k model.Kind) string { return strings.ToLower(k.String()) }

func toEventJSON(ev *model.Event) eventJSON {
	j := eventJSON{
		Type: eventType(ev.Kind), ID: ev.ID, Time: ev.Time.UTC(),
		Source:  sourceJSON{Nick: ev.Source.Nick, User: ev.Source.User, Host: ev.Source.Host},
		Account: ev.Account, Bot: ev.Bot,
	}
	if len(ev.Target) > 0 && ev.Target[0] == '#' {
		j.Channel = ev.Target
	}
	switch ev.Kind {
	case model.KindJoin:
		j.Realname = param(ev.Params, 0)
	case model.KindKick:
		j.Target, j.Text = param(ev.Params, 0), ev.Text
	case model.KindNick:
		j.NewNick = ev.Text
	case model.KindMode:
		if len(ev.Params) > 0 {
			j.Modes, j.Args = ev.Params[0], ev.Params[1:]
		}
	case model.KindSetname:
		j.Realname = ev.Text
	case model.KindChghost:
		j.User, j.Host = param(ev.Params, 0), param(ev.Params, 1)
	default:
		j.Text = ev.Text
	}
	return j
}

func param(p []string, i int) string {
	if i < len(p) {
		return p[i]
	}
	return ""
}

// channelOf is the channel an event happened in, "" for user-level events (quit, nick, away...).
func channelOf(ev *model.Event) string {
	if len(ev.Target) > 0 && ev.Target[0] == '#' {
		return ev.Target
	}
	return ""
}
