package auth

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/xdg-go/scram"

	"github.com/parleychat/parley/internal/store"
	"github.com/parleychat/parley/internal/store/memstore"
)

var quiet = slog.New(slog.DiscardHandler)

func newAuth(t *testing.T) (*Authenticator, *memstore.Store, map[string]int) {
	t.Helper()
	st := memstore.New(strings.ToLower)
	results := map[string]int{}
	a := New(Options{Store: st, Logger: quiet, OnResult: func(mech, result string) { results[mech+" "+result]++ }})
	return a, st, results
}

func mustCreate(t *testing.T, st store.Accounts, name, password string) {
	t.Helper()
	if _, err := CreateAccount(context.Background(), st, name, "", []byte(password)); err != nil {
		t.Fatalf("CreateAccount(%s): %v", name, err)
	}
}

// longPassword is 600+ bytes of mixed UTF-8: the issue asks that any such password work with
// every mechanism.
var longPassword = strings.Repeat("pässwörd-密码-🔑 ", 30)

func plainMsg(authzid, authcid, password string) []byte {
	return []byte(authzid + "\x00" + authcid + "\x00" + password)
}

func TestPlain(t *testing.T) {
	a, st, results := newAuth(t)
	mustCreate(t, st, "Alice", "correct horse")
	mustCreate(t, st, "long", longPassword)
	if len(longPassword) < 600 {
		t.Fatalf("long password is only %d bytes", len(longPassword))
	}
	tests := []struct {
		name    string
		msg     []byte
		account string
		err     error
	}{
		{"right", plainMsg("", "alice", "correct horse"), "Alice", nil},
		{"authzid equal", plainMsg("Alice", "Alice", "correct horse"), "Alice", nil},
		{"long utf8", plainMsg("", "long", longPassword), "long", nil},
		{"wrong password", plainMsg("", "alice", "wrong horse"), "", ErrFailed},
		{"unknown account", plainMsg("", "bob", "correct horse"), "", ErrFailed},
		{"other authzid", plainMsg("long", "alice", "correct horse"), "", ErrFailed},
		{"no separators", []byte("alice"), "", ErrMalformed},
		{"empty authcid", plainMsg("", "", "x"), "", ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := a.Start("plain", Peer{IP: "192.0.2.1"})
			if err != nil {
				t.Fatal(err)
			}
			out, done, account, err := m.Next(tt.msg)
			if !errors.Is(err, tt.err) || account != tt.account || done != (tt.err == nil) || out != nil {
				t.Fatalf("Next = %q, %v, %q, %v; want done=%v account %q err %v", out, done, account, err,
					tt.err == nil, tt.account, tt.err)
			}
		})
	}
	if results["PLAIN success"] != 3 || results["PLAIN failure"] != 3 {
		t.Errorf("results = %v", results)
	}
}

// scramLogin runs a SCRAM-SHA-256 exchange with xdg-go/scram's client against the mechanism.
func scramLogin(t *testing.T, a *Authenticator, user, password string) (string, error) {
	t.Helper()
	client, err := scram.SHA256.NewClient(user, password, "")
	if err != nil {
		// What clients do with a password SASLprep refuses (here: an emoji, unassigned in the
		// Unicode 3.2 tables of RFC 4013): use it as it is.
		client, err = scram.SHA256.NewClientUnprepped(user, password, "")
	}
	if err != nil {
		t.Fatal(err)
	}
	conv := client.NewConversation()
	m, err := a.Start(MechScram, Peer{IP: "192.0.2.2"})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := conv.Step("")
	if err != nil {
		t.Fatal(err)
	}
	for range 4 {
		out, done, account, err := m.Next([]byte(msg))
		if err != nil || done {
			return account, err
		}
		if msg, err = conv.Step(string(out)); err != nil {
			t.Fatalf("client rejected the server's message %q: %v", out, err)
		}
	}
	t.Fatal("exchange did not end")
	return "", nil
}

func TestScram(t *testing.T) {
	a, st, _ := newAuth(t)
	mustCreate(t, st, "alice", "correct horse")
	mustCreate(t, st, "long", longPassword)
	if acct, err := scramLogin(t, a, "alice", "correct horse"); err != nil || acct != "alice" {
		t.Errorf("right password: %q, %v", acct, err)
	}
	if acct, err := scramLogin(t, a, "long", longPassword); err != nil || acct != "long" {
		t.Errorf("600-byte UTF-8 password: %q, %v", acct, err)
	}
	if _, err := scramLogin(t, a, "alice", "wrong horse"); !errors.Is(err, ErrFailed) {
		t.Errorf("wrong password: err = %v, want ErrFailed", err)
	}
	if _, err := scramLogin(t, a, "nobody", "correct horse"); !errors.Is(err, ErrFailed) {
		t.Errorf("unknown account: err = %v, want ErrFailed", err)
	}
}

// An account with only a hash (imported) cannot do SCRAM until a PLAIN login stores its keys.
func TestScramUpgradeAfterPlain(t *testing.T) {
	a, st, _ := newAuth(t)
	ctx := context.Background()
	mustCreate(t, st, "old", "correct horse")
	if err := Update(ctx, st, "old", func(acct *store.Account) error { acct.Scram = nil; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := scramLogin(t, a, "old", "correct horse"); !errors.Is(err, ErrNotSupported) {
		t.Fatalf("SCRAM without keys: err = %v, want ErrNotSupported", err)
	}
	m, _ := a.Start(MechPlain, Peer{IP: "192.0.2.3"})
	if _, done, _, err := m.Next(plainMsg("", "old", "correct horse")); !done || err != nil {
		t.Fatalf("PLAIN: done=%v err=%v", done, err)
	}
	if acct, err := scramLogin(t, a, "old", "correct horse"); err != nil || acct != "old" {
		t.Errorf("SCRAM after PLAIN: %q, %v", acct, err)
	}
}

func TestExternal(t *testing.T) {
	a, st, _ := newAuth(t)
	ctx := context.Background()
	mustCreate(t, st, "alice", "correct horse")
	fp := strings.Repeat("ab", 32)
	if err := Update(ctx, st, "alice", func(acct *store.Account) error {
		acct.Certfps = []string{fp}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, certfp, authzid, account string
		err                            error
	}{
		{"registered cert", fp, "", "alice", nil},
		{"upper-case hex", strings.ToUpper(fp), "", "alice", nil},
		{"authzid matches", fp, "ALICE", "alice", nil},
		{"authzid differs", fp, "bob", "", ErrFailed},
		{"unknown cert", strings.Repeat("cd", 32), "", "", ErrFailed},
		{"no cert", "", "", "", ErrNoCert},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := a.Start("EXTERNAL", Peer{IP: "192.0.2.4", Certfp: tt.certfp})
			_, done, account, err := m.Next([]byte(tt.authzid))
			if !errors.Is(err, tt.err) || account != tt.account || done != (tt.err == nil) {
				t.Fatalf("Next = %v, %q, %v; want account %q err %v", done, account, err, tt.account, tt.err)
			}
		})
	}
}

func TestUnknownMechanism(t *testing.T) {
	a, _, _ := newAuth(t)
	if _, err := a.Start("DIGEST-MD5", Peer{}); !errors.Is(err, ErrUnknownMech) {
		t.Fatalf("err = %v", err)
	}
}

func TestLoginThrottledPerIPAndAccount(t *testing.T) {
	now := time.Unix(1000, 0)
	st := memstore.New(strings.ToLower)
	var throttled int
	a := New(Options{Store: st, Logger: quiet, Throttle: ThrottleConfig{Failures: 3, Window: time.Minute, Now: func() time.Time { return now }},
		OnResult: func(_, r string) {
			if r == "throttled" {
				throttled++
			}
		}})
	mustCreate(t, st, "alice", "correct horse")
	for range 3 {
		if _, err := a.Login("192.0.2.9", "alice", []byte("nope nope")); !errors.Is(err, ErrFailed) {
			t.Fatalf("wrong password: %v", err)
		}
	}
	_, err := a.Login("192.0.2.9", "alice", []byte("correct horse"))
	var te *ThrottledError
	if !errors.As(err, &te) || te.Retry != time.Minute || !strings.Contains(te.Error(), "60 seconds") {
		t.Fatalf("fourth attempt from the IP: %v, want throttled for a minute", err)
	}
	// Another address is refused too: the account itself took the failures.
	if _, err := a.Login("192.0.2.10", "alice", []byte("correct horse")); !errors.As(err, &te) {
		t.Fatalf("other IP, same account: %v, want throttled", err)
	}
	if throttled != 2 {
		t.Errorf("throttled results = %d, want 2", throttled)
	}
	now = now.Add(time.Minute)
	if _, err := a.Login("192.0.2.9", "alice", []byte("correct horse")); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestThrottleBoundedMemory(t *testing.T) {
	now := time.Unix(0, 0)
	th := NewThrottle(ThrottleConfig{Failures: 1, Window: time.Minute, MaxKeys: 2, Now: func() time.Time { return now }})
	th.Fail("a")
	th.Fail("b")
	th.Fail("c") // no room: not tracked, so never refused
	if th.Wait("a") == 0 || th.Wait("b") == 0 || th.Wait("c") != 0 {
		t.Fatalf("waits a=%v b=%v c=%v", th.Wait("a"), th.Wait("b"), th.Wait("c"))
	}
	now = now.Add(2 * time.Minute)
	th.Fail("c") // the expired entries make room
	if th.Wait("c") == 0 || len(th.entries) != 1 {
		t.Fatalf("after expiry: wait c=%v, %d entries", th.Wait("c"), len(th.entries))
	}
}

func TestAccountChecks(t *testing.T) {
	for _, name := range []string{"alice", "Ünïcode", "a_b-c[d]"} {
		if err := CheckAccountName(name); err != nil {
			t.Errorf("CheckAccountName(%q) = %v", name, err)
		}
	}
	for _, name := range []string{"", "a b", "#chan", "a*", "x@y", ":a", strings.Repeat("a", 65), "a\x01"} {
		if err := CheckAccountName(name); !errors.Is(err, ErrBadAccountName) {
			t.Errorf("CheckAccountName(%q) = %v, want ErrBadAccountName", name, err)
		}
	}
	if err := CheckPasswordStrength([]byte("short")); !errors.Is(err, ErrWeakPassword) {
		t.Errorf("short password: %v", err)
	}
	if err := CheckPasswordStrength(make([]byte, MaxPasswordLen+1)); !errors.Is(err, ErrLongPassword) {
		t.Errorf("huge password: %v", err)
	}
}

func TestChangePassword(t *testing.T) {
	a, st, _ := newAuth(t)
	ctx := context.Background()
	mustCreate(t, st, "alice", "correct horse")
	if err := ChangePassword(ctx, st, "alice", []byte("battery staple")); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Login("192.0.2.5", "alice", []byte("correct horse")); !errors.Is(err, ErrFailed) {
		t.Errorf("old password still works: %v", err)
	}
	if acct, err := scramLogin(t, a, "alice", "battery staple"); err != nil || acct != "alice" {
		t.Errorf("SCRAM with the new password: %q, %v", acct, err)
	}
	if err := ChangePassword(ctx, st, "nobody", []byte("battery staple")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown account: %v", err)
	}
}
