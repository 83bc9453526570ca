package session

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"sync"
)

// Registry tracks the live sessions of a node so that shutdown can tell every client why it is being
// disconnected and wait for their queues to drain. Safe for concurrent use.
type Registry struct {
	mu       sync.Mutex
	sessions map[*Session]struct{}
	closing  bool
	empty    chan struct{}
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{sessions: make(map[*Session]struct{})}
}

func (r *Registry) add(s *Session) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closing {
		return false
	}
	r.sessions[s] = struct{}{}
	return true
}

func (r *Registry) remove(s *Session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.sessions, s)
	if r.closing && len(r.sessions) == 0 && r.empty != nil {
		close(r.empty)
		r.empty = nil
	}
}

// Count returns the number of live sessions.
func (r *Registry) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sessions)
}

// CloseAll refuses new sessions, sends every live one "ERROR :Closing link: <reason>", and waits
// until they have all ended or ctx is done.
func (r *Registry) CloseAll(ctx context.Context, reason string) error {
	r.mu.Lock()
	r.closing = true
	var empty chan struct{}
	if len(r.sessions) > 0 {
		empty = make(chan struct{})
		r.empty = empty
	}
	list := make([]*Session, 0, len(r.sessions))
	for s := range r.sessions {
		list = append(list, s)
	}
	r.mu.Unlock()
	for _, s := range list {
		s.Close(reason)
	}
	if empty == nil {
		return nil
	}
	select {
	case <-empty:
		return nil
	case <-ctx.Done():
		// Whoever has not drained by now loses the rest of its queue.
		for _, s := range list {
			s.conn.Close()
		}
		return ctx.Err()
	}
}

// certFingerprint returns the lower-hex SHA-256 of the client's TLS certificate, "" if none.
func certFingerprint(st *tls.ConnectionState) string {
	if st == nil || len(st.PeerCertificates) == 0 {
		return ""
	}
	sum := sha256.Sum256(st.PeerCertificates[0].Raw)
	return hex.EncodeToString(sum[:])
}
