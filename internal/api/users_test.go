package api_test

import (
	"net/http"
	"testing"
)

func TestGetUser(t *testing.T) {
	n, base := testNode(t, nil)
	alice := ircUser(t, n, "alice", "#pub", "#secret")
	alice.Send("MODE #secret +s")
	alice.Send("AWAY :lunch")
	alice.Roundtrip()

	r := call(t, "GET", base+"/users/ALICE", readToken, nil)
	expect(t, r, http.StatusOK, "")
	chans := r.body["channels"].([]any)
	if r.body["nick"] != "alice" || r.body["user"] != "~alice" || r.body["host"] != "127.0.0.1" ||
		r.body["realname"] != "Test user alice" || r.body["away"] != "lunch" || r.body["signon"] == nil ||
		r.body["idle_seconds"] == nil || len(chans) != 1 || chans[0] != "@#pub" {
		t.Errorf("reader's view: %s", r.raw)
	}
	if _, ok := r.body["ip"]; ok {
		t.Error("a read token sees the IP address")
	}
	r = call(t, "GET", base+"/users/alice", adminToken, nil)
	if r.body["ip"] != "127.0.0.1" || len(r.body["channels"].([]any)) != 2 {
		t.Errorf("admin's view: %s", r.raw)
	}
	expect(t, call(t, "GET", base+"/users/nobody", readToken, nil), http.StatusNotFound, "no_such_user")
}

func TestKill(t *testing.T) {
	n, base := testNode(t, nil)
	alice := ircUser(t, n, "alice", "#c")
	bob := ircUser(t, n, "bob", "#c")
	expect(t, call(t, "POST", base+"/users/bob/kill", postToken, map[string]any{"reason": "x"}), http.StatusForbidden, "insufficient_scope")
	expect(t, call(t, "POST", base+"/users/bob/kill", adminToken, map[string]any{"reason": "two\nlines"}),
		http.StatusUnprocessableEntity, "invalid_text")
	expect(t, call(t, "POST", base+"/users/bob/kill", adminToken, map[string]any{"reason": "spam"}), http.StatusNoContent, "")
	if e := bob.ExpectError(); e == "" {
		t.Error("bob was not told why he was disconnected")
	}
	if m := alice.Expect("QUIT"); m.Source != "bob!~bob@127.0.0.1" || m.Param(0) != "Killed (boss (spam))" {
		t.Errorf("alice saw %s", m.String())
	}
	expect(t, call(t, "POST", base+"/users/bob/kill", adminToken, map[string]any{}), http.StatusNotFound, "no_such_user")
}
