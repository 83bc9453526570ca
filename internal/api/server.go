package api

import (
	"net/http"
	"time"
)

type serverJSON struct {
	Name       string    `json:"name"`
	Network    string    `json:"network"`
	Version    string    `json:"version"`
	Node       string    `json:"node"`
	Started    time.Time `json:"started"`
	Uptime     int64     `json:"uptime_seconds"`
	Users      int       `json:"users"`
	LocalUsers int       `json:"local_users"`
	Opers      int       `json:"opers"`
	Channels   int       `json:"channels"`
}

func (a *API) getServer(w http.ResponseWriter, r *http.Request, c *caller) {
	s := a.net.Settings()
	st := a.net.Stats()
	writeJSON(w, http.StatusOK, serverJSON{
		Name: s.ServerName, Network: s.Network, Version: a.opt.Version, Node: string(a.net.Node()),
		Started: a.net.Created().UTC(), Uptime: int64(time.Since(a.net.Created()) / time.Second),
		Users: st.Users, LocalUsers: st.LocalUsers, Opers: st.Opers, Channels: st.Channels,
	})
}
