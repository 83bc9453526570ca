package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/parleychat/parley/internal/passhash"
)

// This file validates the keys that grant access: opers, API tokens,
// WebSocket origins, and the cluster's peers.

func (v *validator) opers(opers []Oper) {
	seen := map[string]int{}
	for i, o := range opers {
		key := fmt.Sprintf("opers[%d]", i)
		if err := checkToken(o.Name, 64); err != nil {
			v.check(key+".name", err)
		} else if prev, ok := seen[strings.ToLower(o.Name)]; ok {
			v.add(key+".name", "%q is also the name of opers[%d]", o.Name, prev)
		} else {
			seen[strings.ToLower(o.Name)] = i
		}
		switch {
		case o.Password == "":
			v.add(key+".password", "must be set (make a hash with `parley mkpasswd`)")
		case !passhash.Valid(o.Password):
			v.add(key+".password", "is not a password hash (make one with `parley mkpasswd`)")
		}
		v.check(key+".class", checkToken(o.Class, 64))
		for j, h := range o.Hosts {
			v.check(fmt.Sprintf("%s.hosts[%d]", key, j), checkUserHostMask(h))
		}
	}
}

// apiScopes are the scopes an API token may carry.
var apiScopes = []string{"read", "post", "admin"}

func (v *validator) apiTokens(tokens []APIToken) {
	names := map[string]int{}
	values := map[string]int{}
	for i, t := range tokens {
		key := fmt.Sprintf("api.tokens[%d]", i)
		// Token values are never echoed: errors end up in logs.
		if err := checkBearerToken(t.Token); err != nil {
			v.check(key+".token", err)
		} else if prev, ok := values[t.Token]; ok {
			v.add(key+".token", "is the same token as api.tokens[%d]", prev)
		} else {
			values[t.Token] = i
		}
		if err := checkToken(t.Name, 64); err != nil {
			v.check(key+".name", err)
		} else if prev, ok := names[t.Name]; ok {
			v.add(key+".name", "%q is also the name of api.tokens[%d]", t.Name, prev)
		} else {
			names[t.Name] = i
		}
		if len(t.Scopes) == 0 {
			v.add(key+".scopes", "must list at least one of %s", strings.Join(apiScopes, ", "))
		}
		seen := map[string]bool{}
		for j, s := range t.Scopes {
			sk := fmt.Sprintf("%s.scopes[%d]", key, j)
			v.oneOf(sk, s, apiScopes...)
			if seen[s] {
				v.add(sk, "%q is listed twice", s)
			}
			seen[s] = true
		}
	}
}

func (v *validator) origins(origins []string) {
	for i, o := range origins {
		v.check(fmt.Sprintf("websocket.origins[%d]", i), checkOrigin(o))
	}
}

func (v *validator) cluster(c *Cluster, serverName string) {
	if c.Node != serverName {
		// A node named after the server is covered by the server.name check,
		// which is stricter; checking both would report one mistake twice.
		v.check("cluster.node", checkNodeName(c.Node))
	}
	v.check("cluster.name", checkNodeName(c.Name))
	if c.Listen != "" {
		v.check("cluster.listen", checkHostPort(c.Listen))
	}
	for i, r := range c.Routes {
		v.check(fmt.Sprintf("cluster.routes[%d]", i), checkRoute(r))
	}
	if c.NATSURL != "" {
		v.check("cluster.nats_url", checkNATSURL(c.NATSURL))
		if c.Listen != "" {
			v.add("cluster.nats_url", "cannot be set together with cluster.listen (use an external NATS, or the embedded one)")
		}
		if len(c.Routes) > 0 {
			v.add("cluster.nats_url", "cannot be set together with cluster.routes (the external NATS cluster has its own routes)")
		}
	} else if len(c.Routes) > 0 && c.Listen == "" {
		v.add("cluster.listen", "must be set when cluster.routes is, so peers can connect back")
	}
	v.positiveDuration("cluster.node_timeout", c.NodeTimeout, time.Hour)
}
