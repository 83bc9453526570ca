// Package config loads parley's YAML configuration file into plain structs
// and checks every value, naming the offending key in each error.
//
// The YAML key names are a contract with operators: renaming one breaks
// their files, so keys are only ever added. docs/config.md describes each
// key. The package has no behaviour beyond loading and validating; a Config
// is a value that the node treats as an immutable snapshot (take a Clone
// before changing one that others may be reading).
package config

// Config is the whole configuration file.
type Config struct {
	Server    Server    `yaml:"server"`
	Listen    Listen    `yaml:"listen"`
	TLS       TLS       `yaml:"tls"`
	DataDir   string    `yaml:"data_dir"`
	Limits    Limits    `yaml:"limits"`
	Opers     []Oper    `yaml:"opers"`
	Log       Log       `yaml:"log"`
	API       API       `yaml:"api"`
	Webhooks  []Webhook `yaml:"webhooks"`
	WebSocket WebSocket `yaml:"websocket"`
	HTTP      HTTP      `yaml:"http"`
	Accounts  Accounts  `yaml:"accounts"`
	History   History   `yaml:"history"`
	Cluster   Cluster   `yaml:"cluster"`
	// OperClasses name sets of operator privileges; opers[].class picks one. The class "admin"
	// holds every privilege unless the file defines it otherwise.
	OperClasses []OperClass `yaml:"oper_classes"`
	// Filters are matched against PRIVMSG and NOTICE text before delivery.
	Filters []Filter `yaml:"filters"`

	// DevTLS is set by the --dev-tls flag: TLS listeners then use a
	// self-signed certificate and tls.cert/tls.key are not required.
	DevTLS bool `yaml:"-" diff:"dev_tls"`
}

// Server describes this server to clients.
type Server struct {
	Name        string `yaml:"name"`
	Network     string `yaml:"network"`
	Password    string `yaml:"password"` // hash from `parley mkpasswd`; "" = no PASS needed
	MOTD        string `yaml:"motd"`
	MOTDFile    string `yaml:"motd_file"`
	Casemapping string `yaml:"casemapping"`
	Info        string `yaml:"info"`
	Admin       Admin  `yaml:"admin"`

	// MOTDFromFile holds the contents of MOTDFile, read by Load.
	MOTDFromFile string `yaml:"-" diff:"motd_file"`
}

// MOTDText returns the message of the day: the contents of motd_file when
// that key is set, otherwise the inline motd text.
//
// It only reads the value, so it is safe for concurrent use.
func (s *Server) MOTDText() string {
	if s.MOTDFile != "" {
		return s.MOTDFromFile
	}
	return s.MOTD
}

// Admin is the contact information the ADMIN command returns.
type Admin struct {
	Location1 string `yaml:"location1"`
	Location2 string `yaml:"location2"`
	Email     string `yaml:"email"`
}

// Listen lists the addresses the node accepts connections on. Addresses are
// Go "host:port" strings; ":port" listens on every IPv4 and IPv6 address.
type Listen struct {
	IRC           []string `yaml:"irc"`
	TLS           []string `yaml:"tls"`
	HTTP          string   `yaml:"http"` // "" disables the HTTP door
	ProxyProtocol bool     `yaml:"proxy_protocol"`
	ProxyTrusted  []string `yaml:"proxy_trusted"` // CIDRs allowed to send PROXY headers
}

// TLS names the certificate and key files for the TLS listeners.
type TLS struct {
	Cert string `yaml:"cert"`
	Key  string `yaml:"key"`
	// STSDuration is the IRCv3 sts policy lifetime announced on TLS connections. 0 announces the
	// TLS port to plain-text clients (an upgrade for that connection) without a lasting policy.
	STSDuration Duration `yaml:"sts_duration"`
}

// Limits bounds what one client, or one address, may use.
type Limits struct {
	Flood               Flood     `yaml:"flood"`
	SendQ               Size      `yaml:"sendq"`
	PingInterval        Duration  `yaml:"ping_interval"`
	PingTimeout         Duration  `yaml:"ping_timeout"`
	RegistrationTimeout Duration  `yaml:"registration_timeout"`
	MaxClients          int       `yaml:"max_clients"` // 0 = unlimited
	NickLen             int       `yaml:"nicklen"`
	ChannelLen          int       `yaml:"channellen"`
	TopicLen            int       `yaml:"topiclen"`
	KickLen             int       `yaml:"kicklen"`
	AwayLen             int       `yaml:"awaylen"`
	RealnameLen         int       `yaml:"realnamelen"`
	MaxChannels         int       `yaml:"max_channels"`
	MaxTargets          int       `yaml:"max_targets"`
	MaxListEntries      int       `yaml:"max_list_entries"`
	WhowasEntries       int       `yaml:"whowas_entries"` // 0 = WHOWAS off
	PerIP               int       `yaml:"per_ip"`         // 0 = unlimited
	PerCIDR             CIDRLimit `yaml:"per_cidr"`
	ConnectThrottle     Throttle  `yaml:"connect_throttle"`
	Exempt              []string  `yaml:"exempt"` // CIDRs exempt from per_ip, per_cidr, connect_throttle
}

// Flood is the per-client token bucket for incoming lines, plus a bucket per command class.
// Enabled false turns every one of them off.
type Flood struct {
	Enabled bool    `yaml:"enabled"`
	Burst   int     `yaml:"burst"` // lines
	Rate    float64 `yaml:"rate"`  // lines per second
	// Messages counts PRIVMSG, NOTICE and TAGMSG targets, Joins the channels joined, Nicks the
	// nick changes after registration.
	Messages FloodClass `yaml:"messages"`
	Joins    FloodClass `yaml:"joins"`
	Nicks    FloodClass `yaml:"nicks"`
}

// FloodClass is a token bucket for one class of commands: Burst at once, then Rate per second.
type FloodClass struct {
	Burst int     `yaml:"burst"` // 0 = off
	Rate  float64 `yaml:"rate"`
}

// OperClass is a named set of operator privileges.
type OperClass struct {
	Name       string   `yaml:"name"`
	Privileges []string `yaml:"privileges"`
}

// The operator privileges an oper class may hold.
const (
	PrivKill        = "kill"         // KILL
	PrivBan         = "ban"          // network bans
	PrivRehash      = "rehash"       // REHASH
	PrivSeeHidden   = "see_hidden"   // see invisible users and secret channels
	PrivFloodExempt = "flood_exempt" // no flood control
	PrivDrain       = "drain"        // drain the node for an upgrade
)

// Privileges lists every operator privilege, in documentation order.
var Privileges = []string{PrivKill, PrivBan, PrivRehash, PrivSeeHidden, PrivFloodExempt, PrivDrain}

// Filter is one spam filter: a Go (RE2) regular expression over message text.
type Filter struct {
	Name    string   `yaml:"name"`
	Pattern string   `yaml:"pattern"`
	Action  string   `yaml:"action"`  // block | warn | kill
	Targets []string `yaml:"targets"` // channels | private; empty = both
	Reason  string   `yaml:"reason"`
}

// OperClassFor returns the privileges of the named class: the one defined in oper_classes, or,
// for "admin" when the file does not define it, every privilege. ok is false for an unknown class.
//
// It only reads c, so it is safe for concurrent use.
func (c *Config) OperClassFor(name string) (privileges []string, ok bool) {
	for _, oc := range c.OperClasses {
		if oc.Name == name {
			return oc.Privileges, true
		}
	}
	if name == defaultOperClass {
		return Privileges, true
	}
	return nil, false
}

// CIDRLimit caps concurrent connections from one network prefix.
type CIDRLimit struct {
	IPv4Prefix int `yaml:"ipv4_prefix"`
	IPv6Prefix int `yaml:"ipv6_prefix"`
	Max        int `yaml:"max"` // 0 = off
}

// Throttle is a token bucket for new connections from one IP: up to Burst
// at once, refilled by Refill tokens every Per.
type Throttle struct {
	Burst  int      `yaml:"burst"` // 0 = off
	Refill int      `yaml:"refill"`
	Per    Duration `yaml:"per"`
}

// RatePerSecond returns the refill rate in tokens per second, or 0 when the
// throttle is off or Per is not positive.
//
// It only reads the value, so it is safe for concurrent use.
func (t Throttle) RatePerSecond() float64 {
	if t.Burst == 0 || t.Per <= 0 {
		return 0
	}
	return float64(t.Refill) / t.Per.Duration().Seconds()
}

// Oper is one IRC operator block.
type Oper struct {
	Name     string   `yaml:"name"`
	Password string   `yaml:"password"` // hash from `parley mkpasswd`
	Class    string   `yaml:"class"`
	Hosts    []string `yaml:"hosts"` // user@host masks; empty = any
}

// Log configures the structured log.
type Log struct {
	Level  string `yaml:"level"`  // debug | info | warn | error
	Format string `yaml:"format"` // text | json
}

// API configures the JSON API's bearer tokens.
type API struct {
	Tokens []APIToken `yaml:"tokens"`
}

// APIToken is one bearer token and what it may do.
type APIToken struct {
	Token  string   `yaml:"token"`
	Name   string   `yaml:"name"`
	Scopes []string `yaml:"scopes"` // read | post | admin
}

// Webhook is one outgoing webhook: each matching event is POSTed to URL as
// JSON, signed with Secret (X-Parley-Signature: sha256=<hex HMAC>).
type Webhook struct {
	URL      string   `yaml:"url"`      // http:// or https://
	Secret   string   `yaml:"secret"`   // HMAC-SHA256 key, at least 16 characters
	Events   []string `yaml:"events"`   // event kinds (privmsg, join...); empty = all
	Channels []string `yaml:"channels"` // channel names; empty = every channel
}

// WebhookEvents are the event kinds a webhook may ask for: the API's event
// type names.
var WebhookEvents = []string{"privmsg", "notice", "join", "part", "kick", "quit", "nick", "topic", "mode",
	"away", "account", "chghost", "setname"}

// WebSocket configures the /ws endpoint.
type WebSocket struct {
	// Origins are the allowed Origin header values ("https://chat.example.net",
	// "https://*.example.net", or "*"); empty allows same-host pages only.
	Origins []string `yaml:"origins"`
}

// HTTP configures the HTTP door.
type HTTP struct {
	// TrustedProxies are CIDRs whose X-Forwarded-For header is believed.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// Pprof mounts Go's profiler at /debug/pprof/ on the HTTP port. Off by default: it reveals internals.
	Pprof bool `yaml:"pprof"`
}

// Accounts configures account registration and nick ownership.
type Accounts struct {
	Registration              bool     `yaml:"registration"`
	RegistrationBeforeConnect bool     `yaml:"registration_before_connect"`
	RegistrationEmailRequired bool     `yaml:"registration_email_required"`
	NickReservation           bool     `yaml:"nick_reservation"`
	NickReservationGrace      Duration `yaml:"nick_reservation_grace"`
}

// History configures stored chat history.
type History struct {
	Enabled      bool     `yaml:"enabled"`
	MaxAge       Duration `yaml:"max_age"`        // 0 = forever
	MaxPerTarget int      `yaml:"max_per_target"` // 0 = unlimited
	ReplayOnJoin int      `yaml:"replay_on_join"` // 0 = off
}

// Cluster configures how this node joins others.
type Cluster struct {
	Node        string   `yaml:"node"`     // defaults to server.name
	Name        string   `yaml:"name"`     // the embedded NATS cluster's name; routes between names are refused
	Listen      string   `yaml:"listen"`   // NATS route address; "" = single node
	Routes      []string `yaml:"routes"`   // peers' route addresses
	NATSURL     string   `yaml:"nats_url"` // external NATS instead of the embedded server
	NodeTimeout Duration `yaml:"node_timeout"`
}
