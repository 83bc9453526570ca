package api_test

import (
	"github.com/parleychat/parley/internal/config"
	"net/http"
	"strings"
	"testing"
)

func TestPostMessageReachesIRC(t *testing.T) {
	n, base := testNode(t, nil)
	alice := ircUser(t, n, "alice", "#c")
	alice.Send("CAP REQ :message-tags")
	alice.Expect("CAP")
	plain := ircUser(t, n, "bob", "#c")

	r := call(t, "POST", base+"/channels/%23c/messages", postToken, map[string]any{"text": "hello from the API"})
	expect(t, r, http.StatusCreated, "")
	msgid, _ := r.body["msgid"].(string)
	if msgid == "" || r.body["time"] == nil {
		t.Fatalf("POST answer = %s, want msgid and time", r.raw)
	}
	m := alice.Expect("PRIVMSG")
	if m.Source != "poster!api@irc.test" || m.Param(0) != "#c" || m.Param(1) != "hello from the API" {
		t.Errorf("alice got %s", m.String())
	}
	if id, _ := m.Tag("msgid"); id != msgid {
		t.Errorf("msgid tag %q, want %q from the API answer", id, msgid)
	}
	if _, ok := m.Tag("bot"); !ok {
		t.Errorf("no bot tag on %s", m.String())
	}
	if m := plain.Expect("PRIVMSG"); len(m.Tags) != 0 || m.Param(1) != "hello from the API" {
		t.Errorf("bob (no message-tags) got %s", m.String())
	}

	// A chosen nick, a NOTICE, two lines (the blank one is skipped), a channel named without '#'.
	r = call(t, "POST", base+"/channels/c/messages", postToken,
		map[string]any{"text": "line one\r\n\nline two", "nick": "Deploy", "notice": true})
	expect(t, r, http.StatusCreated, "")
	if msgs, _ := r.body["messages"].([]any); len(msgs) != 2 {
		t.Errorf("two lines: answer %s, want two messages", r.raw)
	}
	for _, want := range []string{"line one", "line two"} {
		m := plain.Expect("NOTICE")
		if m.Source != "Deploy!api@irc.test" || m.Param(1) != want {
			t.Errorf("bob got %s, want NOTICE %q from Deploy", m.String(), want)
		}
	}
}

func TestPostMessageRefusals(t *testing.T) {
	n, base := testNode(t, nil)
	alice := ircUser(t, n, "alice", "#c")
	url := base + "/channels/%23c/messages"
	long := strings.Repeat("x", 500)
	cases := []struct {
		name   string
		token  string
		body   any
		status int
		code   string
	}{
		{"read scope", readToken, map[string]any{"text": "x"}, http.StatusForbidden, "insufficient_scope"},
		{"not JSON", postToken, "text=hello", http.StatusBadRequest, "bad_json"},
		{"empty body", postToken, "", http.StatusBadRequest, "bad_json"},
		{"array", postToken, `["x"]`, http.StatusBadRequest, "bad_json"},
		{"two objects", postToken, `{"text":"a"}{"text":"b"}`, http.StatusBadRequest, "bad_json"},
		{"unknown field", postToken, `{"text":"a","colour":"red"}`, http.StatusBadRequest, "unknown_field"},
		{"wrong type", postToken, `{"text":5}`, http.StatusBadRequest, "bad_field"},
		{"too large", postToken, `{"text":"` + strings.Repeat("a", 70000) + `"}`, http.StatusRequestEntityTooLarge, "body_too_large"},
		{"empty text", postToken, map[string]any{"text": "\n\n"}, http.StatusUnprocessableEntity, "no_text"},
		{"NUL", postToken, map[string]any{"text": "a\x00b"}, http.StatusUnprocessableEntity, "invalid_text"},
		{"too long", postToken, map[string]any{"text": long}, http.StatusUnprocessableEntity, "text_too_long"},
		{"too many lines", postToken, map[string]any{"text": strings.Repeat("x\n", 21)}, http.StatusUnprocessableEntity, "too_many_lines"},
		{"bad nick", postToken, map[string]any{"text": "x", "nick": "no spaces"}, http.StatusUnprocessableEntity, "invalid_nick"},
		{"nick of a user", postToken, map[string]any{"text": "x", "nick": "ALICE"}, http.StatusConflict, "nick_in_use"},
	}
	for _, tc := range cases {
		r := call(t, "POST", url, tc.token, tc.body)
		if r.status != tc.status || r.errCode() != tc.code {
			t.Errorf("%s: got %d %q (%s), want %d %q", tc.name, r.status, r.errCode(), r.raw, tc.status, tc.code)
		}
	}
	r := call(t, "POST", base+"/channels/%23nowhere/messages", postToken, map[string]any{"text": "x"})
	expect(t, r, http.StatusNotFound, "no_such_channel")

	req := call(t, "POST", url, postToken, nil) // no body and no Content-Type
	expect(t, req, http.StatusUnsupportedMediaType, "unsupported_media_type")

	// The longest line that fits is accepted, and arrives whole.
	room := 512 - len(":poster!api@irc.test PRIVMSG #c :\r\n")
	expect(t, call(t, "POST", url, postToken, map[string]any{"text": long[:room]}), http.StatusCreated, "")
	if m := alice.Expect("PRIVMSG"); len(m.Param(1)) != room {
		t.Errorf("alice got %d bytes, want %d", len(m.Param(1)), room)
	}
	expect(t, call(t, "POST", url, postToken, map[string]any{"text": long[:room+1]}), http.StatusUnprocessableEntity, "text_too_long")

	// Moderated: bots need a voice like everyone else; an administrator's token passes.
	alice.Send("MODE #c +m")
	alice.Expect("MODE")
	expect(t, call(t, "POST", url, postToken, map[string]any{"text": "x"}), http.StatusForbidden, "cannot_send")
	expect(t, call(t, "POST", url, adminToken, map[string]any{"text": "announcement"}), http.StatusCreated, "")
	if m := alice.Expect("PRIVMSG"); m.Source != "boss!api@irc.test" || m.Param(1) != "announcement" {
		t.Errorf("alice got %s", m.String())
	}
}

// TestHistoryUnavailable: with history.enabled off the endpoint says so, and still checks its
// parameters.
func TestHistoryUnavailable(t *testing.T) {
	_, base := testNode(t, func(c *config.Config) { c.History.Enabled = false })
	expect(t, call(t, "GET", base+"/channels/%23c/messages?limit=10", readToken, nil), http.StatusNotImplemented, "history_unavailable")
	expect(t, call(t, "GET", base+"/channels/%23c/messages?limit=0", readToken, nil), http.StatusBadRequest, "bad_parameter")
	expect(t, call(t, "GET", base+"/channels/%23c/messages?before=yesterday", readToken, nil), http.StatusBadRequest, "bad_parameter")
	expect(t, call(t, "GET", base+"/channels/%23c/messages?before=2026-01-01T00:00:00Z&after=2025-01-01T00:00:00Z",
		readToken, nil), http.StatusBadRequest, "bad_parameter")
}
