package commands

import (
	"strconv"
	"strings"

	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/ircmsg"
)

func init() {
	register("WHO", Command{Handler: handleWho})
	register("WHOIS", Command{Handler: handleWhois, MinParams: 1})
	register("WHOWAS", Command{Handler: handleWhowas, MinParams: 1})
	register("ISON", Command{Handler: handleIson, MinParams: 1})
	register("USERHOST", Command{Handler: handleUserhost, MinParams: 1})
}

// whoFlags returns the RPL_WHOREPLY flags: H/G, '*' for opers, then the channel prefix.
func whoFlags(info core.Info, prefixes string) string {
	f := "H"
	if info.Away != "" {
		f = "G"
	}
	if info.Modes&core.UModeOper != 0 {
		f += "*"
	}
	if info.Modes&core.UModeBot != 0 {
		f += "B"
	}
	return f + prefixes
}

func handleWho(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	mask := m.Param(0)
	if mask == "" {
		mask = "*"
	}
	flags, whox := splitWhoOptions(m.Param(1))
	operOnly := strings.Contains(flags, "o")
	multi := c.Has(CapMultiPrefix)
	reply := func(channel string, u *core.User, prefixes string) {
		info := u.Info()
		if operOnly && info.Modes&core.UModeOper == 0 {
			return
		}
		if whox != nil {
			rb.Numeric(rplWhoSpcRpl, whox.params(s, c, channel, u, info, prefixes)...)
			return
		}
		rb.Numeric(ircmsg.RPL_WHOREPLY, channel, info.User, info.Host, s.Name(), info.Nick,
			whoFlags(info, prefixes), "0 "+info.Realname)
	}
	if core.IsChannelName(mask) {
		if ch := s.Net.FindChannel(mask); ch != nil {
			_, member := ch.Membership(c.User)
			if member || !ch.IsSecret() || c.User.IsOper() {
				for _, mv := range ch.Members() {
					if !member && mv.User.HasMode(core.UModeInvisible) && !c.User.IsOper() {
						continue
					}
					reply(ch.Name(), mv.User, string(mv.Prefixes.Symbols(nil, multi)))
				}
			}
		}
		rb.Numeric(ircmsg.RPL_ENDOFWHO, mask, "End of WHO list")
		return
	}
	cm := s.Net.Casemap()
	shared := sharedChannelUsers(c.User)
	for _, u := range s.Net.Users() {
		p := u.Prefix()
		if !cm.Match(mask, p.Nick) && !cm.Match(mask, p.Host) && !cm.Match(mask, p.String()) {
			continue
		}
		// Invisible users are listed only to those sharing a channel with them (RFC 2812 3.6.1).
		if u != c.User && u.HasMode(core.UModeInvisible) && !shared[u] && !c.User.IsOper() {
			continue
		}
		reply("*", u, "")
	}
	rb.Numeric(ircmsg.RPL_ENDOFWHO, mask, "End of WHO list")
}

func sharedChannelUsers(u *core.User) map[*core.User]bool {
	out := make(map[*core.User]bool)
	for _, ch := range u.Channels() {
		for _, mv := range ch.Members() {
			out[mv.User] = true
		}
	}
	return out
}

func handleWhois(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	nicks := m.Params[0]
	if len(m.Params) > 1 {
		nicks = m.Params[1] // WHOIS <server> <nick>
	}
	for _, nick := range splitList(nicks) {
		s.whoisOne(c, rb, nick)
	}
}

func (s *Server) whoisOne(c *Client, rb *ReplyBuffer, nick string) {
	u := s.Net.FindUser(nick)
	if u == nil {
		rb.Numeric(ircmsg.ERR_NOSUCHNICK, nick, "No such nick/channel")
		rb.Numeric(ircmsg.RPL_ENDOFWHOIS, nick, "End of /WHOIS list")
		return
	}
	info := u.Info()
	rb.Numeric(ircmsg.RPL_WHOISUSER, info.Nick, info.User, info.Host, "*", info.Realname)
	if chans := whoisChannels(c, u, info); len(chans) > 0 {
		rb.Numeric(ircmsg.RPL_WHOISCHANNELS, info.Nick, strings.Join(chans, " "))
	}
	rb.Numeric(ircmsg.RPL_WHOISSERVER, info.Nick, s.Name(), s.Config().Info)
	if info.Modes&core.UModeOper != 0 {
		rb.Numeric(ircmsg.RPL_WHOISOPERATOR, info.Nick, "is an IRC operator")
	}
	if info.Account != "" {
		rb.Numeric(ircmsg.RPL_WHOISACCOUNT, info.Nick, info.Account, "is logged in as")
	}
	if info.Modes&core.UModeBot != 0 {
		rb.Numeric(rplWhoisBot, info.Nick, "is a bot on "+s.Config().Network)
	}
	if info.Modes&core.UModeSecure != 0 {
		rb.Numeric(ircmsg.RPL_WHOISSECURE, info.Nick, "is using a secure connection")
	}
	if u == c.User || c.User.IsOper() {
		rb.Numeric(ircmsg.RPL_WHOISHOST, info.Nick, "is connecting from *@"+info.Host+" "+info.IP)
		rb.Numeric(ircmsg.RPL_WHOISMODES, info.Nick, "is using modes "+info.Modes.String())
	}
	if info.Away != "" {
		rb.Numeric(ircmsg.RPL_AWAY, info.Nick, info.Away)
	}
	idle := int64(s.Net.Now().Sub(info.LastActive).Seconds())
	rb.Numeric(ircmsg.RPL_WHOISIDLE, info.Nick, strconv.FormatInt(idle, 10), strconv.FormatInt(info.Signon.Unix(), 10), "seconds idle, signon time")
	rb.Numeric(ircmsg.RPL_ENDOFWHOIS, info.Nick, "End of /WHOIS list")
}

// whoisChannels lists the target's channels as the asker may see them: secret channels, and any
// channel of an invisible user, only when the asker is in it too (or is an operator).
func whoisChannels(c *Client, u *core.User, info core.Info) []string {
	var out []string
	for _, ch := range u.Channels() {
		_, askerIn := ch.Membership(c.User)
		if (ch.IsSecret() || info.Modes&core.UModeInvisible != 0) && !askerIn && u != c.User && !c.User.IsOper() {
			continue
		}
		mem, ok := ch.Membership(u)
		if !ok {
			continue
		}
		out = append(out, string(mem.Prefixes.Symbols(nil, c.Has(CapMultiPrefix)))+ch.Name())
	}
	return out
}

func handleWhowas(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	count, _ := strconv.Atoi(m.Param(1))
	for _, nick := range splitList(m.Params[0]) {
		entries := s.Net.Whowas(nick, count)
		if len(entries) == 0 {
			rb.Numeric(ircmsg.ERR_WASNOSUCHNICK, nick, "There was no such nickname")
		}
		for _, e := range entries {
			rb.Numeric(ircmsg.RPL_WHOWASUSER, e.Nick, e.User, e.Host, "*", e.Realname)
			rb.Numeric(ircmsg.RPL_WHOISSERVER, e.Nick, s.Name(), e.When.UTC().Format("Mon Jan 2 15:04:05 2006"))
		}
		rb.Numeric(ircmsg.RPL_ENDOFWHOWAS, nick, "End of WHOWAS")
	}
}

func handleIson(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	var on []string
	for _, p := range m.Params {
		for _, nick := range strings.Fields(p) {
			if u := s.Net.FindUser(nick); u != nil {
				on = append(on, u.Nick())
			}
		}
	}
	rb.Numeric(ircmsg.RPL_ISON, strings.Join(on, " "))
}

func handleUserhost(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	var replies []string
	for i, nick := range m.Params {
		if i >= 5 {
			break
		}
		u := s.Net.FindUser(nick)
		if u == nil {
			continue
		}
		info := u.Info()
		entry := info.Nick
		if info.Modes&core.UModeOper != 0 {
			entry += "*"
		}
		away := "+"
		if info.Away != "" {
			away = "-"
		}
		host := info.Host
		if u == c.User {
			host = info.IP
		}
		replies = append(replies, entry+"="+away+info.User+"@"+host)
	}
	rb.Numeric(ircmsg.RPL_USERHOST, strings.Join(replies, " "))
}

// rplWhoisBot is the bot-mode WHOIS line (IRCv3 bot-mode specification).
const rplWhoisBot = "335"
