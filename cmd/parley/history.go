package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/node"
)

// historyCmd runs "parley history export": a channel's (or an account's private) stored history
// as JSON lines on standard output, read from the data directory of a stopped server.
func historyCmd(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "export" {
		fmt.Fprintln(stderr, "usage: parley history export --target '#chan' [--config FILE] [--data-dir DIR]\n"+
			"       parley history export --account NAME [--target PEER] [--config FILE]")
		return 2
	}
	fs := flag.NewFlagSet("history export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "configuration file")
	dataDir := fs.String("data-dir", "", "data directory (overrides the configuration)")
	target := fs.String("target", "", "channel to export (or, with --account, one conversation partner)")
	account := fs.String("account", "", "export this account's private conversations")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if *target == "" && *account == "" {
		fmt.Fprintln(stderr, "parley history export: --target or --account is required")
		return 2
	}
	cfg := config.Defaults()
	if *cfgPath != "" {
		c, err := config.Load(*cfgPath)
		if err != nil {
			fmt.Fprintln(stderr, "parley:", err)
			return 1
		}
		cfg = c
	}
	if *dataDir != "" {
		cfg.DataDir = *dataDir
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	n, err := node.ExportHistory(context.Background(), cfg, *account, *target, stdout, log)
	if err != nil {
		fmt.Fprintln(stderr, "parley history export:", err)
		return 1
	}
	fmt.Fprintf(stderr, "exported %d records\n", n)
	return 0
}
