package main

import (
	"log/slog"

	"github.com/parleychat/parley/internal/node"
)

// reloadFromFlags re-reads the configuration (SIGHUP) and applies it; a bad file changes nothing.
func reloadFromFlags(n *node.Node, f *serveFlags, logger *slog.Logger) {
	cfg, err := loadConfig(f)
	if err != nil {
		logger.Error("reload refused: bad configuration, nothing changed", "err", err)
		return
	}
	needRestart, err := n.Reload(cfg)
	if err != nil {
		logger.Error("reload failed, nothing changed", "err", err)
		return
	}
	if len(needRestart) > 0 {
		logger.Warn("reloaded; these changes take effect after a restart", "keys", needRestart)
		return
	}
	logger.Info("configuration reloaded")
}
