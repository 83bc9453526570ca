package node

import (
	"strings"

	"github.com/parleychat/parley/internal/config"
)

// notLive lists the key prefixes whose change takes effect only after a restart: they shape
// listeners, storage or identities that connected clients depend on.
var notLive = []string{"listen.", "data_dir", "server.casemapping", "server.name", "cluster.", "dev_tls", "log.format", "api.", "webhooks", "websocket.", "http."}

// Reload swaps in a new, already validated configuration: limits, MOTD, opers, passwords and TLS
// certificates change at once, connected clients stay connected. It returns the changed keys that
// need a restart to take effect.
func (n *Node) Reload(cfg *config.Config) (needRestart []string, err error) {
	if cfg.Accounts.RegistrationEmailRequired {
		return nil, errNoEmail
	}
	n.cfgMu.Lock()
	old := n.cfg
	n.cfgMu.Unlock()
	if n.certs != nil {
		if err := n.certs.Reload(); err != nil {
			return nil, err
		}
	}
	n.cfgMu.Lock()
	n.cfg = cfg
	n.cfgMu.Unlock()
	n.srv.SetConfig(n.commandsConfig(cfg))
	n.net.SetSettings(coreSettings(cfg))
	for _, key := range config.Diff(old, cfg) {
		for _, p := range notLive {
			if strings.HasPrefix(key, p) {
				needRestart = append(needRestart, key)
				break
			}
		}
	}
	return needRestart, nil
}
