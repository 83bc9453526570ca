package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/testkit"
)

// sayStored sends PRIVMSGs with echo-message and waits for each echo: the echo means "stored".
func sayStored(t *testing.T, c *testkit.Client, target string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		c.Send("PRIVMSG " + target + " :" + s)
		if m := c.Expect("PRIVMSG"); m.Param(1) != s {
			t.Fatalf("echo %q, want %q", m.Param(1), s)
		}
	}
}

func searchResults(t *testing.T, base, token, q string, status int, code string) string {
	t.Helper()
	r := call(t, "GET", base+"/search?"+q, token, nil)
	expect(t, r, status, code)
	if status != http.StatusOK {
		return ""
	}
	var out []string
	results, _ := r.body["results"].([]any)
	for _, x := range results {
		m := x.(map[string]any)
		if m["msgid"] == "" || m["time"] == nil {
			t.Errorf("result without msgid or time: %v", m)
		}
		out = append(out, m["target"].(string)+"/"+m["nick"].(string)+":"+m["text"].(string))
	}
	return strings.Join(out, ",")
}

func TestSearchAPI(t *testing.T) {
	n, base := testNode(t, nil)
	alice := ircUser(t, n, "alice", "#pub", "#sec")
	alice.Send("CAP REQ :echo-message")
	alice.Expect("CAP")
	alice.Send("MODE #sec +s")
	alice.Expect("MODE")
	bob := ircUser(t, n, "bob", "#pub")
	sayStored(t, alice, "#pub", "deploy failed", "lunch time", "deploy fixed")
	sayStored(t, alice, "#sec", "secret deploy plan")
	sayStored(t, alice, "bob", "private deploy note")
	bob.Roundtrip()

	qs := func(q string, extra ...string) string {
		return "q=" + url.QueryEscape(q) + strings.Join(extra, "")
	}
	cases := []struct {
		token, q, want string
	}{
		{readToken, qs("deploy"), "#pub/alice:deploy failed,#pub/alice:deploy fixed"},
		{adminToken, qs("deploy"), "#pub/alice:deploy failed,#pub/alice:deploy fixed,#sec/alice:secret deploy plan"},
		{readToken, qs("DEPLOY fixed"), "#pub/alice:deploy fixed"},
		{readToken, qs("in:#pub from:ALICE"), "#pub/alice:deploy failed,#pub/alice:lunch time,#pub/alice:deploy fixed"},
		{readToken, qs("in:#pub", "&limit=1"), "#pub/alice:deploy fixed"},
		{readToken, qs("from:bob deploy"), ""},
		{readToken, qs("deploy before:2000-01-01T00:00:00Z"), ""},
		{readToken, qs("note"), ""}, // private messages are never searched
	}
	for _, c := range cases {
		if got := searchResults(t, base, c.token, c.q, http.StatusOK, ""); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.token[:4], c.q, got, c.want)
		}
	}
	searchResults(t, base, readToken, qs("in:#sec deploy"), http.StatusNotFound, "no_such_channel")
	searchResults(t, base, readToken, qs("in:bob deploy"), http.StatusBadRequest, "bad_parameter")
	searchResults(t, base, readToken, qs("after:yesterday deploy"), http.StatusBadRequest, "bad_parameter")
	searchResults(t, base, readToken, qs("deploy", "&limit=0"), http.StatusBadRequest, "bad_parameter")
	searchResults(t, base, readToken, "q=", http.StatusBadRequest, "bad_parameter")
	searchResults(t, base, "", qs("deploy"), http.StatusUnauthorized, "missing_token")
}

func TestSearchAPIWithoutHistory(t *testing.T) {
	_, base := testNode(t, func(c *config.Config) { c.History.Enabled = false })
	searchResults(t, base, readToken, "q=deploy", http.StatusNotImplemented, "history_unavailable")
}
