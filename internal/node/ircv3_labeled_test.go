package node_test

import (
	"testing"

	"github.com/parleychat/parley/internal/ircmsg"
)

func TestLabeledResponse(t *testing.T) {
	addr := start(t, nil)
	alice := capConnect(t, addr, "alice", "labeled-response", "batch")
	bob := connect(t, addr, "bob")
	alice.Join("#lr")
	bob.Join("#lr")
	alice.Roundtrip()

	// No output at all: an ACK carrying the label.
	alice.Send("@label=a1 PRIVMSG #lr :hi")
	ack := alice.Expect("ACK")
	wantTag(t, ack, "label", "a1")
	want(t, ack, msg("", "ACK"))

	// One line: the line itself carries the label.
	alice.Send("@label=a2 PING tok")
	pong := alice.Expect("PONG")
	wantTag(t, pong, "label", "a2")

	// Several lines: a labeled-response batch whose lines all carry the batch tag.
	for _, line := range []string{"WHOIS bob", "NAMES #lr", "WHO #lr"} {
		alice.Send("@label=multi " + line)
		start := alice.Expect("BATCH")
		wantTag(t, start, "label", "multi")
		ref := start.Param(0)
		if len(ref) < 2 || ref[0] != '+' || start.Param(1) != "labeled-response" {
			t.Fatalf("%s: batch start %q", line, start.String())
		}
		var inside []ircmsg.Message
		for {
			m, err := alice.ReadMsg()
			if err != nil {
				t.Fatal(err)
			}
			if m.Command == "BATCH" {
				want(t, m, msg("", "BATCH", "-"+ref[1:]))
				break
			}
			wantTag(t, m, "batch", ref[1:])
			wantNoTag(t, m, "label")
			inside = append(inside, m)
		}
		if len(inside) < 2 {
			t.Fatalf("%s: batch of %d lines", line, len(inside))
		}
	}

	// Without labeled-response the label is ignored and nothing is acknowledged.
	bob.Send("@label=x PRIVMSG #lr :plain")
	wantNone(t, bob.Roundtrip(), "ACK")
}

func TestLabeledResponseWithoutBatchSendsPlainLines(t *testing.T) {
	addr := start(t, nil)
	alice := capConnect(t, addr, "alice", "labeled-response")
	alice.Send("@label=w WHOIS alice")
	got := alice.Roundtrip()
	wantNone(t, got, "BATCH")
	if _, ok := got[0].Tag("label"); ok {
		t.Fatalf("multi-line reply labeled without batch: %q", got[0].String())
	}
	if len(only(got, "318")) != 1 {
		t.Fatalf("WHOIS reply incomplete:\n%s", dump(got))
	}
}

func TestLabeledEchoAndStandardReplies(t *testing.T) {
	addr := start(t, nil)
	alice := capConnect(t, addr, "alice", "labeled-response", "batch", "echo-message")
	bob := connect(t, addr, "bob")
	alice.Send("@label=e PRIVMSG bob :hi")
	echo := alice.Expect("PRIVMSG")
	wantTag(t, echo, "label", "e")
	bob.Expect("PRIVMSG")

	// A FAIL standard reply is the command's single reply, so it carries the label.
	alice.Send("@label=f SETNAME :")
	fail := alice.Expect("FAIL")
	want(t, fail, msg("", "FAIL", "SETNAME", "INVALID_REALNAME", "Realname is not valid"))
	wantTag(t, fail, "label", "f")
}
