// Command parley is the parley chat server: an IRC network that scales out over NATS.
//
//	parley serve [--config FILE] [--listen-irc ADDR] [--listen-tls ADDR] [--listen-http ADDR] [--data-dir DIR] [--dev-tls]
//	parley drain --config FILE | --pid PID   drain a running server for a restart (SIGUSR1)
//	parley mkpasswd            read a password on stdin, print its hash
//	parley account add|list|delete|passwd [NAME] [--password PW] [--config FILE]
//	parley ban add|del|list [TARGET] [--duration D] [--reason TEXT] [--config FILE]
//	parley history export --target '#chan' [--config FILE]   stored history as JSON lines
//	parley cluster status [--config FILE] [--json]   nodes, their clients, JetStream health
//	parley bench SCENARIO ...  load-test an IRC server (see docs/benchmarks.md)
//	parley version
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(args[1:], stdout, stderr)
	case "drain":
		return drainCmd(args[1:], stdout, stderr)
	case "mkpasswd":
		return mkpasswd(stdin, stdout, stderr)
	case "account":
		return accountCmd(args[1:], stdin, stdout, stderr)
	case "ban":
		return banCmd(args[1:], stdout, stderr)
	case "history":
		return historyCmd(args[1:], stdout, stderr)
	case "cluster":
		return clusterCmd(args[1:], stdout, stderr)
	case "bench":
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return benchMain(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "parley", version)
		return 0
	case "help", "--help", "-h":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "parley: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: parley <command> [flags]

commands:
  serve      run the server (flags: --config, --listen-irc, --listen-tls, --listen-http, --data-dir, --dev-tls, --drain-timeout)
  drain      ask a running server to drain for a restart (flags: --config FILE | --pid PID, --wait)
  mkpasswd   read a password on standard input and print its hash (for server.password and opers)
  account    manage accounts: parley account add|list|delete|passwd --help
  ban        manage network bans: parley ban add|del|list --help
  history    export stored history as JSON lines: parley history export --target '#chan' [--config FILE]
  cluster    the nodes of the network and JetStream's health: parley cluster status [--config FILE]
  bench      load-test an IRC server: parley bench fanout|rooms|idle|latency --help
  version    print the version
`)
}
