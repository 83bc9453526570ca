package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/node"
	"github.com/parleychat/parley/internal/store"
)

const banUsage = `usage:
  parley ban add TARGET [--duration D] [--reason TEXT] [--config FILE]
  parley ban del ID|TARGET [--config FILE]
  parley ban list [--config FILE]

TARGET is an IP address (192.0.2.7), a CIDR network (192.0.2.0/24), a nick!user@host mask
with * and ? (a bare nick means nick!*@*), or an account ($a:NAME or account:NAME).
D is <number><unit>... with the units s, m, h, d, w and y (1h, 7d, 1w2d); without it, or with
perm, the ban never expires. Every node enforces a ban and disconnects the users it covers.
While the server runs, the commands go through its JSON API (listen.http and the first
api.tokens entry with the admin scope); while it is stopped, they open the data directory.
`

// banArgs are the parsed arguments of `parley ban`.
type banArgs struct {
	sub, target, duration, reason, config string
}

// banCmd runs `parley ban ...`. Exit codes: 0 done, 1 the operation failed, 2 bad usage.
func banCmd(args []string, stdout, stderr io.Writer) int {
	a, err := parseBanArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, banUsage)
		return 0
	}
	if err == nil && a.sub == "add" {
		// Checked here too, so a typo is reported as bad usage before any server is contacted.
		_, err = node.ParseBan(a.target, a.duration, a.reason, time.Now())
	}
	if err != nil {
		fmt.Fprintf(stderr, "parley ban: %v\n\n%s", strings.TrimPrefix(err.Error(), store.ErrInvalid.Error()+": "), banUsage)
		return 2
	}
	return runAdmin("ban", a.config, stderr, banBackend, func(ops banOps) error { return runBanOp(ops, a, stdout) })
}

// parseBanArgs reads the subcommand, its target and the flags, which may come before or after the
// target.
func parseBanArgs(args []string) (banArgs, error) {
	var a banArgs
	if len(args) == 0 {
		return a, errors.New("missing subcommand (add, del or list)")
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		return a, flag.ErrHelp
	}
	a.sub, args = args[0], args[1:]
	fs := flag.NewFlagSet("parley ban "+a.sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&a.config, "config", "", "YAML configuration file (default: built-in defaults)")
	if a.sub == "add" {
		fs.StringVar(&a.duration, "duration", "", "how long the ban lasts (default: permanent)")
		fs.StringVar(&a.reason, "reason", "", "the reason shown to the banned user")
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
	want := 1
	switch a.sub {
	case "list":
		want = 0
	case "add", "del":
	default:
		return a, fmt.Errorf("unknown subcommand %q", a.sub)
	}
	switch {
	case len(positional) == want && want == 1:
		a.target = positional[0]
	case len(positional) != want && want == 0:
		return a, fmt.Errorf("list takes no arguments, got %q", positional)
	case len(positional) != want:
		return a, fmt.Errorf("%s needs exactly one TARGET, got %d arguments", a.sub, len(positional))
	}
	return a, nil
}

// banOps is what the subcommands do, through the API or on the data directory.
type banOps interface {
	addBan(ctx context.Context, target, duration, reason string) (store.Ban, error)
	removeBans(ctx context.Context, ref string) ([]store.Ban, error)
	listBans(ctx context.Context) ([]store.Ban, error)
}

// banBackend runs ban operations on the backend adminBackend picks.
func banBackend(cfg *config.Config) (banOps, func(), error) {
	client, st, err := adminBackend(cfg)
	if err != nil {
		return nil, nil, err
	}
	if client != nil {
		return client, func() {}, nil
	}
	return offlineBans{st}, func() { st.Close() }, nil
}

// runBanOp runs the subcommand and prints its result.
func runBanOp(ops banOps, a banArgs, stdout io.Writer) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	switch a.sub {
	case "add":
		b, err := ops.addBan(ctx, a.target, a.duration, a.reason)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "ban %s added: %s %s, %s\n", b.ID, b.Kind, b.Pattern, banExpiry(b, time.Now()))
	case "del":
		removed, err := ops.removeBans(ctx, a.target)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no ban has the ID or target %s", a.target)
		} else if err != nil {
			return err
		}
		for _, b := range removed {
			fmt.Fprintf(stdout, "ban %s removed: %s %s\n", b.ID, b.Kind, b.Pattern)
		}
	case "list":
		bans, err := ops.listBans(ctx)
		if err != nil {
			return err
		}
		now := time.Now()
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tKIND\tPATTERN\tEXPIRES\tSET BY\tREASON")
		for _, b := range bans {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", b.ID, b.Kind, b.Pattern, banExpiry(b, now), b.SetBy, b.Reason)
		}
		return tw.Flush()
	}
	return nil
}

func banExpiry(b store.Ban, now time.Time) string {
	switch {
	case b.Expires.IsZero():
		return "permanent"
	case b.Expired(now):
		return "expired " + b.Expires.UTC().Format(time.RFC3339)
	}
	return "until " + b.Expires.UTC().Format(time.RFC3339)
}

// offlineBans works on the data directory of a stopped server.
type offlineBans struct{ st *node.OfflineStore }

func (o offlineBans) addBan(ctx context.Context, target, duration, reason string) (store.Ban, error) {
	return o.st.AddBan(ctx, target, duration, reason, "cli")
}

func (o offlineBans) removeBans(ctx context.Context, ref string) ([]store.Ban, error) {
	return o.st.RemoveBans(ctx, ref)
}

func (o offlineBans) listBans(ctx context.Context) ([]store.Ban, error) { return o.st.Bans(ctx) }

// banJSON is a ban as /api/v1/bans sends it.
type banJSON struct {
	ID      string     `json:"id"`
	Kind    string     `json:"kind"`
	Pattern string     `json:"pattern"`
	Reason  string     `json:"reason"`
	SetBy   string     `json:"set_by"`
	Created time.Time  `json:"created"`
	Expires *time.Time `json:"expires"`
}

func (b banJSON) ban() store.Ban {
	out := store.Ban{ID: b.ID, Kind: b.Kind, Pattern: b.Pattern, Reason: b.Reason, SetBy: b.SetBy, Created: b.Created}
	if b.Expires != nil {
		out.Expires = *b.Expires
	}
	return out
}

func (c *apiClient) addBan(ctx context.Context, target, duration, reason string) (store.Ban, error) {
	var out banJSON
	err := c.call(ctx, "POST", "/bans", map[string]string{"target": target, "duration": duration, "reason": reason}, &out)
	return out.ban(), err
}

func (c *apiClient) removeBans(ctx context.Context, ref string) ([]store.Ban, error) {
	var out struct {
		Removed []banJSON `json:"removed"`
	}
	if err := c.call(ctx, "DELETE", "/bans/"+url.PathEscape(ref), nil, &out); err != nil {
		return nil, err
	}
	bans := make([]store.Ban, 0, len(out.Removed))
	for _, b := range out.Removed {
		bans = append(bans, b.ban())
	}
	return bans, nil
}

func (c *apiClient) listBans(ctx context.Context) ([]store.Ban, error) {
	var out struct {
		Bans []banJSON `json:"bans"`
	}
	if err := c.call(ctx, "GET", "/bans", nil, &out); err != nil {
		return nil, err
	}
	bans := make([]store.Ban, 0, len(out.Bans))
	for _, b := range out.Bans {
		bans = append(bans, b.ban())
	}
	return bans, nil
}
