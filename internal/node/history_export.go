package node

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/parleychat/parley/internal/casemap"
	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/jshistory"
)

// ExportHistory writes the stored history of a channel, or with account set and target empty
// every private conversation of the account, as JSON lines to w, and returns how many records it
// wrote. It opens the data directory itself, so the server must be stopped (its lock on the
// directory refuses a second opener); a running server serves the same messages through
// GET /api/v1/channels/{name}/messages.
func ExportHistory(ctx context.Context, cfg *config.Config, account, target string, w io.Writer, log *slog.Logger) (int, error) {
	cm, err := casemap.Parse(cfg.Server.Casemapping)
	if err != nil {
		return 0, fmt.Errorf("config: server.casemapping: %w", err)
	}
	name := cfg.Cluster.Node
	if name == "" {
		name = cfg.Server.Name
	}
	st, err := openState(cfg, name+"-export", Options{Logger: log})
	if err != nil {
		return 0, fmt.Errorf("%w (is the server running? stop it, or read the messages through the API)", err)
	}
	defer st.close()
	t := store.Channel(target)
	if account != "" {
		t = store.Private(account, target)
	}
	return jshistory.Export(ctx, st.js, cfg.Server.Network, cm.Fold, t, w)
}
