package commands

import (
	"strings"

	"github.com/parleychat/parley/internal/ircmsg"
)

func init() {
	register("REHASH", Command{Handler: handleRehash, Oper: true, Priv: PrivRehash})
}

// handleRehash re-reads the configuration file, as SIGHUP does: 382 RPL_REHASHING, then a FAIL
// naming every problem when the file is refused (nothing changes then), or a NOTE listing the
// changed keys that need a restart.
func handleRehash(s *Server, c *Client, m *ircmsg.Message, rb *ReplyBuffer) {
	rehash := s.Config().Rehash
	if rehash == nil {
		rb.Fail("REHASH", "NOT_AVAILABLE", "This server was started without a configuration file")
		return
	}
	rb.Numeric(ircmsg.RPL_REHASHING, "parley.yaml", "Rehashing")
	// Rehash swaps the config this command runs under; the reply buffer only needs the client.
	needRestart, err := rehash()
	if err != nil {
		msg := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
		rb.Fail("REHASH", "CONFIG_INVALID", "Configuration refused, nothing changed: "+msg)
		return
	}
	if len(needRestart) > 0 {
		rb.Note("REHASH", "RESTART_NEEDED", strings.Join(needRestart, ","), "These changes take effect after a restart")
	}
}
