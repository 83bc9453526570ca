package auth

import "bytes"

// plain is SASL PLAIN (RFC 4616): one client message, authzid NUL authcid NUL passwd.
type plain struct {
	a    *Authenticator
	peer Peer
}

// Next implements Mechanism.
func (p *plain) Next(msg []byte) ([]byte, bool, string, error) {
	parts := bytes.Split(msg, []byte{0})
	if len(parts) != 3 || len(parts[1]) == 0 {
		return nil, false, "", ErrMalformed
	}
	authzid, authcid, password := string(parts[0]), string(parts[1]), parts[2]
	// Logging in as somebody else (an authzid naming another account) is for services
	// administrators on other networks; parley has no such role, so it must name the same account.
	if authzid != "" && authzid != authcid {
		p.a.failed(MechPlain, p.peer.IP, authcid)
		return nil, false, "", ErrFailed
	}
	acct, err := p.a.passwordLogin(MechPlain, p.peer.IP, authcid, password)
	if err != nil {
		return nil, false, "", err
	}
	return nil, true, acct.Name, nil
}
