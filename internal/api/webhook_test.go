package api_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/parleychat/parley/internal/config"
)

// hookReceiver records webhook requests and fails the first `failures` of them with 500.
type hookReceiver struct {
	mu       sync.Mutex
	failures int
	got      []hookRequest
	arrived  chan struct{}
}

type hookRequest struct {
	header http.Header
	body   []byte
	at     time.Time
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.got = append(h.got, hookRequest{r.Header.Clone(), body, time.Now()})
	fail := len(h.got) <= h.failures
	h.mu.Unlock()
	if fail {
		w.WriteHeader(http.StatusInternalServerError)
	}
	h.arrived <- struct{}{}
}

func TestWebhookSignedAndRetried(t *testing.T) {
	const secret = "whsec-test-0123456789"
	recv := &hookReceiver{failures: 1, arrived: make(chan struct{}, 10)}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	n, _ := testNode(t, func(c *config.Config) {
		c.Webhooks = []config.Webhook{{URL: srv.URL + "/hook", Secret: secret, Events: []string{"privmsg"}, Channels: []string{"#Hooked"}}}
	})
	alice := ircUser(t, n, "alice", "#hooked", "#other")
	alice.Send("PRIVMSG #other :not for the hook")
	alice.Send("PRIVMSG #hooked :deploy done")
	alice.Roundtrip()

	for i := 0; i < 2; i++ {
		select {
		case <-recv.arrived:
		case <-time.After(5 * time.Second):
			t.Fatalf("webhook request %d did not arrive", i+1)
		}
	}
	recv.mu.Lock()
	first, retry := recv.got[0], recv.got[1]
	recv.mu.Unlock()
	if string(first.body) != string(retry.body) || first.header.Get("X-Parley-Delivery") != retry.header.Get("X-Parley-Delivery") {
		t.Errorf("the retry differs from the first try:\n%s\n%s", first.body, retry.body)
	}
	if gap := retry.at.Sub(first.at); gap < 500*time.Millisecond {
		t.Errorf("retried after %v, want a backoff of about 1s", gap)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(retry.body)
	if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); retry.header.Get("X-Parley-Signature") != want {
		t.Errorf("signature %q, want %q", retry.header.Get("X-Parley-Signature"), want)
	}
	var ev map[string]any
	if err := json.Unmarshal(retry.body, &ev); err != nil {
		t.Fatal(err)
	}
	if ev["type"] != "privmsg" || ev["channel"] != "#hooked" || ev["text"] != "deploy done" ||
		retry.header.Get("X-Parley-Event") != "privmsg" || retry.header.Get("Content-Type") != "application/json" {
		t.Errorf("webhook body %s, headers %v", retry.body, retry.header)
	}
	select {
	case <-recv.arrived:
		t.Error("an event outside the hook's channels or kinds was sent")
	case <-time.After(100 * time.Millisecond):
	}
}
