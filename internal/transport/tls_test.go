package transport

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// devTLS returns a server config and a client config trusting it.
func devTLS(t *testing.T) (*tls.Config, *tls.Config, *CertStore) {
	t.Helper()
	certFile, keyFile, err := DevCertificate(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	store, err := LoadCertStore(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	pemBytes, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pemBytes)
	return ServerTLSConfig(store), &tls.Config{RootCAs: roots, ServerName: "127.0.0.1"}, store
}

// clientCert makes a self-signed client certificate, as IRC users do for
// SASL EXTERNAL, and returns it with its expected fingerprint.
func clientCert(t *testing.T) (tls.Certificate, string) {
	t.Helper()
	certPEM, keyPEM, err := makeDevCert([]string{"alice"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(cert.Certificate[0])
	return cert, hex.EncodeToString(sum[:])
}

func TestTLSRoundTripWithClientCert(t *testing.T) {
	srvConf, cliConf, _ := devTLS(t)
	cert, wantFP := clientCert(t)
	cliConf.Certificates = []tls.Certificate{cert}

	type info struct{ kind, fp, line string }
	got := make(chan info, 1)
	addr := startServer(t, srvConf, Options{}, func(c Conn) {
		line, err := c.ReadLine()
		if err != nil {
			t.Error(err)
			return
		}
		got <- info{c.Kind(), CertFingerprint(c.TLS()), string(line)}
		_ = c.WriteLines([][]byte{[]byte("PONG :a\r\n"), []byte("PONG :b\r\n")})
	})
	c, err := tls.Dial("tcp", addr, cliConf)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte("PING :a\r\n")); err != nil {
		t.Fatal(err)
	}
	i := next(t, got)
	if i != (info{KindTLS, wantFP, "PING :a"}) {
		t.Fatalf("got %+v, want kind tls, fingerprint %s", i, wantFP)
	}
	reply, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if string(reply) != "PONG :a\r\nPONG :b\r\n" {
		t.Fatalf("reply %q", reply)
	}
}

func TestTLSWithoutClientCert(t *testing.T) {
	srvConf, cliConf, _ := devTLS(t)
	got := make(chan string, 1)
	addr := startServer(t, srvConf, Options{}, func(c Conn) {
		got <- CertFingerprint(c.TLS())
	})
	c, err := tls.Dial("tcp", addr, cliConf)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if fp := next(t, got); fp != "" {
		t.Fatalf("fingerprint %q without a client certificate", fp)
	}
	if CertFingerprint(nil) != "" {
		t.Fatal("nil state has a fingerprint")
	}
}

func TestTLSStalledHandshake(t *testing.T) {
	srvConf, _, _ := devTLS(t)
	called := make(chan struct{}, 1)
	addr := startServer(t, srvConf, Options{HandshakeTimeout: 200 * time.Millisecond},
		func(Conn) { called <- struct{}{} })
	c := dial(t, addr)
	start := time.Now()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := bufio.NewReader(c).ReadByte(); err != io.EOF {
		t.Fatalf("got %v, want the server to close the connection", err)
	}
	if d := time.Since(start); d < 150*time.Millisecond || d > 3*time.Second {
		t.Fatalf("closed after %v, want about 200ms", d)
	}
	select {
	case <-called:
		t.Fatal("handler ran without a handshake")
	default:
	}
}

func TestCertStoreReloadKeepsOldOnError(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, err := DevCertificate(dir, []string{"a.example"})
	if err != nil {
		t.Fatal(err)
	}
	store, err := LoadCertStore(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := store.GetCertificate(nil)
	if err := os.WriteFile(certFile, []byte("not a certificate"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := store.Reload(); err == nil {
		t.Fatal("Reload accepted a bad certificate")
	}
	if after, _ := store.GetCertificate(nil); after != before {
		t.Fatal("bad reload replaced the certificate")
	}
	// A good new pair is picked up.
	if _, _, err := DevCertificate(dir, []string{"b.example"}); err != nil {
		t.Fatal(err)
	}
	if err := store.Reload(); err != nil {
		t.Fatal(err)
	}
	after, _ := store.GetCertificate(nil)
	if after.Leaf == nil || after.Leaf.VerifyHostname("b.example") != nil {
		t.Fatal("Reload did not pick up the new certificate")
	}
	if _, err := LoadCertStore(filepath.Join(dir, "missing.pem"), keyFile); err == nil {
		t.Fatal("LoadCertStore accepted a missing file")
	}
}

func TestDevCertificateReuse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	certFile, keyFile, err := DevCertificate(dir, []string{"localhost"})
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(dir)
	if err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("dir mode %v, err %v; want 0700", st.Mode().Perm(), err)
	}
	if st, err := os.Stat(keyFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key mode %v, err %v; want 0600", st.Mode().Perm(), err)
	}
	first, _ := os.ReadFile(certFile)

	if _, _, err := DevCertificate(dir, []string{"localhost"}); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(certFile); !bytes.Equal(first, again) {
		t.Fatal("a valid certificate was not reused")
	}

	// A host the certificate does not cover forces a new one.
	if _, _, err := DevCertificate(dir, []string{"localhost", "irc.test"}); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(certFile); bytes.Equal(first, again) {
		t.Fatal("certificate not regenerated for a new host")
	}

	// An expired certificate is replaced.
	certPEM, keyPEM, err := makeDevCert([]string{"localhost"}, time.Now().Add(-2*devCertLifetime))
	if err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(certFile, certPEM, 0o644)
	_ = os.WriteFile(keyFile, keyPEM, 0o600)
	if devCertUsable(certFile, keyFile, []string{"localhost"}) {
		t.Fatal("expired certificate reported usable")
	}
	if _, _, err := DevCertificate(dir, []string{"localhost"}); err != nil {
		t.Fatal(err)
	}
	if !devCertUsable(certFile, keyFile, []string{"localhost"}) {
		t.Fatal("expired certificate not replaced")
	}
}
