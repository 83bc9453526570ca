package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/node"
	"github.com/parleychat/parley/internal/store"
)

const accountUsage = `usage:
  parley account add NAME [--password PW] [--email ADDR] [--config FILE]
  parley account list [--config FILE]
  parley account delete NAME [--config FILE]
  parley account passwd NAME [--password PW] [--config FILE]

Without --password, the password is read from the first line of standard input.
While the server runs, the commands go through its JSON API (listen.http and the first
api.tokens entry with the admin scope); while it is stopped, they open the data directory.
`

// accountArgs are the parsed arguments of `parley account`.
type accountArgs struct {
	sub, name, password, email, config string
	passwordSet                        bool
}

// accountCmd runs `parley account ...`. Exit codes: 0 done, 1 the operation failed, 2 bad usage.
func accountCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a, err := parseAccountArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, accountUsage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "parley account: %v\n\n%s", err, accountUsage)
		return 2
	}
	if (a.sub == "add" || a.sub == "passwd") && !a.passwordSet {
		if a.password, err = readPassword(stdin); err != nil {
			fmt.Fprintln(stderr, "parley account:", err)
			return 2
		}
	}
	return runAdmin("account", a.config, stderr, accountBackend, func(ops accountOps) error { return runAccountOp(ops, a, stdout) })
}

// runAdmin runs one administrative operation: it loads the configuration, opens the backend (the
// running server's API, or the data directory when the server is stopped) and maps failures to
// exit codes: 2 for a bad configuration, 1 when the operation fails.
func runAdmin[T any](cmd, cfgPath string, stderr io.Writer, open func(*config.Config) (T, func(), error), op func(T) error) int {
	cfg, err := loadAccountConfig(cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "parley %s: bad configuration:\n%v\n", cmd, err)
		return 2
	}
	ops, closeOps, err := open(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "parley %s: %v\n", cmd, err)
		return 1
	}
	defer closeOps()
	if err := op(ops); err != nil {
		fmt.Fprintf(stderr, "parley %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

// parseAccountArgs reads the subcommand, its NAME and the flags, which may come before or after
// the name.
func parseAccountArgs(args []string, stderr io.Writer) (accountArgs, error) {
	var a accountArgs
	if len(args) == 0 {
		return a, errors.New("missing subcommand (add, list, delete or passwd)")
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		return a, flag.ErrHelp
	}
	a.sub, args = args[0], args[1:]
	fs := flag.NewFlagSet("parley account "+a.sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&a.config, "config", "", "YAML configuration file (default: built-in defaults)")
	if a.sub == "add" || a.sub == "passwd" {
		fs.StringVar(&a.password, "password", "", "the password (default: read from standard input)")
	}
	if a.sub == "add" {
		fs.StringVar(&a.email, "email", "", "the account's email address")
	}
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return a, err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	fs.Visit(func(f *flag.Flag) { a.passwordSet = a.passwordSet || f.Name == "password" })
	want := 1
	switch a.sub {
	case "list":
		want = 0
	case "add", "delete", "passwd":
	default:
		return a, fmt.Errorf("unknown subcommand %q", a.sub)
	}
	if len(positional) != want {
		if want == 0 {
			return a, fmt.Errorf("%s takes no arguments, got %q", a.sub, positional)
		}
		return a, fmt.Errorf("%s needs exactly one account NAME, got %d arguments", a.sub, len(positional))
	}
	if want == 1 {
		a.name = positional[0]
	}
	return a, nil
}

// readPassword reads one line of standard input.
func readPassword(stdin io.Reader) (string, error) {
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("no password: give --password or type it on standard input")
	}
	return pw, nil
}

func loadAccountConfig(path string) (*config.Config, error) {
	if path == "" {
		cfg := config.Defaults()
		return cfg, cfg.Validate()
	}
	return config.Load(path)
}

// accountOps is what the subcommands do, through the API or on the data directory.
type accountOps interface {
	add(ctx context.Context, name, email, password string) error
	list(ctx context.Context) ([]store.Account, error)
	remove(ctx context.Context, name string) error
	passwd(ctx context.Context, name, password string) error
}

// accountBackend runs account operations on the backend adminBackend picks.
func accountBackend(cfg *config.Config) (accountOps, func(), error) {
	client, st, err := adminBackend(cfg)
	if err != nil {
		return nil, nil, err
	}
	if client != nil {
		return client, func() {}, nil
	}
	return offlineOps{st}, func() { st.Close() }, nil
}

// adminBackend picks the running server's API when it answers, and the data directory otherwise;
// exactly one of client and st is set. A data directory that is locked means a server runs whose
// API cannot be used.
func adminBackend(cfg *config.Config) (client *apiClient, st *node.OfflineStore, err error) {
	client, why := newAPIClient(cfg)
	if client != nil {
		if err := client.ping(); err == nil {
			return client, nil, nil
		} else if !isConnRefused(err) {
			return nil, nil, fmt.Errorf("the server's API at %s: %w", client.base, err)
		}
	}
	st, err = node.OpenOfflineStore(cfg)
	if err != nil {
		if strings.Contains(err.Error(), "locked") {
			return nil, nil, fmt.Errorf("the server is running (%v), but its API cannot be used: %s", err, why)
		}
		return nil, nil, err
	}
	return nil, st, nil
}

func isConnRefused(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// runAccountOp runs the subcommand and prints its result.
func runAccountOp(ops accountOps, a accountArgs, stdout io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	switch a.sub {
	case "add":
		if err := ops.add(ctx, a.name, a.email, a.password); err != nil {
			return explain(err, a.name)
		}
		fmt.Fprintf(stdout, "account %s created\n", a.name)
	case "delete":
		if err := ops.remove(ctx, a.name); err != nil {
			return explain(err, a.name)
		}
		fmt.Fprintf(stdout, "account %s deleted\n", a.name)
	case "passwd":
		if err := ops.passwd(ctx, a.name, a.password); err != nil {
			return explain(err, a.name)
		}
		fmt.Fprintf(stdout, "password of %s changed\n", a.name)
	case "list":
		accts, err := ops.list(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tEMAIL\tCREATED\tCERTS")
		for _, acct := range accts {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", acct.Name, acct.Email, acct.Created.UTC().Format(time.RFC3339), len(acct.Certfps))
		}
		return tw.Flush()
	}
	return nil
}

// explain turns store errors into sentences naming the account.
func explain(err error, name string) error {
	switch {
	case errors.Is(err, store.ErrExists):
		return fmt.Errorf("account %s already exists", name)
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("there is no account %s", name)
	}
	return err
}

// offlineOps works on the data directory of a stopped server.
type offlineOps struct{ st *node.OfflineStore }

func (o offlineOps) add(ctx context.Context, name, email, password string) error {
	_, err := o.st.AddAccount(ctx, name, email, []byte(password))
	return err
}

func (o offlineOps) list(ctx context.Context) ([]store.Account, error) { return o.st.Accounts(ctx) }

func (o offlineOps) remove(ctx context.Context, name string) error {
	return o.st.DeleteAccount(ctx, name)
}

func (o offlineOps) passwd(ctx context.Context, name, password string) error {
	return o.st.SetPassword(ctx, name, []byte(password))
}
