package api

import (
	"errors"
	"net/http"
	"sort"
	"time"

	"github.com/parleychat/parley/internal/auth"
	"github.com/parleychat/parley/internal/store"
)

// The account endpoints (admin scope): what `parley account` uses while the server runs. An
// account created here can log in with SASL as soon as the response is sent: the store is the
// one SASL reads, with no cache in between.

type accountJSON struct {
	Name     string    `json:"name"`
	Email    string    `json:"email,omitempty"`
	Verified bool      `json:"verified"`
	Created  time.Time `json:"created"`
	Certfps  []string  `json:"certfps"`
}

func toAccountJSON(a store.Account) accountJSON {
	fps := a.Certfps
	if fps == nil {
		fps = []string{}
	}
	return accountJSON{Name: a.Name, Email: a.Email, Verified: a.Verified, Created: a.Created.UTC(), Certfps: fps}
}

// accountStore returns the store, or answers 501 when the server has none.
func (a *API) accountStore(w http.ResponseWriter) store.Accounts {
	if a.opt.Accounts == nil {
		writeError(w, &apiError{Status: http.StatusNotImplemented, Code: "accounts_unavailable",
			Message: "this server has no account store"})
	}
	return a.opt.Accounts
}

func (a *API) listAccounts(w http.ResponseWriter, r *http.Request, c *caller) {
	st := a.accountStore(w)
	if st == nil {
		return
	}
	accts, err := st.ListAccounts(r.Context())
	if err != nil {
		a.storeFailed(w, "listing accounts", err)
		return
	}
	sort.Slice(accts, func(i, j int) bool { return accts[i].Name < accts[j].Name })
	out := make([]accountJSON, 0, len(accts))
	for _, acct := range accts {
		out = append(out, toAccountJSON(acct))
	}
	writeJSON(w, http.StatusOK, struct {
		Accounts []accountJSON `json:"accounts"`
	}{out})
}

func (a *API) createAccount(w http.ResponseWriter, r *http.Request, c *caller) {
	st := a.accountStore(w)
	if st == nil {
		return
	}
	var body struct {
		Name     string `json:"name"`
		Password string `json:"password"`
		Email    string `json:"email"`
	}
	if err := a.decodeBody(w, r, &body); err != nil {
		writeError(w, err)
		return
	}
	acct, err := auth.CreateAccount(r.Context(), st, body.Name, body.Email, []byte(body.Password))
	if err != nil {
		a.accountError(w, body.Name, "creating an account", err)
		return
	}
	a.log.Info("account created", "account", acct.Name, "via", "api", "token", c.name)
	writeJSON(w, http.StatusCreated, toAccountJSON(acct))
}

func (a *API) deleteAccount(w http.ResponseWriter, r *http.Request, c *caller) {
	st := a.accountStore(w)
	if st == nil {
		return
	}
	name := r.PathValue("name")
	if err := st.DeleteAccount(r.Context(), name); err != nil {
		a.accountError(w, name, "deleting an account", err)
		return
	}
	a.log.Info("account deleted", "account", name, "via", "api", "token", c.name)
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) setAccountPassword(w http.ResponseWriter, r *http.Request, c *caller) {
	st := a.accountStore(w)
	if st == nil {
		return
	}
	name := r.PathValue("name")
	var body struct {
		Password string `json:"password"`
	}
	if err := a.decodeBody(w, r, &body); err != nil {
		writeError(w, err)
		return
	}
	if err := auth.ChangePassword(r.Context(), st, name, []byte(body.Password)); err != nil {
		a.accountError(w, name, "changing a password", err)
		return
	}
	a.log.Info("account password changed", "account", name, "via", "api", "token", c.name)
	w.WriteHeader(http.StatusNoContent)
}

// accountError maps account errors to answers; anything unexpected is a 500 that is logged.
func (a *API) accountError(w http.ResponseWriter, name, doing string, err error) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, errNotFound("no_such_account", "no account "+name))
	case errors.Is(err, store.ErrExists):
		writeError(w, errConflict("account_exists", "the account "+name+" already exists"))
	case errors.Is(err, auth.ErrBadAccountName), errors.Is(err, store.ErrInvalid):
		writeError(w, errInvalid("bad_account_name", "account names are 1 to 64 bytes of UTF-8 without "+
			"spaces, control characters or any of , * ? ! @, and do not start with : # & $"))
	case errors.Is(err, auth.ErrWeakPassword), errors.Is(err, auth.ErrLongPassword):
		writeError(w, errInvalid("bad_password", err.Error()[len("auth: "):]))
	default:
		a.storeFailed(w, doing, err)
	}
}

func (a *API) storeFailed(w http.ResponseWriter, doing string, err error) {
	a.log.Warn("account store failed", "doing", doing, "err", err)
	writeError(w, &apiError{Status: http.StatusServiceUnavailable, Code: "store_unavailable",
		Message: "the account store did not answer; try again"})
}
