package bench

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"
)

// Exit codes of Main.
const (
	exitOK    = 0
	exitFail  = 1 // the run could not be carried out
	exitUsage = 2 // bad flags
)

// Main runs `parley bench <scenario> [flags]`: it parses args (without the
// program and subcommand names), runs one scenario against a loopback IRC
// server, prints a progress line a second on stderr, and ends with a human
// summary and one JSON line on stdout (only the JSON line with --json). It
// returns the process exit code. Every run stops by itself; cancelling ctx
// stops it early. Main may be called from any goroutine, but runs should not
// overlap: each one raises the process file limit and expects the machine
// to itself.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "parley bench: %v\n", err)
		return exitUsage
	}
	limit, err := raiseFileLimit()
	if err != nil {
		fmt.Fprintf(stderr, "parley bench: raising the file limit: %v\n", err)
	}
	if need := uint64(cfg.totalClients()) + 64; limit != 0 && need > limit {
		fmt.Fprintf(stderr, "parley bench: %d clients need about %d file descriptors; the limit is %d\n",
			cfg.totalClients(), need, limit)
		return exitFail
	}
	// Setup is bounded at 5 minutes, draining at drainMax; the rest is slack.
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute+cfg.Warmup+cfg.Duration+drainMax+30*time.Second)
	defer cancel()
	rep, err := execute(ctx, cfg, stderr)
	if rep != nil {
		if !cfg.JSON {
			rep.writeSummary(stdout)
		}
		if werr := rep.writeJSON(stdout); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "parley bench: %v\n", err)
		return exitFail
	}
	return exitOK
}
