package commands

import (
	"strconv"
	"strings"
	"time"

	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/ircmsg"
)

func init() {
	register("MOTD", Command{Handler: func(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) { s.sendMOTD(rb) }})
	register("LUSERS", Command{Handler: func(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) { s.sendLusers(rb) }})
	register("VERSION", Command{Handler: handleVersion})
	register("TIME", Command{Handler: handleTime})
	register("ADMIN", Command{Handler: handleAdmin})
	register("INFO", Command{Handler: handleInfo})
	register("HELP", Command{Handler: handleHelp})
}

// isupportTokens returns the RPL_ISUPPORT tokens (modern.ircdocs.horse "RPL_ISUPPORT Parameters").
func (s *Server) isupportTokens() []string {
	cfg := s.Config()
	set := s.Net.Settings()
	n := strconv.Itoa
	mt := n(cfg.MaxTargets)
	return append([]string{
		"AWAYLEN=" + n(set.AwayLen),
		"BOT=B",
		"CASEMAPPING=" + s.Net.Casemap().String(),
		"CHANLIMIT=#:" + n(set.MaxChannels),
		"CHANMODES=" + core.ChanModesISupport,
		core.ExtbanISupport,
		"CHANNELLEN=" + n(set.ChannelLen),
		"CHANTYPES=#",
		listISupport,
		"HOSTLEN=64",
		"KICKLEN=" + n(set.KickLen),
		"MAXLIST=b:" + n(set.MaxListEntries) + ",e:" + n(set.MaxListEntries) + ",I:" + n(set.MaxListEntries),
		"MAXTARGETS=" + mt,
		"MODES=" + n(core.MaxModesPerCommand),
		"MONITOR=" + n(monitorLimit),
		"NAMELEN=" + n(set.RealnameLen),
		"NETWORK=" + cfg.Network,
		"NICKLEN=" + n(set.NickLen),
		"PREFIX=(qaohv)~&@%+",
		"SAFELIST",
		"STATUSMSG=~&@%+",
		"TARGMAX=JOIN:,KICK:1,LIST:,NAMES:,NOTICE:" + mt + ",PART:,PRIVMSG:" + mt + ",TAGMSG:" + mt + ",WHOIS:1,USERHOST:5,ISON:",
		"TOPICLEN=" + n(set.TopicLen),
		"USERLEN=" + n(userLen),
		// The session refuses lines that are not UTF-8 (ircmsg.Limits.UTF8Only, set by the node).
		"UTF8ONLY",
		"WHOX",
	}, s.historyISupport()...)
}

func (s *Server) sendISupport(c *Client, rb *ReplyBuffer) {
	tokens := s.isupportTokens()
	const perLine = 12
	for len(tokens) > 0 {
		k := min(perLine, len(tokens))
		params := append(append([]string{}, tokens[:k]...), "are supported by this server")
		rb.Numeric(ircmsg.RPL_ISUPPORT, params...)
		tokens = tokens[k:]
	}
}

func (s *Server) sendLusers(rb *ReplyBuffer) {
	st := s.Net.Stats()
	n := strconv.Itoa
	rb.Numeric(ircmsg.RPL_LUSERCLIENT, "There are "+n(st.Users-st.Invisible)+" users and "+n(st.Invisible)+" invisible on 1 servers")
	rb.Numeric(ircmsg.RPL_LUSEROP, n(st.Opers), "IRC Operators online")
	rb.Numeric(ircmsg.RPL_LUSERUNKNOWN, n(st.Unknown), "unknown connection(s)")
	rb.Numeric(ircmsg.RPL_LUSERCHANNELS, n(st.Channels), "channels formed")
	rb.Numeric(ircmsg.RPL_LUSERME, "I have "+n(st.LocalUsers)+" clients and 0 servers")
	rb.Numeric(ircmsg.RPL_LOCALUSERS, n(st.LocalUsers), n(st.MaxLocalUsers), "Current local users "+n(st.LocalUsers)+", max "+n(st.MaxLocalUsers))
	rb.Numeric(ircmsg.RPL_GLOBALUSERS, n(st.Users), n(st.Users), "Current global users "+n(st.Users)+", max "+n(st.Users))
}

func (s *Server) sendMOTD(rb *ReplyBuffer) {
	cfg := s.Config()
	if cfg.MOTD == nil {
		rb.Numeric(ircmsg.ERR_NOMOTD, "MOTD File is missing")
		return
	}
	rb.Numeric(ircmsg.RPL_MOTDSTART, "- "+cfg.ServerName+" Message of the day - ")
	for _, line := range cfg.MOTD {
		rb.Numeric(ircmsg.RPL_MOTD, "- "+line)
	}
	rb.Numeric(ircmsg.RPL_ENDOFMOTD, "End of /MOTD command.")
}

// remoteServerRequested answers 402 when a command names a server other than this one.
func (s *Server) remoteServerRequested(m *ircmsg.Message, rb *ReplyBuffer) bool {
	if len(m.Params) > 0 && !s.Net.Casemap().Match(m.Params[0], s.Name()) {
		rb.Numeric(ircmsg.ERR_NOSUCHSERVER, m.Params[0], "No such server")
		return true
	}
	return false
}

func handleVersion(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	if s.remoteServerRequested(m, rb) {
		return
	}
	cfg := s.Config()
	rb.Numeric(ircmsg.RPL_VERSION, cfg.Version, cfg.ServerName, "parley IRC server")
	s.sendISupport(c, rb)
}

func handleTime(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	if s.remoteServerRequested(m, rb) {
		return
	}
	now := time.Now()
	rb.Numeric(ircmsg.RPL_TIME, s.Name(), strconv.FormatInt(now.Unix(), 10), "0", now.Format(time.RFC1123))
}

func handleAdmin(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	if s.remoteServerRequested(m, rb) {
		return
	}
	a := s.Config().Admin
	rb.Numeric(ircmsg.RPL_ADMINME, s.Name(), "Administrative info")
	rb.Numeric(ircmsg.RPL_ADMINLOC1, orDefault(a.Location1, "-"))
	rb.Numeric(ircmsg.RPL_ADMINLOC2, orDefault(a.Location2, "-"))
	rb.Numeric(ircmsg.RPL_ADMINEMAIL, orDefault(a.Email, "-"))
}

func handleInfo(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	cfg := s.Config()
	for _, line := range []string{
		"parley " + cfg.Version + ": a chat server that scales out.",
		cfg.Info,
		"Started " + s.started.UTC().Format(time.RFC1123),
	} {
		rb.Numeric(ircmsg.RPL_INFO, line)
	}
	rb.Numeric(ircmsg.RPL_ENDOFINFO, "End of INFO list")
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func handleHelp(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	topic := strings.ToUpper(m.Param(0))
	if topic == "" {
		topic = "*"
	}
	text, ok := helpTopics[topic]
	if !ok {
		rb.Numeric(ircmsg.ERR_HELPNOTFOUND, topic, "No help available on this topic")
		return
	}
	lines := strings.Split(text, "\n")
	rb.Numeric(ircmsg.RPL_HELPSTART, topic, lines[0])
	for _, l := range lines[1:] {
		rb.Numeric(ircmsg.RPL_HELPTXT, topic, l)
	}
	rb.Numeric(ircmsg.RPL_ENDOFHELP, topic, "End of /HELP")
}
