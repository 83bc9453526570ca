package api

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parleychat/parley/internal/config"
)

// scope is what a token may do.
type scope string

// The scopes of config.APIToken. admin implies read and post.
const (
	scopeRead  scope = "read"
	scopePost  scope = "post"
	scopeAdmin scope = "admin"
)

// caller is the authenticated token behind a request.
type caller struct {
	name   string
	scopes map[scope]bool
}

func (c *caller) has(s scope) bool { return c.scopes[s] || c.scopes[scopeAdmin] }

func (c *caller) admin() bool { return c.scopes[scopeAdmin] }

// tokenSet holds the configured tokens by their SHA-256 digests: comparing fixed-size digests in
// constant time, and always against every token, tells an attacker nothing through timing, not
// even a token's length.
type tokenSet struct {
	entries []tokenEntry
}

type tokenEntry struct {
	digest [sha256.Size]byte
	caller *caller
}

func newTokenSet(tokens []config.APIToken) *tokenSet {
	ts := &tokenSet{}
	for _, t := range tokens {
		c := &caller{name: t.Name, scopes: map[scope]bool{}}
		for _, s := range t.Scopes {
			c.scopes[scope(s)] = true
		}
		ts.entries = append(ts.entries, tokenEntry{digest: sha256.Sum256([]byte(t.Token)), caller: c})
	}
	return ts
}

// lookup returns the token's caller, or nil.
func (ts *tokenSet) lookup(token string) *caller {
	d := sha256.Sum256([]byte(token))
	var found *caller
	for i := range ts.entries {
		if subtle.ConstantTimeCompare(d[:], ts.entries[i].digest[:]) == 1 {
			found = ts.entries[i].caller
		}
	}
	return found
}

// authenticate reads "Authorization: Bearer <token>" (RFC 6750 section 2.1).
func (a *API) authenticate(r *http.Request) (*caller, *apiError) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, errUnauthorized("missing_token", "send the API token as Authorization: Bearer <token>")
	}
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return nil, errUnauthorized("bad_authorization", "the Authorization header must be \"Bearer <token>\"")
	}
	c := a.tokens.lookup(strings.TrimSpace(token))
	if c == nil {
		return nil, errUnauthorized("invalid_token", "the API token is not valid")
	}
	return c, nil
}

// rateLimiter is a token bucket per API token, for write requests: a bot that loops on POST
// cannot flood channels faster than IRC flood control would let a client.
type rateLimiter struct {
	rate  float64
	burst float64
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(rate float64, burst int) *rateLimiter {
	return &rateLimiter{rate: rate, burst: float64(burst), now: time.Now, buckets: map[string]*bucket{}}
}

// allow takes one token from name's bucket. When empty, it returns the whole seconds to wait.
// The map holds one bucket per configured token name, so it cannot grow without bound.
func (l *rateLimiter) allow(name string) (retryAfter string, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[name]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[name] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return "", true
	}
	wait := int((1-b.tokens)/l.rate) + 1
	return strconv.Itoa(wait), false
}
