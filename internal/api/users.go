package api

import (
	"net/http"
	"sort"
	"time"

	"github.com/parleychat/parley/internal/core"
)

type userJSON struct {
	Nick     string    `json:"nick"`
	User     string    `json:"user"`
	Host     string    `json:"host"`
	Realname string    `json:"realname"`
	Account  string    `json:"account,omitempty"`
	Away     string    `json:"away,omitempty"`
	Modes    string    `json:"modes"`
	Channels []string  `json:"channels"` // with the user's prefixes: "@#ops"
	Idle     int64     `json:"idle_seconds"`
	Signon   time.Time `json:"signon"`
	IP       string    `json:"ip,omitempty"` // administrators only
	Oper     bool      `json:"oper,omitempty"`
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request, c *caller) {
	nick := r.PathValue("nick")
	u := a.net.FindUser(nick)
	if u == nil {
		writeError(w, errNotFound("no_such_user", "no user "+nick))
		return
	}
	info := u.Info()
	out := userJSON{
		Nick: info.Nick, User: info.User, Host: info.Host, Realname: info.Realname, Account: info.Account,
		Away: info.Away, Modes: info.Modes.String(), Signon: info.Signon.UTC(),
		Idle: int64(a.net.Now().Sub(info.LastActive) / time.Second), Oper: info.Modes&core.UModeOper != 0,
		Channels: []string{},
	}
	if c.admin() {
		out.IP = info.IP
	}
	for _, ch := range u.Channels() {
		// Secret channels stay hidden, as WHOIS hides them from those who do not share them.
		if ch.IsSecret() && !c.admin() {
			continue
		}
		m, ok := ch.Membership(u)
		if !ok {
			continue
		}
		out.Channels = append(out.Channels, prefixString(m.Prefixes)+ch.Name())
	}
	sort.Strings(out.Channels)
	writeJSON(w, http.StatusOK, out)
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

func (a *API) kill(w http.ResponseWriter, r *http.Request, c *caller) {
	var req reasonRequest
	if err := a.decodeBody(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	if err := checkLineText("reason", req.Reason, a.net.Settings().KickLen); err != nil {
		writeError(w, err)
		return
	}
	if req.Reason == "" {
		req.Reason = "Killed by an administrator"
	}
	if err := a.net.ServerKill(a.serviceFrom(c, ""), r.PathValue("nick"), req.Reason); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
