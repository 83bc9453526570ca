package api_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestKick(t *testing.T) {
	n, base := testNode(t, nil)
	alice := ircUser(t, n, "alice", "#c")
	ircUser(t, n, "bob", "#c")
	alice.Expect("JOIN")
	url := base + "/channels/%23c/kick"
	expect(t, call(t, "POST", url, adminToken, map[string]any{"reason": "x"}), http.StatusUnprocessableEntity, "missing_field")
	expect(t, call(t, "POST", url, adminToken, map[string]any{"nick": "bob", "reason": "bye"}), http.StatusOK, "")
	if m := alice.Expect("KICK"); m.Source != "boss!api@irc.test" || m.Param(1) != "bob" || m.Param(2) != "bye" {
		t.Errorf("alice saw %s", m.String())
	}
	expect(t, call(t, "POST", url, adminToken, map[string]any{"nick": "bob"}), http.StatusNotFound, "user_not_in_channel")
	expect(t, call(t, "POST", base+"/channels/%23none/kick", adminToken, map[string]any{"nick": "bob"}), http.StatusNotFound, "no_such_channel")
}

func TestBans(t *testing.T) {
	n, base := testNode(t, nil)
	alice := ircUser(t, n, "alice", "#c")
	url := base + "/channels/%23c/bans"
	r := call(t, "POST", url, adminToken, map[string]any{"mask": "*@203.0.113.7"})
	expect(t, r, http.StatusCreated, "")
	if r.body["mask"] != "*!*@203.0.113.7" || r.body["msgid"] == "" {
		t.Errorf("answer %s", r.raw)
	}
	if m := alice.Expect("MODE"); m.Param(1) != "+b" || m.Param(2) != "*!*@203.0.113.7" {
		t.Errorf("alice saw %s", m.String())
	}
	expect(t, call(t, "POST", url, adminToken, map[string]any{"mask": "*!*@203.0.113.7"}), http.StatusConflict, "ban_exists")
	expect(t, call(t, "POST", url, adminToken, map[string]any{"mask": ""}), http.StatusUnprocessableEntity, "missing_field")
	expect(t, call(t, "POST", url, adminToken, map[string]any{"mask": "a b"}), http.StatusUnprocessableEntity, "invalid_mask")

	r = call(t, "GET", base+"/channels/%23c", adminToken, nil)
	if bans, _ := r.body["bans"].([]any); len(bans) != 1 {
		t.Errorf("channel detail for admin: %s", r.raw)
	}
	expect(t, call(t, "DELETE", url+"/%2A%21%2A%40203.0.113.7", adminToken, nil), http.StatusOK, "")
	if m := alice.Expect("MODE"); m.Param(1) != "-b" {
		t.Errorf("alice saw %s", m.String())
	}
	expect(t, call(t, "DELETE", url+"/*!*@203.0.113.7", adminToken, nil), http.StatusNotFound, "no_such_ban")
}

func TestModes(t *testing.T) {
	n, base := testNode(t, nil)
	alice := ircUser(t, n, "alice", "#c")
	ircUser(t, n, "bob", "#c")
	alice.Expect("JOIN")
	url := base + "/channels/%23c/modes"
	r := call(t, "POST", url, adminToken, map[string]any{"modes": "+mv-o", "args": []string{"bob", "alice"}})
	expect(t, r, http.StatusOK, "")
	if r.body["applied"] != "+mv-o" {
		t.Errorf("answer %s", r.raw)
	}
	if m := alice.Expect("MODE"); m.Source != "boss!api@irc.test" || m.Param(1) != "+mv-o" || m.Param(2) != "bob" || m.Param(3) != "alice" {
		t.Errorf("alice saw %s", m.String())
	}
	// Partly refused: the change that can apply does; the other is listed.
	r = call(t, "POST", url, adminToken, map[string]any{"modes": "+lo", "args": []string{"5", "nobody"}})
	expect(t, r, http.StatusOK, "")
	if refused, _ := r.body["refused"].([]any); r.body["applied"] != "+l" || len(refused) != 1 {
		t.Errorf("answer %s", r.raw)
	}
	expect(t, call(t, "POST", url, adminToken, map[string]any{"modes": "+Q"}), http.StatusUnprocessableEntity, "unknown_mode")
	expect(t, call(t, "POST", url, adminToken, map[string]any{"modes": "+o"}), http.StatusUnprocessableEntity, "missing_argument")
	expect(t, call(t, "POST", url, adminToken, map[string]any{"modes": ""}), http.StatusUnprocessableEntity, "missing_field")
	expect(t, call(t, "POST", url, adminToken, map[string]any{"modes": "+m", "args": "x"}), http.StatusBadRequest, "bad_field")
	expect(t, call(t, "POST", base+"/channels/%23none/modes", adminToken, map[string]any{"modes": "+m"}), http.StatusNotFound, "no_such_channel")
}

func TestTopic(t *testing.T) {
	n, base := testNode(t, nil)
	alice := ircUser(t, n, "alice", "#c")
	url := base + "/channels/%23c/topic"
	expect(t, call(t, "PUT", url, postToken, map[string]any{"topic": "x"}), http.StatusForbidden, "insufficient_scope")
	expect(t, call(t, "PUT", url, adminToken, map[string]any{}), http.StatusUnprocessableEntity, "missing_field")
	expect(t, call(t, "PUT", url, adminToken, map[string]any{"topic": string(make([]byte, 400))}), http.StatusUnprocessableEntity, "invalid_text")
	expect(t, call(t, "PUT", url, adminToken, map[string]any{"topic": strings.Repeat("t", 391)}), http.StatusUnprocessableEntity, "text_too_long")
	expect(t, call(t, "PUT", url, adminToken, map[string]any{"topic": "Release day"}), http.StatusOK, "")
	if m := alice.Expect("TOPIC"); m.Source != "boss!api@irc.test" || m.Param(1) != "Release day" {
		t.Errorf("alice saw %s", m.String())
	}
	r := call(t, "GET", base+"/channels/%23c", readToken, nil)
	if topic := r.body["topic"].(map[string]any); topic["text"] != "Release day" || topic["set_by"] != "boss!api@irc.test" {
		t.Errorf("topic now %v", topic)
	}
}
