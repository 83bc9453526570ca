package transport

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"sync/atomic"
)

// CertStore holds the server certificate and swaps it on Reload, so that a
// SIGHUP can pick up renewed files without restarting listeners.
type CertStore struct {
	certFile, keyFile string
	cur               atomic.Pointer[tls.Certificate]
}

// LoadCertStore reads a PEM certificate chain and key.
func LoadCertStore(certFile, keyFile string) (*CertStore, error) {
	s := &CertStore{certFile: certFile, keyFile: keyFile}
	if err := s.Reload(); err != nil {
		return nil, err
	}
	return s, nil
}

// Reload re-reads the files. If the new pair is bad the current
// certificate stays in use and the error is returned. Safe from any
// goroutine; handshakes in flight keep the certificate they started with.
func (s *CertStore) Reload() error {
	cert, err := tls.LoadX509KeyPair(s.certFile, s.keyFile)
	if err != nil {
		return err
	}
	s.cur.Store(&cert)
	return nil
}

// GetCertificate serves the current certificate; use it as
// tls.Config.GetCertificate. Safe from any goroutine.
func (s *CertStore) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	c := s.cur.Load()
	if c == nil {
		return nil, errors.New("transport: no certificate loaded")
	}
	return c, nil
}

// ServerTLSConfig returns a TLS 1.2+ configuration serving store's
// certificate. It requests but does not require or verify a client
// certificate, so SASL EXTERNAL can match the fingerprint (CertFingerprint)
// of a self-signed client certificate.
func ServerTLSConfig(store *CertStore) *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: store.GetCertificate,
		ClientAuth:     tls.RequestClientCert,
	}
}

// CertFingerprint is the lower-case hex SHA-256 of the client's leaf
// certificate, or "" when there is none. Safe from any goroutine.
func CertFingerprint(state *tls.ConnectionState) string {
	if state == nil || len(state.PeerCertificates) == 0 {
		return ""
	}
	sum := sha256.Sum256(state.PeerCertificates[0].Raw)
	return hex.EncodeToString(sum[:])
}
