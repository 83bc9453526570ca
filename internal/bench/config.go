package bench

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// Hard bounds, so that every run ends by itself and stays inside the
// process file limit (20,000 on the machines we measure on).
const (
	maxClients  = 19000
	maxDuration = 10 * time.Minute
	maxWarmup   = time.Minute
	maxWindow   = 4096
	maxChannels = 20
)

// Scenarios, in the order the usage text lists them.
var scenarios = []string{"fanout", "rooms", "idle", "latency"}

// Config is one run's settings after flag parsing and validation.
type Config struct {
	Scenario      string
	Addr          string // one address, or several separated by commas
	TLS           bool
	Duration      time.Duration
	Warmup        time.Duration
	ConnectRate   float64 // new connections per second
	NickPrefix    string
	ChannelPrefix string
	Password      string
	JSON          bool
	Size          int

	Members       int     // fanout: channel size; rooms: members per room
	Senders       int     // fanout
	Rate          float64 // fanout: total msgs/s, 0 = closed loop
	Window        int     // closed loop: in-flight messages per sender
	Rooms         int     // rooms: room count; idle: channel pool size
	PerMemberRate float64 // rooms: msgs/s per member
	Clients       int     // idle
	Channels      int     // idle: channels joined per client
	ServerPID     int     // idle: read the server's VmRSS
}

// totalClients is the number of connections the scenario opens.
func (c *Config) totalClients() int {
	switch c.Scenario {
	case "rooms":
		return c.Rooms * c.Members
	case "idle":
		return c.Clients
	case "latency":
		return 2
	}
	return c.Members
}

// parseArgs reads "<scenario> [flags]" (flags may also come first).
// Defaults that differ by scenario are filled in after parsing.
func parseArgs(args []string, stderr io.Writer) (*Config, error) {
	c := &Config{}
	fs := flag.NewFlagSet("parley bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { usage(fs, stderr) }
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:6667", "server address, or several separated by commas (the nodes of one network): clients are spread over them in turn (loopback only)")
	fs.BoolVar(&c.TLS, "tls", false, "connect with TLS (certificate not verified)")
	fs.DurationVar(&c.Duration, "duration", 10*time.Second, "measured time (idle: hold time), at most 10m")
	fs.DurationVar(&c.Warmup, "warmup", 2*time.Second, "traffic before measuring starts")
	fs.Float64Var(&c.ConnectRate, "connect-rate", 2000, "new connections per second")
	fs.StringVar(&c.NickPrefix, "nick-prefix", "pb", "nick prefix")
	fs.StringVar(&c.ChannelPrefix, "channel-prefix", "#bench", "channel name prefix")
	fs.StringVar(&c.Password, "password", "", "server password (PASS)")
	fs.BoolVar(&c.JSON, "json", false, "print only the JSON line on stdout")
	fs.IntVar(&c.Size, "size", 140, "message text size in bytes")
	fs.IntVar(&c.Members, "members", 0, "fanout: channel members (500); rooms: members per room (10)")
	fs.IntVar(&c.Senders, "senders", 5, "fanout: members that send")
	fs.Float64Var(&c.Rate, "rate", 0, "fanout: total messages/s (0 = as fast as the window allows)")
	fs.IntVar(&c.Window, "window", 16, "closed loop: messages in flight per sender")
	fs.IntVar(&c.Rooms, "rooms", 0, "rooms: number of rooms (1000); idle: channel pool (clients/10)")
	fs.Float64Var(&c.PerMemberRate, "per-member-rate", 1, "rooms: messages/s per member")
	fs.IntVar(&c.Clients, "clients", 10000, "idle: clients")
	fs.IntVar(&c.Channels, "channels", 3, "idle: channels joined per client")
	fs.IntVar(&c.ServerPID, "server-pid", 0, "idle: server pid, to read its VmRSS")

	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		c.Scenario, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if c.Scenario == "" && fs.NArg() > 0 {
		c.Scenario = fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return nil, err
		}
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	switch c.Scenario {
	case "fanout":
		c.Members = orDefault(c.Members, 500)
	case "rooms":
		c.Members = orDefault(c.Members, 10)
		c.Rooms = orDefault(c.Rooms, 1000)
	case "idle":
		c.Rooms = orDefault(c.Rooms, max(c.Clients/10, c.Channels))
	case "latency":
		c.Members, c.Senders, c.Window = 2, 1, 1
	case "":
		usage(fs, stderr)
		return nil, errors.New("missing scenario")
	default:
		return nil, fmt.Errorf("unknown scenario %q (want one of %s)", c.Scenario, strings.Join(scenarios, ", "))
	}
	return c, c.validate()
}

func orDefault(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

func usage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprintf(w, "usage: parley bench <%s> [flags]\n", strings.Join(scenarios, "|"))
	fs.PrintDefaults()
}

// validate applies the hard bounds; every message names the flag.
func (c *Config) validate() error {
	var errs []error
	check := func(bad bool, format string, a ...any) {
		if bad {
			errs = append(errs, fmt.Errorf(format, a...))
		}
	}
	check(c.Duration <= 0 || c.Duration > maxDuration, "--duration must be in (0, %s]", maxDuration)
	check(c.Warmup < 0 || c.Warmup > maxWarmup, "--warmup must be in [0, %s]", maxWarmup)
	check(!(c.ConnectRate > 0 && c.ConnectRate <= 100000), "--connect-rate must be in (0, 100000]")
	check(c.Size < 0 || c.Size > maxSize, "--size must be in [0, %d]", maxSize)
	check(c.Window < 1 || c.Window > maxWindow, "--window must be in [1, %d]", maxWindow)
	check(!validName(c.NickPrefix) || len(c.NickPrefix) > 16, "--nick-prefix must be a short word of letters")
	check(!validChannelPrefix(c.ChannelPrefix), "--channel-prefix must start with # or & and hold no spaces or commas")
	check(strings.ContainsAny(c.Password, " \r\n\x00"), "--password must not contain spaces or line breaks")
	switch c.Scenario {
	case "fanout":
		check(c.Members < 2, "--members must be at least 2")
		check(c.Senders < 1 || c.Senders > c.Members, "--senders must be in [1, --members]")
		check(c.Rate < 0 || c.Rate > 1e7, "--rate must be in [0, 1e7]")
	case "rooms":
		check(c.Members < 2, "--members must be at least 2")
		check(c.Rooms < 1, "--rooms must be at least 1")
		check(!(c.PerMemberRate > 0 && c.PerMemberRate <= 1000), "--per-member-rate must be in (0, 1000]")
	case "idle":
		check(c.Clients < 1, "--clients must be at least 1")
		check(c.Channels < 0 || c.Channels > maxChannels, "--channels must be in [0, %d]", maxChannels)
		check(c.Rooms < c.Channels, "--rooms (the channel pool) must be at least --channels")
		check(c.ServerPID < 0, "--server-pid must be positive")
	}
	n := c.totalClients()
	check(n > maxClients, "%d clients requested; at most %d (the process file limit is 20,000)", n, maxClients)
	for _, a := range c.addrs() {
		if err := checkLoopback(a); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// checkLoopback refuses any address outside 127.0.0.0/8 and ::1: the
// generator is a flood tool and must never be pointed at someone else's
// server. "localhost" is taken to mean 127.0.0.1.
func checkLoopback(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %v", addr, err)
	}
	if port == "" {
		return fmt.Errorf("--addr %q: missing port", addr)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--addr %q refused: parley bench only connects to loopback addresses (127.0.0.0/8 or ::1)", addr)
	}
	return nil
}

// addrs splits --addr at its commas; empty entries are kept, so validation reports them.
func (c *Config) addrs() []string {
	list := strings.Split(c.Addr, ",")
	for i := range list {
		list[i] = strings.TrimSpace(list[i])
	}
	return list
}

// dialAddr is the address client number id dials: the addresses in turn (round-robin), so with
// several nodes client 0 is on the first, client 1 on the second, and so on.
func (c *Config) dialAddr(id int) string {
	list := c.addrs()
	host, port, _ := net.SplitHostPort(list[id%len(list)])
	if host == "localhost" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		letter := b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
		if !letter && (i == 0 || !(b >= '0' && b <= '9' || b == '_' || b == '-')) {
			return false
		}
	}
	return true
}

func validChannelPrefix(s string) bool {
	return len(s) >= 1 && len(s) <= 32 && (s[0] == '#' || s[0] == '&') &&
		!strings.ContainsAny(s, " ,\a\r\n\x00")
}
