package auth

import (
	"sync"
	"time"
)

// ThrottleConfig bounds failed logins: after Failures failures within Window, attempts from the
// same IP address (or against the same account) are refused until Window has passed since the
// first of them.
type ThrottleConfig struct {
	Failures int
	Window   time.Duration
	// MaxKeys bounds the memory the throttle uses; when full, expired entries are dropped and, if
	// that is not enough, new keys are not tracked (never refused).
	MaxKeys int
	Now     func() time.Time // nil: time.Now
}

// DefaultThrottle is 10 failures per 5 minutes, for up to 100,000 addresses and accounts.
var DefaultThrottle = ThrottleConfig{Failures: 10, Window: 5 * time.Minute, MaxKeys: 100_000}

// Throttle counts failures per key in fixed windows. Safe for concurrent use.
type Throttle struct {
	cfg ThrottleConfig

	mu        sync.Mutex
	entries   map[string]*throttleEntry
	lastPrune time.Time // a full map is swept at most once a second, so floods cost O(1) each
}

type throttleEntry struct {
	start time.Time // when the window began (its first failure)
	fails int
}

// NewThrottle returns a throttle (safe for concurrent use); zero fields of cfg take DefaultThrottle's
// values.
func NewThrottle(cfg ThrottleConfig) *Throttle {
	if cfg.Failures <= 0 {
		cfg.Failures = DefaultThrottle.Failures
	}
	if cfg.Window <= 0 {
		cfg.Window = DefaultThrottle.Window
	}
	if cfg.MaxKeys <= 0 {
		cfg.MaxKeys = DefaultThrottle.MaxKeys
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Throttle{cfg: cfg, entries: map[string]*throttleEntry{}}
}

// Wait returns how long attempts for key are refused, 0 when they are allowed. Safe for
// concurrent use.
func (t *Throttle) Wait(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.entries[key]
	if e == nil {
		return 0
	}
	left := e.start.Add(t.cfg.Window).Sub(t.cfg.Now())
	if left <= 0 {
		delete(t.entries, key)
		return 0
	}
	if e.fails < t.cfg.Failures {
		return 0
	}
	return left
}

// Fail counts one failure for key. Safe for concurrent use.
func (t *Throttle) Fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.cfg.Now()
	e := t.entries[key]
	if e != nil && now.Sub(e.start) >= t.cfg.Window {
		e = nil
	}
	if e == nil {
		if len(t.entries) >= t.cfg.MaxKeys && !t.pruneLocked(now) {
			return
		}
		e = &throttleEntry{start: now}
		t.entries[key] = e
	}
	e.fails++
}

// Reset forgets key's failures (after a successful login). Safe for concurrent use.
func (t *Throttle) Reset(key string) {
	t.mu.Lock()
	delete(t.entries, key)
	t.mu.Unlock()
}

// pruneLocked drops expired entries and reports whether there is room for a new one.
func (t *Throttle) pruneLocked(now time.Time) bool {
	if now.Sub(t.lastPrune) < time.Second {
		return false
	}
	t.lastPrune = now
	for k, e := range t.entries {
		if now.Sub(e.start) >= t.cfg.Window {
			delete(t.entries, k)
		}
	}
	return len(t.entries) < t.cfg.MaxKeys
}
