package commands

import (
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/model"
)

// renderKey narrows a client's capabilities to the ones that change how an event of this kind is
// encoded, so that clients differing only in irrelevant capabilities share one encoding.
func (s CapSet) renderKey(kind model.Kind) CapSet {
	key := s & tagCaps
	if kind == model.KindJoin {
		key |= s & CapSet(CapExtendedJoin)
	}
	return key
}

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
		return caps.Has(CapChghost)
	case model.KindInvite:
		// The invited user always sees it; channel operators only with invite-notify.
		return caps.Has(CapInviteNotify) || c.srv.Net.Casemap().Equal(ev.Target, c.User.Nick())
	case model.KindTagmsg:
		return caps.Has(CapMessageTags)
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
		if key.Has(CapExtendedJoin) {
			account := ev.Account
			if account == "" {
				account = "*"
			}
			m.Params = []string{ev.Target, account, param(ev.Params, 0)}
		} else {
			m.Params = []string{ev.Target}
		}
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
		m.Params = []string{param(ev.Params, 0), param(ev.Params, 1)}
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
