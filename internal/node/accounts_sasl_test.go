package node_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/ircmsg"
	"github.com/parleychat/parley/internal/testkit"
)

// longPassword is 600+ bytes of UTF-8, emoji included (which SASLprep refuses, so SCRAM clients
// use it unprepared): the issue asks that such passwords work with every mechanism.
var longPassword = strings.Repeat("pässwörd-密码-🔑 ", 30)

func TestSASLCapAdvertised(t *testing.T) {
	_, addr := startAccounts(t, nil)
	c := testkit.Dial(t, addr)
	c.Send("CAP LS 302")
	var caps string
	for {
		m := c.Expect("CAP")
		caps += " " + m.Param(len(m.Params)-1)
		if m.Param(2) != "*" {
			break
		}
	}
	for _, want := range []string{"sasl=PLAIN,SCRAM-SHA-256,EXTERNAL", "draft/account-registration=custom-account-name"} {
		if !strings.Contains(caps+" ", " "+want+" ") {
			t.Errorf("CAP LS lacks %q: %s", want, caps)
		}
	}
}

func TestSASLPlain(t *testing.T) {
	n, addr := startAccounts(t, nil)
	addAccount(t, n, "alice", "correct horse")
	addAccount(t, n, "long", longPassword)

	t.Run("right password", func(t *testing.T) {
		c := preReg(t, addr, "alice")
		want(t, saslPlain(c, "alice", "correct horse"), msg("", "903", "alice", "SASL authentication successful"))
		burst := finishReg(c)
		// User mode +R comes with the welcome burst: the login happened before registration.
		wantIn(t, burst, msg("alice", "MODE", "alice", "+R"))
	})
	t.Run("600-byte UTF-8 password in chunks", func(t *testing.T) {
		c := preReg(t, addr, "long")
		if got := saslPlain(c, "long", longPassword); got.Command != "903" {
			t.Fatalf("got %s", got.String())
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		c := preReg(t, addr, "mallory")
		got := saslPlain(c, "alice", "wrong horse")
		want(t, got, msg("", "904", "mallory", "SASL authentication failed: invalid credentials"))
		// The connection stays usable: a second try succeeds.
		if got := saslPlain(c, "alice", "correct horse"); got.Command != "903" {
			t.Fatalf("retry: %s", got.String())
		}
	})
	t.Run("900 carries the mask and account", func(t *testing.T) {
		c := preReg(t, addr, "ali")
		c.Send("AUTHENTICATE PLAIN")
		c.Expect("AUTHENTICATE")
		authenticate(c, []byte("\x00ALICE\x00correct horse"))
		want(t, c.Expect("900"), msg("", "900", "ali", "ali!~ali@127.0.0.1", "alice", "You are now logged in as alice"))
	})
}

func TestSASLScram(t *testing.T) {
	n, addr := startAccounts(t, nil)
	addAccount(t, n, "alice", "correct horse")
	addAccount(t, n, "long", longPassword)
	c := preReg(t, addr, "alice")
	if got := saslScram(t, c, "alice", "correct horse"); got.Command != "903" {
		t.Fatalf("right password: %s", got.String())
	}
	c2 := preReg(t, addr, "long")
	if got := saslScram(t, c2, "long", longPassword); got.Command != "903" {
		t.Fatalf("600-byte UTF-8 password: %s", got.String())
	}
	c3 := preReg(t, addr, "eve")
	if got := saslScram(t, c3, "alice", "wrong horse"); got.Command != "904" {
		t.Fatalf("wrong password: %s", got.String())
	}
}

// clientCert returns a self-signed TLS client certificate and its SHA-256 fingerprint.
func clientCert(t *testing.T) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "alice"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, hex.EncodeToString(sum[:])
}

func TestSASLExternal(t *testing.T) {
	n, _ := startAccounts(t, func(cfg *config.Config) {
		cfg.Listen.TLS = []string{"127.0.0.1:0"}
		cfg.DevTLS = true
	})
	plainAddr, tlsAddr := testkit.IRCAddr(n), n.TLSAddrs()[0].String()
	addAccount(t, n, "alice", "correct horse")
	cert, fp := clientCert(t)
	conf := &tls.Config{InsecureSkipVerify: true, Certificates: []tls.Certificate{cert}}

	// Register the certificate through NickServ CERT ADD on a TLS connection that presents it.
	c := testkit.DialTLS(t, tlsAddr, conf)
	c.Register("alice")
	c.Send("PRIVMSG NickServ :IDENTIFY alice correct horse")
	c.Expect("900")
	c.Send("NS CERT ADD")
	m := c.Expect("NOTICE")
	if !strings.Contains(m.Param(1), fp) {
		t.Fatalf("CERT ADD: %s", m.String())
	}

	external := func(c *testkit.Client) ircmsg.Message {
		c.Send("AUTHENTICATE EXTERNAL")
		first := c.ExpectFunc("AUTHENTICATE + or 904", func(m ircmsg.Message) bool {
			return m.Command == "AUTHENTICATE" || m.Command == "904"
		})
		if first.Command == "904" {
			return first
		}
		c.Send("AUTHENTICATE +")
		res, seen := saslResultAll(c)
		if res.Command == "903" {
			if m, ok := testkit.Find(seen, "900"); !ok || m.Param(2) != "alice" {
				t.Fatalf("EXTERNAL success without 900 for alice: %v", seen)
			}
		}
		return res
	}
	c2 := testkit.DialTLS(t, tlsAddr, conf)
	c2.Send("CAP LS 302")
	if got := external(c2); got.Command != "903" {
		t.Fatalf("registered certificate: %s", got.String())
	}
	other, _ := clientCert(t)
	c3 := testkit.DialTLS(t, tlsAddr, &tls.Config{InsecureSkipVerify: true, Certificates: []tls.Certificate{other}})
	if got := external(c3); got.Command != "904" {
		t.Fatalf("unknown certificate: %s", got.String())
	}
	c4 := testkit.Dial(t, plainAddr)
	got := external(c4)
	if got.Command != "904" || !strings.Contains(got.Param(1), "certificate") {
		t.Fatalf("no certificate: %s", got.String())
	}
}

func TestSASLBadInput(t *testing.T) {
	n, addr := startAccounts(t, nil)
	addAccount(t, n, "alice", "correct horse")
	c := preReg(t, addr, "alice")

	c.Send("AUTHENTICATE DIGEST-MD5")
	want(t, c.Expect("908"), msg("", "908", "alice", "PLAIN,SCRAM-SHA-256,EXTERNAL", "are available SASL mechanisms"))
	c.Expect("904")

	c.Send("AUTHENTICATE PLAIN")
	c.Expect("AUTHENTICATE")
	c.Send("AUTHENTICATE *")
	want(t, c.Expect("906"), msg("", "906", "alice", "SASL authentication aborted"))

	c.Send("AUTHENTICATE PLAIN")
	c.Expect("AUTHENTICATE")
	c.Send("AUTHENTICATE " + strings.Repeat("A", 401))
	c.Expect("905")

	c.Send("AUTHENTICATE PLAIN")
	c.Expect("AUTHENTICATE")
	c.Send("AUTHENTICATE not*base64")
	m := c.Expect("904")
	if !strings.Contains(m.Param(1), "base64") {
		t.Fatalf("bad base64: %s", m.String())
	}

	c.Send("AUTHENTICATE PLAIN")
	c.Expect("AUTHENTICATE")
	for range 33 { // 13,200 bytes of full chunks: past the limit of one message (12,800)
		c.Send("AUTHENTICATE " + strings.Repeat("A", 400))
	}
	c.Expect("905")

	// After all that, the connection still logs in, and a second AUTHENTICATE gets 907.
	if got := saslPlain(c, "alice", "correct horse"); got.Command != "903" {
		t.Fatalf("login after bad input: %s", got.String())
	}
	c.Send("AUTHENTICATE PLAIN")
	want(t, c.Expect("907"), msg("", "907", "alice", "You have already authenticated using SASL"))
	finishReg(c)
}

// A client may authenticate after registration (IRCv3 sasl-3.2): its neighbours with
// account-notify see ACCOUNT, WHOIS shows 330, its messages carry the account tag, it gets +R.
func TestSASLAfterRegistration(t *testing.T) {
	n, addr := startAccounts(t, nil)
	addAccount(t, n, "alice", "correct horse")
	alice := capConnect(t, addr, "alice", "sasl")
	bob := capConnect(t, addr, "bob", "account-notify", "account-tag", "message-tags")
	alice.Join("#room")
	bob.Join("#room")
	alice.Roundtrip()
	bob.Roundtrip()

	res, got := saslPlainAll(alice, "alice", "correct horse")
	if res.Command != "903" {
		t.Fatalf("SASL after registration: %s", res.String())
	}
	wantIn(t, got, msg("alice", "MODE", "alice", "+R"))
	wantIn(t, got, msg("", "900", "alice", prefixOf("alice"), "alice", "You are now logged in as alice"))
	wantIn(t, bob.Roundtrip(), msg(prefixOf("alice"), "ACCOUNT", "alice"))

	alice.Send("PRIVMSG #room :hello")
	m := bob.Expect("PRIVMSG")
	wantTag(t, m, "account", "alice")

	bob.Send("WHOIS alice")
	want(t, bob.Expect("330"), msg("", "330", "bob", "alice", "alice", "is logged in as"))
}

// prefixOf is the prefix of a client registered by preReg or capConnect with nick as username.
func prefixOf(nick string) string {
	return nick + "!~" + nick + "@127.0.0.1"
}

func TestSASLThrottled(t *testing.T) {
	n, addr := startAccounts(t, nil)
	addAccount(t, n, "alice", "correct horse")
	c := preReg(t, addr, "mallory")
	for i := range 10 {
		if got := saslPlain(c, "alice", "guess"+string(rune('a'+i))); got.Command != "904" {
			t.Fatalf("guess %d: %s", i, got.String())
		}
	}
	got := saslPlain(c, "alice", "correct horse")
	if got.Command != "904" || !strings.Contains(got.Param(1), "too many failed login attempts") {
		t.Fatalf("after 10 failures: %s", got.String())
	}
	// The metric counts it.
	_, body, _ := httpGet(t, "http://"+n.HTTPAddr().String()+"/metrics")
	if !strings.Contains(body, `parley_logins_total{mechanism="PLAIN",result="throttled"} 1`) {
		t.Errorf("metrics lack the throttled login:\n%s", grepLines(body, "parley_logins"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
