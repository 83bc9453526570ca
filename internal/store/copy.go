package store

import (
	"maps"
	"slices"
	"strings"
)

// Clone returns a copy of a that shares no slices or pointers with it, so a stored record cannot
// be changed through a value handed to or returned by a store. Safe for concurrent use with
// readers of a.
func (a Account) Clone() Account {
	a.Certfps = slices.Clone(a.Certfps)
	if a.Scram != nil {
		sc := *a.Scram
		sc.StoredKey = slices.Clone(sc.StoredKey)
		sc.ServerKey = slices.Clone(sc.ServerKey)
		a.Scram = &sc
	}
	return a
}

// Clone returns a copy of c that shares no map with it. Safe for concurrent use with readers
// of c.
func (c ChannelReg) Clone() ChannelReg {
	c.Access = maps.Clone(c.Access)
	return c
}

// NormalizeCertfps lower-cases fingerprints and drops empty and repeated ones, so lookups do not
// depend on how a client or an operator spelled the hex.
func NormalizeCertfps(fps []string) []string {
	var out []string
	for _, fp := range fps {
		fp = strings.ToLower(strings.TrimSpace(fp))
		if fp != "" && !slices.Contains(out, fp) {
			out = append(out, fp)
		}
	}
	return out
}
