package node_test

import (
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/testkit"
)

// multilineRoom starts a node with alice (multiline, echo, labeled-response), bob (multiline) and
// carol (no multiline) in #ml.
func multilineRoom(t *testing.T) (alice, bob, carol *testkit.Client) {
	t.Helper()
	addr := start(t, nil)
	alice = capConnect(t, addr, "alice", "draft/multiline", "batch", "message-tags", "echo-message", "labeled-response")
	bob = capConnect(t, addr, "bob", "draft/multiline", "batch", "message-tags")
	carol = capConnect(t, addr, "carol", "message-tags")
	for _, c := range []*testkit.Client{alice, bob, carol} {
		c.Join("#ml")
	}
	alice.Roundtrip()
	bob.Roundtrip()
	return alice, bob, carol
}

func sendBatch(c *testkit.Client, open string, lines ...string) {
	c.Send(open)
	for _, l := range lines {
		c.Send(l)
	}
	c.Send("BATCH -b1")
}

func TestMultilineDelivery(t *testing.T) {
	t.Parallel()
	alice, bob, carol := multilineRoom(t)
	sendBatch(alice, "@label=L1 BATCH +b1 draft/multiline #ml",
		"@batch=b1 PRIVMSG #ml :hello",
		"@batch=b1 PRIVMSG #ml :how is ",
		"@batch=b1;draft/multiline-concat PRIVMSG #ml :everyone?",
		"@batch=b1 PRIVMSG #ml :",
		"@batch=b1 PRIVMSG #ml :bye")

	// With the capability: one batch, the concat tag kept, the blank line kept.
	start := bob.Expect("BATCH")
	ref := strings.TrimPrefix(start.Param(0), "+")
	if start.Param(1) != "draft/multiline" || start.Param(2) != "#ml" || start.Source != prefix("alice") {
		t.Fatalf("batch start %q", start.String())
	}
	if _, ok := start.Tag("msgid"); !ok {
		t.Fatalf("batch start without msgid: %q", start.String())
	}
	texts := []string{"hello", "how is ", "everyone?", "", "bye"}
	for i, text := range texts {
		m := bob.Expect("PRIVMSG")
		want(t, m, msg(prefix("alice"), "PRIVMSG", "#ml", text))
		wantTag(t, m, "batch", ref)
		if _, concat := m.Tag("draft/multiline-concat"); concat != (i == 2) {
			t.Fatalf("line %d concat tag: %q", i, m.String())
		}
	}
	want(t, bob.Expect("BATCH"), msg(prefix("alice"), "BATCH", "-"+ref))

	// Without it: the lines one by one, blank ones dropped, msgid on the first only.
	msgs := carol.Roundtrip()
	privs := only(msgs, "PRIVMSG")
	if len(privs) != 4 {
		t.Fatalf("fallback: %s", dump(msgs))
	}
	for i, text := range []string{"hello", "how is ", "everyone?", "bye"} {
		want(t, privs[i], msg(prefix("alice"), "PRIVMSG", "#ml", text))
		if _, ok := privs[i].Tag("msgid"); ok != (i == 0) {
			t.Fatalf("fallback line %d msgid: %q", i, privs[i].String())
		}
	}
	wantNone(t, msgs, "BATCH")

	// The sender's echo is the batch, labeled on its opening line.
	echo := alice.Expect("BATCH")
	wantTag(t, echo, "label", "L1")
	if echo.Param(1) != "draft/multiline" {
		t.Fatalf("echo %q", echo.String())
	}
	if got := only(alice.Roundtrip(), "PRIVMSG"); len(got) != 5 {
		t.Fatalf("echo lines: %d", len(got))
	}
}

func TestMultilinePrivateAndNotice(t *testing.T) {
	t.Parallel()
	alice, bob, carol := multilineRoom(t)
	sendBatch(alice, "BATCH +b1 draft/multiline bob", "@batch=b1 NOTICE bob :one", "@batch=b1 NOTICE bob :two")
	bob.Expect("BATCH")
	want(t, bob.Expect("NOTICE"), msg(prefix("alice"), "NOTICE", "bob", "one"))
	want(t, bob.Expect("NOTICE"), msg(prefix("alice"), "NOTICE", "bob", "two"))
	sendBatch(alice, "BATCH +b1 draft/multiline carol", "@batch=b1 PRIVMSG carol :x", "@batch=b1 PRIVMSG carol :y")
	want(t, carol.Expect("PRIVMSG"), msg(prefix("alice"), "PRIVMSG", "carol", "x"))
	want(t, carol.Expect("PRIVMSG"), msg(prefix("alice"), "PRIVMSG", "carol", "y"))
}

func TestMultilineFailures(t *testing.T) {
	t.Parallel()
	alice, _, carol := multilineRoom(t)
	long := strings.Repeat("x", 400)
	var tooMany, tooBig []string
	for i := 0; i < 101; i++ {
		tooMany = append(tooMany, "@batch=b1 PRIVMSG #ml :line")
	}
	for i := 0; i < 11; i++ {
		tooBig = append(tooBig, "@batch=b1 PRIVMSG #ml :"+long)
	}
	for _, tc := range []struct {
		name  string
		open  string
		lines []string
		fail  []string
	}{
		{"target", "BATCH +b1 draft/multiline #ml", []string{"@batch=b1 PRIVMSG #other :hi"}, []string{"BATCH", "MULTILINE_INVALID_TARGET", "#ml", "#other"}},
		{"lines", "BATCH +b1 draft/multiline #ml", tooMany, []string{"BATCH", "MULTILINE_MAX_LINES", "100"}},
		{"bytes", "BATCH +b1 draft/multiline #ml", tooBig, []string{"BATCH", "MULTILINE_MAX_BYTES", "4096"}},
		{"concat blank", "BATCH +b1 draft/multiline #ml", []string{"@batch=b1 PRIVMSG #ml :a", "@batch=b1;draft/multiline-concat PRIVMSG #ml :"}, []string{"BATCH", "MULTILINE_INVALID"}},
		{"blank only", "BATCH +b1 draft/multiline #ml", []string{"@batch=b1 PRIVMSG #ml :"}, []string{"BATCH", "MULTILINE_INVALID"}},
		{"other command", "BATCH +b1 draft/multiline #ml", []string{"@batch=b1 TOPIC #ml :x"}, []string{"BATCH", "MULTILINE_INVALID"}},
		{"mixed", "BATCH +b1 draft/multiline #ml", []string{"@batch=b1 PRIVMSG #ml :a", "@batch=b1 NOTICE #ml :b"}, []string{"BATCH", "MULTILINE_INVALID"}},
	} {
		sendBatch(alice, tc.open, tc.lines...)
		f := alice.Expect("FAIL")
		if got := f.Params[:len(tc.fail)]; strings.Join(got, " ") != strings.Join(tc.fail, " ") {
			t.Fatalf("%s: %q, want FAIL %v", tc.name, f.String(), tc.fail)
		}
	}
	// Nothing of the refused batches reached anyone.
	wantNone(t, carol.Roundtrip(), "PRIVMSG")

	// A client without the capability cannot open a batch.
	want(t, numeric(carol, "BATCH +x draft/multiline #ml", "FAIL"), msg("", "FAIL", "BATCH", "MULTILINE_INVALID", "Unsupported batch"))
}

func TestMultilineCapValue(t *testing.T) {
	t.Parallel()
	c := testkit.Dial(t, start(t, nil))
	caps := capLS(t, c, "302")
	if caps["draft/multiline"] != "max-bytes=4096,max-lines=100" {
		t.Fatalf("draft/multiline=%q", caps["draft/multiline"])
	}
}
