package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/parleychat/parley/internal/store"
)

// The network ban endpoints (admin scope, issue 8): what `parley ban` uses while the server runs.
// A ban added here is enforced on every node, as one added with UBAN is.

// Bans is the network ban list as the API needs it; the node implements it. Its methods are safe
// for concurrent use.
type Bans interface {
	// Add parses target, duration and reason, stores the ban and returns it; errors wrapping
	// store.ErrInvalid describe bad input.
	Add(ctx context.Context, target, duration, reason, setBy string) (store.Ban, error)
	// Remove deletes the bans whose ID or target is ref; store.ErrNotFound when none.
	Remove(ctx context.Context, ref string) ([]store.Ban, error)
	// List returns every stored ban, oldest first.
	List(ctx context.Context) ([]store.Ban, error)
}

type networkBanJSON struct {
	ID      string     `json:"id"`
	Kind    string     `json:"kind"`
	Pattern string     `json:"pattern"`
	Reason  string     `json:"reason"`
	SetBy   string     `json:"set_by"`
	Created time.Time  `json:"created"`
	Expires *time.Time `json:"expires"` // null: permanent
	Expired bool       `json:"expired"`
}

func toNetworkBanJSON(b store.Ban, now time.Time) networkBanJSON {
	out := networkBanJSON{ID: b.ID, Kind: b.Kind, Pattern: b.Pattern, Reason: b.Reason, SetBy: b.SetBy,
		Created: b.Created.UTC(), Expired: b.Expired(now)}
	if !b.Expires.IsZero() {
		e := b.Expires.UTC()
		out.Expires = &e
	}
	return out
}

// banList returns the ban list, or answers 501 when the server has none.
func (a *API) banList(w http.ResponseWriter) Bans {
	if a.opt.Bans == nil {
		writeError(w, &apiError{Status: http.StatusNotImplemented, Code: "bans_unavailable",
			Message: "this server has no ban store"})
	}
	return a.opt.Bans
}

func (a *API) listBans(w http.ResponseWriter, r *http.Request, c *caller) {
	bans := a.banList(w)
	if bans == nil {
		return
	}
	list, err := bans.List(r.Context())
	if err != nil {
		a.banError(w, "", "listing bans", err)
		return
	}
	now := time.Now()
	out := make([]networkBanJSON, 0, len(list))
	for _, b := range list {
		out = append(out, toNetworkBanJSON(b, now))
	}
	writeJSON(w, http.StatusOK, struct {
		Bans []networkBanJSON `json:"bans"`
	}{out})
}

func (a *API) createBan(w http.ResponseWriter, r *http.Request, c *caller) {
	bans := a.banList(w)
	if bans == nil {
		return
	}
	var body struct {
		Target   string `json:"target"`
		Duration string `json:"duration"`
		Reason   string `json:"reason"`
	}
	if err := a.decodeBody(w, r, &body); err != nil {
		writeError(w, err)
		return
	}
	b, err := bans.Add(r.Context(), body.Target, body.Duration, body.Reason, "api:"+c.name)
	if err != nil {
		a.banError(w, body.Target, "adding a ban", err)
		return
	}
	a.log.Info("ban added", "id", b.ID, "kind", b.Kind, "pattern", b.Pattern, "via", "api", "token", c.name)
	writeJSON(w, http.StatusCreated, toNetworkBanJSON(b, time.Now()))
}

func (a *API) deleteBan(w http.ResponseWriter, r *http.Request, c *caller) {
	bans := a.banList(w)
	if bans == nil {
		return
	}
	ref := r.PathValue("id")
	removed, err := bans.Remove(r.Context(), ref)
	if err != nil {
		a.banError(w, ref, "removing a ban", err)
		return
	}
	now := time.Now()
	out := make([]networkBanJSON, 0, len(removed))
	for _, b := range removed {
		out = append(out, toNetworkBanJSON(b, now))
	}
	a.log.Info("ban removed", "ref", ref, "count", len(removed), "via", "api", "token", c.name)
	writeJSON(w, http.StatusOK, struct {
		Removed []networkBanJSON `json:"removed"`
	}{out})
}

// banError maps ban list errors to answers; anything unexpected is a 503 that is logged.
func (a *API) banError(w http.ResponseWriter, ref, doing string, err error) {
	switch {
	case errors.Is(err, store.ErrInvalid):
		writeError(w, errInvalid("bad_ban", strings.TrimPrefix(err.Error(), store.ErrInvalid.Error()+": ")))
	case errors.Is(err, store.ErrNotFound):
		writeError(w, errNotFound("no_such_ban", "no ban has the ID or target "+ref))
	case errors.Is(err, store.ErrExists):
		writeError(w, errConflict("ban_exists", "the ban "+ref+" already exists"))
	default:
		a.log.Warn("ban store failed", "doing", doing, "err", err)
		writeError(w, &apiError{Status: http.StatusServiceUnavailable, Code: "store_unavailable",
			Message: "the ban store did not answer; try again"})
	}
}
