package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/config"
	"github.com/parleychat/parley/internal/node"
	"github.com/parleychat/parley/internal/testkit"
)

// The tokens of a test node, one per scope set.
const (
	readToken  = "read-token-0123456789"
	postToken  = "post-token-0123456789"
	adminToken = "admin-token-0123456789"
)

// testNode runs a node with the three test tokens and returns it with its API base URL.
func testNode(t *testing.T, mutate func(*config.Config)) (*node.Node, string) {
	t.Helper()
	cfg := testkit.Config(t)
	cfg.API.Tokens = []config.APIToken{
		{Name: "reader", Token: readToken, Scopes: []string{"read"}},
		{Name: "poster", Token: postToken, Scopes: []string{"post"}},
		{Name: "boss", Token: adminToken, Scopes: []string{"admin"}},
	}
	if mutate != nil {
		mutate(cfg)
	}
	n := testkit.StartNode(t, cfg)
	return n, "http://" + n.HTTPAddr().String() + "/api/v1"
}

// reply is a decoded API answer.
type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// errCode returns the error code of an error answer, "" otherwise.
func (r reply) errCode() string {
	e, _ := r.body["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

// call makes one request; body is sent as JSON unless it is a string (sent as is).
func call(t *testing.T, method, url, token string, body any) reply {
	t.Helper()
	var rd io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) reply {
	t.Helper()
	client := &http.Client{Timeout: 5 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := reply{status: resp.StatusCode, header: resp.Header, raw: string(data)}
	if len(data) > 0 {
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("%s %s: Content-Type %q, body %q", req.Method, req.URL, ct, data)
		}
		if err := json.Unmarshal(data, &r.body); err != nil {
			t.Fatalf("%s %s: body is not a JSON object: %q", req.Method, req.URL, data)
		}
	}
	return r
}

// expect fails the test unless the answer has the status and, for errors, the code.
func expect(t *testing.T, r reply, status int, code string) {
	t.Helper()
	if r.status != status || r.errCode() != code {
		t.Fatalf("got %d %q (%s), want %d %q", r.status, r.errCode(), r.raw, status, code)
	}
}

// ircUser connects an IRC client, registers nick and joins the channels.
func ircUser(t *testing.T, n *node.Node, nick string, channels ...string) *testkit.Client {
	t.Helper()
	c := testkit.Dial(t, testkit.IRCAddr(n))
	c.Register(nick)
	for _, ch := range channels {
		c.Join(ch)
	}
	return c
}
