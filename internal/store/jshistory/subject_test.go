package jshistory

import (
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/store"
)

func TestSubjects(t *testing.T) {
	s := newSubjects("My Net")
	cases := []store.Target{
		store.Channel("#go"), store.Channel("#a.b*c>d e"), store.Channel("#zoë"),
		store.Private("alice", "bob"), store.Private("a.b", "c_d"),
	}
	seen := map[string]bool{}
	for _, c := range cases {
		subj := s.of(c)
		if seen[subj] {
			t.Errorf("%+v shares subject %s", c, subj)
		}
		seen[subj] = true
		if strings.ContainsAny(strings.TrimPrefix(subj, s.prefix), "*> ") {
			t.Errorf("subject %q holds a wildcard or space", subj)
		}
		back, err := s.target(subj)
		if err != nil || back != c {
			t.Errorf("target(%q) = %+v, %v; want %+v", subj, back, err, c)
		}
	}
	if !strings.HasPrefix(s.of(store.Private("alice", "x")), strings.TrimSuffix(s.account("alice"), ">")) {
		t.Error("account filter does not match the account's subjects")
	}
	for _, bad := range []string{"parley.x.hist.chan.a", s.prefix + "chan", s.prefix + "chan._zz", s.prefix + "pm.a", s.prefix + "chan._61"} {
		if _, err := s.target(bad); err == nil {
			t.Errorf("target(%q) accepted", bad)
		}
	}
}

// FuzzToken checks decodeToken inverts encodeToken, and rejects what encodeToken cannot make.
func FuzzToken(f *testing.F) {
	for _, s := range []string{"#go", "zoë", "a.b", "_41", "", "-", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s != "" {
			enc := encodeToken(s)
			if dec, err := decodeToken(enc); err != nil || dec != s {
				t.Fatalf("round trip of %q: %q, %v", s, dec, err)
			}
		}
		if dec, err := decodeToken(s); err == nil && encodeToken(dec) != s {
			t.Fatalf("decodeToken(%q) = %q, which encodes differently", s, dec)
		}
	})
}

// TestRecordSubjects: rename and deletion records never read as messages, messages never as
// records, and an account's filters take its own records only.
func TestRecordSubjects(t *testing.T) {
	s := newSubjects("My Net")
	records := []string{
		s.rename("#go"), s.redaction(store.Channel("#go")), s.redaction(store.Private("alice", "bob")),
		s.drop("alice"),
	}
	for _, subj := range records {
		if !s.isRecord(subj) {
			t.Errorf("isRecord(%q) = false", subj)
		}
		if _, err := s.target(subj); err == nil {
			t.Errorf("record subject %q reads as a message's target", subj)
		}
	}
	for _, tg := range []store.Target{store.Channel("#rename"), store.Channel("#drop"), store.Private("redact", "drop")} {
		if s.isRecord(s.of(tg)) {
			t.Errorf("message subject %q taken for a record", s.of(tg))
		}
	}
	matches := func(filter, subj string) bool { return strings.HasPrefix(subj, strings.TrimSuffix(filter, ">")) }
	if !matches(s.accountRedactions("alice"), s.redaction(store.Private("alice", "bob"))) ||
		matches(s.accountRedactions("alice"), s.redaction(store.Private("bob", "alice"))) ||
		matches(s.account("alice"), s.redaction(store.Private("alice", "bob"))) {
		t.Error("an account's filters take records that are not its own, or miss its own")
	}
}
