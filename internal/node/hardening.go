package node

import (
	"errors"
	"regexp"

	"github.com/parleychat/parley/internal/commands"
	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/session"
)

// hardeningConfig adds the oper classes, spam filters and the REHASH hook to the protocol config.
func (n *Node) hardeningConfig(cfg *config.Config, cc *commands.Config) {
	cc.OperClasses = map[string][]string{}
	for _, o := range cfg.Opers {
		if privs, ok := cfg.OperClassFor(o.Class); ok {
			cc.OperClasses[o.Class] = privs
		}
	}
	for _, oc := range cfg.OperClasses {
		cc.OperClasses[oc.Name] = oc.Privileges
	}
	cc.Filters = compileFilters(cfg.Filters)
	cc.OnFilterHit = func(filter, action, nick string) {
		n.metrics.FilterHits.WithLabelValues(action).Inc()
		// The message text is not logged: the log is not a place for users' messages.
		n.log.Info("message filter matched", "filter", filter, "action", action, "nick", nick)
	}
	if n.loadConfig != nil {
		cc.Rehash = n.Rehash
	}
	if n.bans != nil { // nil until New opens them; openBans sets the config again
		cc.Bans = n.bans
	}
}

// compileFilters turns the validated filters into matchers; validation has compiled each
// pattern once already, so a failure here cannot happen and would only skip that filter.
func compileFilters(list []config.Filter) []commands.Filter {
	var out []commands.Filter
	for _, f := range list {
		re, err := regexp.Compile(f.Pattern)
		if err != nil {
			continue
		}
		cf := commands.Filter{Name: f.Name, Pattern: re, Action: f.Action, Reason: f.Reason,
			Channels: len(f.Targets) == 0, Private: len(f.Targets) == 0}
		for _, t := range f.Targets {
			cf.Channels = cf.Channels || t == "channels"
			cf.Private = cf.Private || t == "private"
		}
		out = append(out, cf)
	}
	return out
}

// floodOptions translates limits.flood for sessions.
func floodOptions(f config.Flood) session.Flood {
	return session.Flood{Enabled: f.Enabled, Burst: f.Burst, Rate: f.Rate,
		Messages: session.FloodClass{Burst: f.Messages.Burst, Rate: f.Messages.Rate},
		Joins:    session.FloodClass{Burst: f.Joins.Burst, Rate: f.Joins.Rate},
		Nicks:    session.FloodClass{Burst: f.Nicks.Burst, Rate: f.Nicks.Rate},
	}
}

// configLoader is how Rehash re-reads the configuration, or nil when there is no file.
func configLoader(opt Options) func() (*config.Config, error) {
	switch {
	case opt.LoadConfig != nil:
		return opt.LoadConfig
	case opt.ConfigPath != "":
		path := opt.ConfigPath
		return func() (*config.Config, error) { return config.Load(path) }
	}
	return nil
}

// errNoConfigFile is Rehash's error for a node started without a configuration file.
var errNoConfigFile = errors.New("the server was started without a configuration file")

// Rehash re-reads the configuration file the node was started from and applies it as Reload
// does. A file that fails to load changes nothing. Safe for concurrent use.
func (n *Node) Rehash() (needRestart []string, err error) {
	if n.loadConfig == nil {
		return nil, errNoConfigFile
	}
	cfg, err := n.loadConfig()
	if err != nil {
		return nil, err
	}
	needRestart, err = n.Reload(cfg)
	if err == nil {
		n.log.Info("configuration reloaded", "need_restart", needRestart)
	}
	return needRestart, err
}
