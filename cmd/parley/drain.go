package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/node"
)

// pidFileName is written into the data directory while the server runs, so that
// `parley drain --config FILE` can find the process.
const pidFileName = "parley.pid"

// drainNode drains n and returns the exit status: 0 whether or not every client left in time (the
// stragglers are cut off), since the drain itself did its job.
func drainNode(n *node.Node, timeout time.Duration, logger *slog.Logger) int {
	logger.Info("draining for a restart", "timeout", timeout.String())
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := n.Drain(ctx); err != nil {
		logger.Warn("drain timed out; remaining clients were disconnected", "err", err)
	}
	logger.Info("drained, exiting")
	return 0
}

// rehashLoader is what REHASH re-reads: the same file with the same command-line overrides as at
// start-up, or nil when the server runs on built-in defaults.
func rehashLoader(f *serveFlags) func() (*config.Config, error) {
	if f.config == "" {
		return nil
	}
	return func() (*config.Config, error) { return loadConfig(f) }
}

// writePIDFile records the process id in the data directory and returns the function that
// removes it. Failing to write it only costs `parley drain --config`, so it is logged, not fatal.
// The file is written beside and renamed into place, so a reader never sees it half written.
func writePIDFile(dataDir string, logger *slog.Logger) func() {
	path := filepath.Join(dataDir, pidFileName)
	tmp := path + ".tmp"
	err := os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644)
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		logger.Warn("cannot write the pid file; `parley drain --config` will not find this server", "path", path, "err", err)
		return func() {}
	}
	return func() { _ = os.Remove(path) }
}

// drainCmd is `parley drain`: it sends the drain signal to a running server, found by --pid or
// through the pid file in the data directory of --config, and waits for it to exit.
func drainCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("parley drain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "", "the server's configuration file (its data_dir holds "+pidFileName+")")
	pid := fs.Int("pid", 0, "the server's process id")
	wait := fs.Duration("wait", 35*time.Second, "how long to wait for the server to exit; 0 = do not wait")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "parley drain: unexpected argument %q\n", fs.Arg(0))
		return 2
	case (*cfgPath == "") == (*pid == 0):
		fmt.Fprintln(stderr, "parley drain: give exactly one of --config FILE or --pid PID")
		return 2
	case *pid < 0:
		fmt.Fprintln(stderr, "parley drain: --pid must be a positive process id")
		return 2
	}
	target := *pid
	if target == 0 {
		var err error
		if target, err = pidFromConfig(*cfgPath); err != nil {
			fmt.Fprintln(stderr, "parley drain:", err)
			return 1
		}
	}
	if err := signalProcess(target, drainSignal); err != nil {
		fmt.Fprintf(stderr, "parley drain: cannot signal process %d: %v\n", target, err)
		return 1
	}
	fmt.Fprintf(stdout, "parley drain: asked process %d to drain\n", target)
	if *wait <= 0 {
		return 0
	}
	if !waitExit(target, *wait) {
		fmt.Fprintf(stderr, "parley drain: process %d still running after %v\n", target, *wait)
		return 1
	}
	fmt.Fprintf(stdout, "parley drain: process %d has exited\n", target)
	return 0
}

// pidFromConfig reads the pid file in the data directory named by the configuration file.
func pidFromConfig(path string) (int, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return 0, err
	}
	pidPath := filepath.Join(cfg.DataDir, pidFileName)
	b, err := os.ReadFile(pidPath)
	if err != nil {
		return 0, fmt.Errorf("no running server found: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("%s does not hold a process id", pidPath)
	}
	return pid, nil
}

// waitExit polls until the process is gone or wait has passed.
func waitExit(pid int, wait time.Duration) bool {
	for end := time.Now().Add(wait); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if !processAlive(pid) {
			return true
		}
	}
	return false
}
