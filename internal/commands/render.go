package commands

import (
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/model"
)

// renderKey narrows a client's capabilities to the ones that change how an event of this kind is
// encoded, so that clients differing only in irrelevant capabilities share one encoding.
func (s CapSet) renderKey(kind model.Kind) CapSet {
	key := s & tagCaps
	switch kind {
	case model.KindJoin:
		key |= s & CapSet(CapExtendedJoin)
	case model.KindChghost:
		// CHGHOST, or its QUIT and JOIN fallback, whose JOIN follows extended-join.
		key |= s & CapSet(CapChghost|CapExtendedJoin)
	}
	return key
}

// fallbackModeKey marks the second encoding of a channel CHGHOST fallback (the MODE restoring the
// member's ranks), so that it is cached next to the JOIN without colliding with a capability bit.
const fallbackModeKey = uint64(1) << 63

// wants reports whether a client with these capabilities should see the event at all.
func wants(ev *model.Event, caps CapSet, c *Client) bool {
	switch ev.Kind {
	case model.KindAway:
		return caps.Has(CapAwayNotify)
	case model.KindAccount:
		return caps.Has(CapAccountNotify)
	case model.KindSetname:
		return caps.Has(CapSetname)
	case model.KindChghost:
		if ev.Target != "" {
			// The per-channel JOIN of the fallback, for clients without chghost (IRCv3 chghost).
			return !caps.Has(CapChghost)
		}
		// Without chghost the change is a QUIT, which the user itself must never receive.
		return caps.Has(CapChghost) || ev.Source.Nick != c.User.Nick()
	case model.KindInvite:
		// The invited user always sees it; channel operators only with invite-notify.
		return caps.Has(CapInviteNotify) || c.srv.Net.Casemap().Equal(ev.Target, c.User.Nick())
	case model.KindTagmsg:
		return caps.Has(CapMessageTags)
	case model.KindMetadata:
		return caps.Has(CapMetadata) && c.meta.subscribed(param(ev.Params, 0))
	}
	return true
}

// renderEvent encodes an event for one capability variant; nil means nothing to send.
func renderEvent(ev *model.Event, key CapSet) []byte {
	m, ok := eventMessage(ev, key)
	if !ok {
		return nil
	}
	return m.Append(make([]byte, 0, 64+len(ev.Text)))
}

// eventMessage builds the IRC message for an event as a client with the key's capabilities sees it.
func eventMessage(ev *model.Event, key CapSet) (ircmsg.Message, bool) {
	m := ircmsg.Message{Source: ev.Source.String(), Command: ev.Kind.String()}
	m.Tags = eventTags(ev, key)
	switch ev.Kind {
	case model.KindPrivmsg, model.KindNotice:
		m.Params = []string{statusTarget(ev), ev.Text}
	case model.KindTagmsg:
		m.Params = []string{statusTarget(ev)}
	case model.KindJoin:
		m.Params = joinParams(ev, key, param(ev.Params, 0))
	case model.KindPart:
		m.Params = optionalText(ev.Target, ev.Text)
	case model.KindKick:
		m.Params = []string{ev.Target, param(ev.Params, 0), ev.Text}
	case model.KindQuit:
		m.Params = []string{ev.Text}
	case model.KindNick, model.KindSetname, model.KindWallops:
		m.Params = []string{ev.Text}
	case model.KindMode:
		m.Params = append([]string{ev.Target}, ev.Params...)
	case model.KindTopic:
		m.Params = []string{ev.Target, ev.Text}
	case model.KindInvite:
		m.Params = []string{ev.Target, param(ev.Params, 0)}
	case model.KindAway:
		if ev.Text != "" {
			m.Params = []string{ev.Text}
		}
	case model.KindChghost:
		return chghostMessage(ev, key, m)
	case model.KindRename: // members without draft/channel-rename get renameFallback instead
		m.Params = []string{ev.Target, param(ev.Params, 0), ev.Text}
	case model.KindMetadata:
		m.Params = metadataParams(ev)
	case model.KindAccount:
		account := ev.Text
		if account == "" {
			account = "*"
		}
		m.Params = []string{account}
	default:
		return m, false
	}
	return m, true
}

func statusTarget(ev *model.Event) string {
	if ev.Status != 0 {
		return string(ev.Status) + ev.Target
	}
	return ev.Target
}

func optionalText(first, text string) []string {
	if text == "" {
		return []string{first}
	}
	return []string{first, text}
}

func param(p []string, i int) string {
	if i < len(p) {
		return p[i]
	}
	return ""
}

// eventTags returns the tags a client with the key's capabilities sees on the event.
func eventTags(ev *model.Event, key CapSet) []ircmsg.Tag {
	if key&tagCaps == 0 {
		return nil
	}
	var tags []ircmsg.Tag
	if key.Has(CapServerTime) {
		tags = append(tags, ircmsg.Tag{Key: "time", Value: formatTime(ev.Time)})
	}
	if key.Has(CapAccountTag) && ev.Account != "" {
		tags = append(tags, ircmsg.Tag{Key: "account", Value: ev.Account})
	}
	if key.Has(CapMessageTags) {
		tags = append(tags, ircmsg.Tag{Key: "msgid", Value: ev.ID})
		if ev.Bot {
			tags = append(tags, ircmsg.Tag{Key: "bot"})
		}
		for _, t := range ev.Tags {
			tags = append(tags, ircmsg.Tag{Key: t.Key, Value: t.Value})
		}
	}
	return tags
}

// joinParams are a JOIN's parameters: the channel, and with extended-join the account ("*" for none)
// and the realname (IRCv3 extended-join).
func joinParams(ev *model.Event, key CapSet, realname string) []string {
	if !key.Has(CapExtendedJoin) {
		return []string{ev.Target}
	}
	account := ev.Account
	if account == "" {
		account = "*"
	}
	return []string{ev.Target, account, realname}
}

// chghostMessage renders a CHGHOST event: the CHGHOST line for clients with the capability, and
// for the others the fallback the spec describes: "QUIT :Changing host" for the user-level event,
// a JOIN for each channel event (whose MODE line fallbackMode renders).
func chghostMessage(ev *model.Event, key CapSet, m ircmsg.Message) (ircmsg.Message, bool) {
	switch {
	case ev.Target == "" && key.Has(CapChghost):
		m.Params = []string{param(ev.Params, 0), param(ev.Params, 1)}
	case ev.Target == "":
		m.Command = "QUIT"
		m.Params = []string{"Changing host"}
	case key.Has(CapChghost):
		return m, false
	default:
		m.Command = "JOIN"
		m.Params = joinParams(ev, key, param(ev.Params, 2))
	}
	return m, true
}

// fallbackMode renders the MODE that gives a re-joined member its ranks back after a CHGHOST
// fallback JOIN, or nil when it holds none.
func fallbackMode(ev *model.Event, key CapSet, server string) []byte {
	letters := param(ev.Params, 3)
	if letters == "" {
		return nil
	}
	params := []string{ev.Target, "+" + letters}
	for range letters {
		params = append(params, ev.Source.Nick)
	}
	m := ircmsg.Message{Source: server, Command: "MODE", Params: params}
	if key.Has(CapServerTime) {
		m.Tags = []ircmsg.Tag{{Key: "time", Value: formatTime(ev.Time)}}
	}
	return m.Append(nil)
}
