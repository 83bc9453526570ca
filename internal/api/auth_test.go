package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/parleychat/parley/internal/api"
)

// concrete fills a route's wildcards with values that exist in TestEveryRouteChecksTokens.
func concrete(path string) string {
	return strings.NewReplacer("{name}", "%23c", "{nick}", "alice", "{mask}", "nobody").Replace(path)
}

func TestEveryRouteChecksTokens(t *testing.T) {
	n, base := testNode(t, nil)
	ircUser(t, n, "alice", "#c")
	tokens := map[string]string{"read": readToken, "post": postToken, "admin": adminToken}
	for _, rt := range api.Routes() {
		url := base + concrete(rt.Path)
		t.Run(rt.Method+" "+rt.Path, func(t *testing.T) {
			r := call(t, rt.Method, url, "", nil)
			expect(t, r, http.StatusUnauthorized, "missing_token")
			if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("401 without WWW-Authenticate: Bearer (%q)", r.header.Get("WWW-Authenticate"))
			}
			expect(t, call(t, rt.Method, url, "not-a-valid-token-at-all", nil), http.StatusUnauthorized, "invalid_token")
			// A prefix of a real token must not pass: the comparison is over the whole token.
			expect(t, call(t, rt.Method, url, adminToken[:len(adminToken)-1], nil), http.StatusUnauthorized, "invalid_token")
			for scope, tok := range tokens {
				allowed := scope == rt.Scope || scope == "admin" || rt.Scope == "read" && scope == "read"
				if allowed || rt.Method == http.MethodGet && rt.Path == "/events" {
					continue // the stream would stay open; TestEvents covers it
				}
				expect(t, call(t, rt.Method, url, tok, nil), http.StatusForbidden, "insufficient_scope")
			}
		})
	}
}

func TestAuthorizationHeaderForms(t *testing.T) {
	_, base := testNode(t, nil)
	for _, h := range []string{"Basic cmVhZDpyZWFk", "Bearer", "Bearer ", readToken} {
		req, _ := http.NewRequest("GET", base+"/server", nil)
		req.Header.Set("Authorization", h)
		r := do(t, req)
		if r.status != http.StatusUnauthorized {
			t.Errorf("Authorization %q: got %d, want 401", h, r.status)
		}
	}
	req, _ := http.NewRequest("GET", base+"/server", nil)
	req.Header.Set("Authorization", "bearer "+readToken) // the scheme is case-insensitive (RFC 7235)
	expect(t, do(t, req), http.StatusOK, "")
}

func TestUnknownEndpointAndMethod(t *testing.T) {
	_, base := testNode(t, nil)
	expect(t, call(t, "GET", base+"/nothing/here", readToken, nil), http.StatusNotFound, "no_such_endpoint")
	r := call(t, "DELETE", base+"/channels", adminToken, nil)
	expect(t, r, http.StatusMethodNotAllowed, "method_not_allowed")
	if r.header.Get("Allow") != "GET" {
		t.Errorf("Allow = %q, want GET", r.header.Get("Allow"))
	}
	r = call(t, "PATCH", base+"/channels/%23c/messages", adminToken, nil)
	expect(t, r, http.StatusMethodNotAllowed, "method_not_allowed")
	if r.header.Get("Allow") != "GET, POST" {
		t.Errorf("Allow = %q, want GET, POST", r.header.Get("Allow"))
	}
}
