package api

import (
	"net/http"
	"sort"
	"time"

	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/model"
)

type channelSummary struct {
	Name     string   `json:"name"`
	Topic    string   `json:"topic"`
	Members  int      `json:"members"`
	Modes    string   `json:"modes"`
	ModeArgs []string `json:"mode_args"`
}

type topicJSON struct {
	Text  string     `json:"text"`
	SetBy string     `json:"set_by,omitempty"`
	SetAt *time.Time `json:"set_at,omitempty"`
}

type memberJSON struct {
	Nick     string `json:"nick"`
	Prefixes string `json:"prefixes"` // "@+": every rank held, highest first
	Bot      bool   `json:"bot,omitempty"`
}

type banJSON struct {
	Mask  string    `json:"mask"`
	SetBy string    `json:"set_by"`
	SetAt time.Time `json:"set_at"`
}

type channelDetail struct {
	Name     string       `json:"name"`
	Created  time.Time    `json:"created"`
	Topic    topicJSON    `json:"topic"`
	Modes    string       `json:"modes"`
	ModeArgs []string     `json:"mode_args"`
	Count    int          `json:"member_count"`
	Members  []memberJSON `json:"members"`
	Bans     []banJSON    `json:"bans,omitempty"` // administrators only
}

// channelParam returns the channel named in the path: URL-escaped ("%23chan") or without its '#'.
func channelParam(r *http.Request) string {
	name := r.PathValue("name")
	if !core.IsChannelName(name) {
		name = "#" + name
	}
	return name
}

// visibleChannel finds the named channel. A secret (+s) channel is hidden from tokens without the
// admin scope, as it is from non-members on IRC (RFC 2812 4.2.6).
func (a *API) visibleChannel(r *http.Request, c *caller) (*core.Channel, *apiError) {
	name := channelParam(r)
	ch := a.net.FindChannel(name)
	if ch == nil || (ch.IsSecret() && !c.admin()) {
		return nil, errNotFound("no_such_channel", "no channel "+name)
	}
	return ch, nil
}

func modeJSON(m core.ModeInfo, showKey bool) (string, []string) {
	modes, args := m.String(showKey)
	if args == nil {
		args = []string{}
	}
	return modes, args
}

func (a *API) listChannels(w http.ResponseWriter, r *http.Request, c *caller) {
	out := []channelSummary{}
	for _, ch := range a.net.Channels() {
		if ch.IsSecret() && !c.admin() {
			continue
		}
		modes, args := modeJSON(ch.Modes(), c.admin())
		out = append(out, channelSummary{Name: ch.Name(), Topic: ch.Topic().Text, Members: ch.MemberCount(),
			Modes: modes, ModeArgs: args})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	writeJSON(w, http.StatusOK, struct {
		Channels []channelSummary `json:"channels"`
	}{out})
}

func (a *API) getChannel(w http.ResponseWriter, r *http.Request, c *caller) {
	ch, err := a.visibleChannel(r, c)
	if err != nil {
		writeError(w, err)
		return
	}
	t := ch.Topic()
	d := channelDetail{Name: ch.Name(), Created: ch.Created(), Topic: topicJSON{Text: t.Text, SetBy: t.SetBy}}
	if !t.SetAt.IsZero() {
		d.Topic.SetAt = &t.SetAt
	}
	d.Modes, d.ModeArgs = modeJSON(ch.Modes(), c.admin())
	d.Members = []memberJSON{}
	for _, m := range ch.Members() {
		d.Members = append(d.Members, memberJSON{Nick: m.User.Nick(), Prefixes: prefixString(m.Prefixes),
			Bot: m.User.HasMode(core.UModeBot)})
	}
	d.Count = len(d.Members)
	if c.admin() {
		for _, b := range ch.Bans() {
			d.Bans = append(d.Bans, banJSON{Mask: b.Mask, SetBy: b.SetBy, SetAt: b.SetAt})
		}
	}
	writeJSON(w, http.StatusOK, d)
}

// prefixString is a member's ranks as symbols ("@+").
func prefixString(p model.Prefixes) string { return string(p.Symbols(nil, true)) }
