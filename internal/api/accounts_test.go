package api_test

import (
	"encoding/base64"
	"net/http"
	"testing"

	"github.com/parleychat/parley/internal/testkit"
)

func TestAccounts(t *testing.T) {
	n, base := testNode(t, nil)
	create := func(body map[string]any) reply { return call(t, "POST", base+"/accounts", adminToken, body) }

	expect(t, call(t, "GET", base+"/accounts", readToken, nil), http.StatusForbidden, "insufficient_scope")
	r := create(map[string]any{"name": "alice", "password": "pässwörd ✓ long enough", "email": "a@example.org"})
	expect(t, r, http.StatusCreated, "")
	if r.body["name"] != "alice" || r.body["email"] != "a@example.org" || r.body["password"] != nil {
		t.Fatalf("created: %s", r.raw)
	}

	// The account logs in with SASL the moment the response is in.
	c := testkit.Dial(t, testkit.IRCAddr(n))
	c.Send("AUTHENTICATE PLAIN")
	c.Expect("AUTHENTICATE")
	c.Send("AUTHENTICATE " + base64.StdEncoding.EncodeToString([]byte("\x00alice\x00pässwörd ✓ long enough")))
	c.Expect("903")

	expect(t, create(map[string]any{"name": "ALICE", "password": "another password"}), http.StatusConflict, "account_exists")
	expect(t, create(map[string]any{"name": "bad name", "password": "another password"}), http.StatusUnprocessableEntity, "bad_account_name")
	expect(t, create(map[string]any{"name": "bob", "password": "short"}), http.StatusUnprocessableEntity, "bad_password")
	expect(t, create(map[string]any{"name": "bob", "pass": "x"}), http.StatusBadRequest, "unknown_field")

	r = call(t, "GET", base+"/accounts", adminToken, nil)
	expect(t, r, http.StatusOK, "")
	list, _ := r.body["accounts"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["name"] != "alice" {
		t.Fatalf("list: %s", r.raw)
	}

	expect(t, call(t, "PUT", base+"/accounts/alice/password", adminToken, map[string]any{"password": "a new password"}), http.StatusNoContent, "")
	expect(t, call(t, "PUT", base+"/accounts/nobody/password", adminToken, map[string]any{"password": "a new password"}), http.StatusNotFound, "no_such_account")
	expect(t, call(t, "PUT", base+"/accounts/alice/password", adminToken, map[string]any{"password": "tiny"}), http.StatusUnprocessableEntity, "bad_password")
	expect(t, call(t, "DELETE", base+"/accounts/Alice", adminToken, nil), http.StatusNoContent, "")
	expect(t, call(t, "DELETE", base+"/accounts/alice", adminToken, nil), http.StatusNotFound, "no_such_account")
}
