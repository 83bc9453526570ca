package core

// The nick index maps a folded nick to the one user shown under it. On one node a nick has one
// holder; across nodes the replica can briefly hold two users under one nick — a stale local
// client of a node that was cut off while the directory gave its nick to a user elsewhere, or a
// remote user whose deletion the watch has not delivered yet while a local user claimed the
// freed nick. The index shows one of them (local wins while both exist: its claim is this
// node's own) and keeps the other as a shadow, so that when the shown one leaves the nick does
// not vanish from the index while its other holder is still on the network.

// setNickLocked shows u under key; a different live holder it displaces becomes a shadow.
// Call with nickMu held for writing.
func (n *Network) setNickLocked(key string, u *User) {
	if other := n.nicks[key]; other != nil && other != u {
		n.shadowLocked(key, other)
	}
	n.nicks[key] = u
	n.unshadowLocked(key, u)
}

// shadowLocked remembers u as a holder of key that the index does not show. Call with nickMu held
// for writing.
func (n *Network) shadowLocked(key string, u *User) {
	if n.nickShadow == nil {
		n.nickShadow = make(map[string][]*User)
	}
	for _, s := range n.nickShadow[key] {
		if s == u {
			return
		}
	}
	n.nickShadow[key] = append(n.nickShadow[key], u)
}

func (n *Network) unshadowLocked(key string, u *User) {
	list := n.nickShadow[key]
	for i, s := range list {
		if s == u {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(n.nickShadow, key)
	} else {
		n.nickShadow[key] = list
	}
}

// dropNickLocked takes u off key: if the index showed u, the first shadow still holding the nick
// takes its place. Call with nickMu held for writing, and without u.mu (shadows' locks are taken
// here, after nickMu, the order ChangeNick uses).
func (n *Network) dropNickLocked(key string, u *User) {
	n.unshadowLocked(key, u)
	if n.nicks[key] != u {
		return
	}
	delete(n.nicks, key)
	for len(n.nickShadow[key]) > 0 {
		s := n.nickShadow[key][0]
		n.unshadowLocked(key, s)
		s.mu.RLock()
		holds := !s.gone && s.nickKey == key
		s.mu.RUnlock()
		if holds {
			n.nicks[key] = s
			return
		}
	}
}
