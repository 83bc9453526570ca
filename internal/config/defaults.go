package config

import (
	"os"
	"time"
)

// fallbackServerName is used when the host name is not a valid server name
// (most are single labels such as "web1", and IRC server names need a dot).
const fallbackServerName = "parley.local"

// Defaults returns the configuration parley runs with when the file is empty.
// The server name is the host name when that is a valid server name.
//
// Defaults returns a new value on each call and is safe for concurrent use.
func Defaults() *Config {
	name := fallbackServerName
	if h, err := os.Hostname(); err == nil && checkServerName(h) == nil {
		name = h
	}
	return &Config{
		Server: Server{
			Name:        name,
			Network:     "parley",
			Casemapping: "rfc1459",
			Info:        "parley chat server",
		},
		Listen: Listen{
			IRC:  []string{":6667"},
			TLS:  []string{},
			HTTP: ":8080",
		},
		DataDir: "./parley-data",
		Limits: Limits{
			Flood: Flood{Enabled: true, Burst: 20, Rate: 4,
				// A message to three targets costs three; a client can join 20 channels at
				// once on connect; nick changes are rare and, past 5, one per 5 seconds.
				Messages: FloodClass{Burst: 20, Rate: 2},
				Joins:    FloodClass{Burst: 20, Rate: 1},
				Nicks:    FloodClass{Burst: 5, Rate: 0.2},
			},
			SendQ:               1 * MiB,
			PingInterval:        Duration(90 * time.Second),
			PingTimeout:         Duration(60 * time.Second),
			RegistrationTimeout: Duration(30 * time.Second),
			NickLen:             30,
			ChannelLen:          64,
			TopicLen:            390,
			KickLen:             390,
			AwayLen:             390,
			RealnameLen:         150,
			MaxChannels:         100,
			MaxTargets:          4,
			MaxListEntries:      100,
			WhowasEntries:       1000,
			PerIP:               64,
			PerCIDR:             CIDRLimit{IPv4Prefix: 24, IPv6Prefix: 48},
			// A burst of 32 refilled at 16 a second lets a test suite open a
			// dozen connections a second from one address.
			ConnectThrottle: Throttle{Burst: 32, Refill: 16, Per: Duration(time.Second)},
		},
		Log: Log{Level: "info", Format: "text"},
		Accounts: Accounts{
			Registration:         true,
			NickReservationGrace: Duration(30 * time.Second),
		},
		History: History{Enabled: true},
		Cluster: Cluster{
			Node:        name,
			Name:        "parley",
			NodeTimeout: Duration(10 * time.Second),
		},
	}
}

// defaultOperClass is the class of an oper block that names none.
const defaultOperClass = "admin"
