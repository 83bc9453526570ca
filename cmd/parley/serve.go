package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/node"
	"github.com/parleychat/parley/internal/obs"
)

// listFlag collects a repeatable flag; commas also separate values.
type listFlag struct {
	values []string
	set    bool
}

func (l *listFlag) String() string { return strings.Join(l.values, ",") }

func (l *listFlag) Set(v string) error {
	if !l.set {
		l.values = nil
		l.set = true
	}
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			l.values = append(l.values, part)
		}
	}
	return nil
}

type serveFlags struct {
	config     string
	listenIRC  listFlag
	listenTLS  listFlag
	listenHTTP string
	httpSet    bool
	dataDir    string
	devTLS     bool
	// drainTimeout bounds a drain (SIGUSR1): the server exits when every client has gone or this
	// much time has passed.
	drainTimeout time.Duration
}

func parseServeFlags(args []string, stderr io.Writer) (*serveFlags, error) {
	fs := flag.NewFlagSet("parley serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &serveFlags{}
	fs.StringVar(&f.config, "config", "", "YAML configuration file (default: built-in defaults)")
	fs.Var(&f.listenIRC, "listen-irc", "IRC listen address, repeatable (overrides listen.irc)")
	fs.Var(&f.listenTLS, "listen-tls", "IRC-over-TLS listen address, repeatable (overrides listen.tls)")
	fs.StringVar(&f.listenHTTP, "listen-http", "", `HTTP listen address, "" to disable (overrides listen.http)`)
	fs.StringVar(&f.dataDir, "data-dir", "", "data directory (overrides data_dir)")
	fs.BoolVar(&f.devTLS, "dev-tls", false, "generate a self-signed certificate into the data directory for TLS listeners")
	fs.DurationVar(&f.drainTimeout, "drain-timeout", 30*time.Second, "how long a drain (SIGUSR1, `parley drain`) waits for clients to leave")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	fs.Visit(func(fl *flag.Flag) {
		if fl.Name == "listen-http" {
			f.httpSet = true
		}
	})
	return f, nil
}

// loadConfig reads the file (or the defaults) and applies the command-line overrides.
func loadConfig(f *serveFlags) (*config.Config, error) {
	if f.config != "" {
		return config.LoadWith(f.config, f.apply)
	}
	cfg := config.Defaults()
	f.apply(cfg)
	return cfg, cfg.Validate()
}

// apply puts the command line's overrides on a configuration, before it is validated.
func (f *serveFlags) apply(cfg *config.Config) {
	if f.listenIRC.set {
		cfg.Listen.IRC = f.listenIRC.values
	}
	if f.listenTLS.set {
		cfg.Listen.TLS = f.listenTLS.values
	}
	if f.httpSet {
		cfg.Listen.HTTP = f.listenHTTP
	}
	if f.dataDir != "" {
		cfg.DataDir = f.dataDir
	}
	if f.devTLS {
		cfg.DevTLS = true
		if len(cfg.Listen.TLS) == 0 {
			cfg.Listen.TLS = []string{":6697"}
		}
	}
}

func serve(args []string, stdout, stderr io.Writer) int {
	f, err := parseServeFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "parley serve:", err)
		return 2
	}
	cfg, err := loadConfig(f)
	if err != nil {
		fmt.Fprintln(stderr, "parley serve: bad configuration:")
		fmt.Fprintln(stderr, err)
		return 2
	}
	logger, _, err := obs.NewLogger(stderr, cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		fmt.Fprintln(stderr, "parley serve:", err)
		return 2
	}
	start := time.Now()
	n, err := node.New(cfg, node.Options{Logger: logger, Version: "parley-" + version,
		ConfigPath: f.config, LoadConfig: rehashLoader(f)})
	if err != nil {
		fmt.Fprintln(stderr, "parley serve:", err)
		return 1
	}
	// The signals are caught and the pid file is in place before the listeners open: a client
	// that has registered can count on `parley drain --config` finding this server, and a drain
	// signal sent that early waits for the loop below instead of killing the process.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, drainSignal)
	removePID := writePIDFile(cfg.DataDir, logger)
	defer removePID()
	if err := n.Start(); err != nil {
		fmt.Fprintln(stderr, "parley serve:", err)
		return 1
	}
	logger.Info("parley is running", "server", cfg.Server.Name, "network", cfg.Server.Network,
		"data_dir", cfg.DataDir, "startup", time.Since(start).Round(time.Millisecond).String())
	for sig := range sigs {
		if sig == syscall.SIGHUP {
			reloadFromFlags(n, f, logger)
			continue
		}
		if sig == drainSignal {
			return drainNode(n, f.drainTimeout, logger)
		}
		logger.Info("shutting down", "signal", sig.String())
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := n.Shutdown(ctx, "Server shutting down")
		cancel()
		if err != nil {
			logger.Warn("shutdown did not drain every client", "err", err)
		}
		return 0
	}
	return 0
}
