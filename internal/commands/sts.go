package commands

import (
	"strconv"
	"time"
)

// STSPolicy is the IRCv3 Strict Transport Security policy the sts capability advertises. The node
// sets it in Config when at least one TLS listener exists.
type STSPolicy struct {
	// Port is the TLS port plain-text clients are told to reconnect to.
	Port int
	// Duration is how long clients keep the policy after seeing it on a secure connection.
	Duration time.Duration
	// Preload allows the policy to be put in clients' preload lists.
	Preload bool
}

// stsValue is the sts capability's offer. On a plain connection the value must carry port (the
// client reconnects there); on a secure one it must carry duration and must not carry port
// (IRCv3 sts, "Server implementation considerations"). Without a policy sts is not offered.
func stsValue(s *Server, secure bool) (string, bool) {
	p := s.Config().STS
	if p == nil || p.Port <= 0 {
		return "", false
	}
	duration := "duration=" + strconv.FormatInt(int64(p.Duration/time.Second), 10)
	if !secure {
		return "port=" + strconv.Itoa(p.Port) + "," + duration, true
	}
	if p.Preload {
		return duration + ",preload", true
	}
	return duration, true
}
