package api_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestChannels(t *testing.T) {
	n, base := testNode(t, nil)
	alice := ircUser(t, n, "alice", "#pub", "#hidden")
	alice.Send("TOPIC #pub :Welcome here")
	alice.Send("MODE #hidden +sk sesame")
	ircUser(t, n, "bob", "#pub")
	alice.Roundtrip()

	list := func(token string) map[string]map[string]any {
		r := call(t, "GET", base+"/channels", token, nil)
		expect(t, r, http.StatusOK, "")
		out := map[string]map[string]any{}
		for _, c := range r.body["channels"].([]any) {
			m := c.(map[string]any)
			out[m["name"].(string)] = m
		}
		return out
	}
	got := list(readToken)
	if len(got) != 1 || got["#pub"]["topic"] != "Welcome here" || got["#pub"]["members"] != 2.0 || got["#pub"]["modes"] != "+nt" {
		t.Errorf("reader's channel list = %v, want #pub only with its topic, 2 members, +nt", got)
	}
	got = list(adminToken)
	hidden := got["#hidden"]
	if hidden == nil || hidden["modes"] != "+knst" || hidden["mode_args"].([]any)[0] != "sesame" {
		t.Errorf("admin's view of #hidden = %v, want it listed with +knst sesame", hidden)
	}

	for _, path := range []string{"/channels/%23pub", "/channels/pub", "/channels/%23PUB"} {
		r := call(t, "GET", base+path, readToken, nil)
		expect(t, r, http.StatusOK, "")
		topic := r.body["topic"].(map[string]any)
		members := r.body["members"].([]any)
		if r.body["name"] != "#pub" || topic["text"] != "Welcome here" || topic["set_by"] == "" || topic["set_at"] == nil ||
			r.body["member_count"] != 2.0 || len(members) != 2 {
			t.Fatalf("GET %s = %s", path, r.raw)
		}
		first := members[0].(map[string]any)
		if first["nick"] != "alice" || first["prefixes"] != "@" {
			t.Errorf("first member = %v, want alice with @", first)
		}
		if _, ok := r.body["bans"]; ok {
			t.Error("a read token sees the ban list")
		}
	}
	expect(t, call(t, "GET", base+"/channels/%23hidden", readToken, nil), http.StatusNotFound, "no_such_channel")
	r := call(t, "GET", base+"/channels/%23hidden", adminToken, nil)
	expect(t, r, http.StatusOK, "")
	if r.body["mode_args"].([]any)[0] != "sesame" {
		t.Errorf("admin does not see the key: %s", r.raw)
	}
	expect(t, call(t, "GET", base+"/channels/%23nowhere", readToken, nil), http.StatusNotFound, "no_such_channel")
}

func TestServerInfo(t *testing.T) {
	n, base := testNode(t, nil)
	ircUser(t, n, "alice", "#a")
	r := call(t, "GET", base+"/server", readToken, nil)
	expect(t, r, http.StatusOK, "")
	if r.body["name"] != "irc.test" || r.body["network"] != "TestNet" || r.body["version"] != "parley-test" ||
		r.body["users"] != 1.0 || r.body["channels"] != 1.0 || r.body["started"] == nil {
		t.Errorf("GET /server = %s", r.raw)
	}
	call(t, "GET", base+"/server", "", nil)
	resp, err := http.Get("http://" + n.HTTPAddr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	metrics, _ := io.ReadAll(resp.Body)
	for _, want := range []string{`parley_api_requests_total{route="GET /api/v1/server",status="200"} 1`,
		`parley_api_requests_total{route="GET /api/v1/server",status="401"} 1`} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
