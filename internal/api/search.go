package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/store"
)

// searchMax is the most results one search returns, as for the IRC SEARCH command.
const searchMax = 100

type searchResultJSON struct {
	MsgID  string    `json:"msgid"`
	Time   time.Time `json:"time"`
	Target string    `json:"target"`
	Nick   string    `json:"nick"`
	Text   string    `json:"text"`
}

// search serves GET /search?q=...&limit=N: the IRC SEARCH command's query (soju.im/search: in,
// from, after, before, text) over channel history. Tokens of q written key:value set the
// attributes, the other words are the text. Only channels are searched, secret ones only with an
// admin token; private conversations never, since a token acts for no account.
func (a *API) search(w http.ResponseWriter, r *http.Request, c *caller) {
	sr, ok := a.opt.History.(store.Searcher)
	if a.opt.History == nil || !ok {
		writeError(w, &apiError{Status: http.StatusNotImplemented, Code: "history_unavailable",
			Message: "this server keeps no searchable chat history"})
		return
	}
	q, in, aerr := parseSearch(r.URL.Query())
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	if in != "" {
		if !core.IsChannelName(in) {
			writeError(w, errBadRequest("bad_parameter", "in: must name a channel; private conversations are not searchable here"))
			return
		}
		if ch := a.net.FindChannel(in); ch != nil && ch.IsSecret() && !c.admin() {
			writeError(w, errNotFound("no_such_channel", "no channel "+in))
			return
		}
		q.Targets = []store.Target{store.Channel(in)}
	} else {
		for _, ch := range a.net.Channels() {
			if !ch.IsSecret() || c.admin() {
				q.Targets = append(q.Targets, store.Channel(ch.Name()))
			}
		}
	}
	evs, err := sr.Search(r.Context(), q)
	if err != nil {
		a.log.Warn("api: search failed", "err", err)
		writeError(w, err)
		return
	}
	out := make([]searchResultJSON, 0, len(evs))
	for _, ev := range evs {
		out = append(out, searchResultJSON{MsgID: ev.ID, Time: ev.Time, Target: ev.Target, Nick: ev.Source.Nick, Text: ev.Text})
	}
	writeJSON(w, http.StatusOK, struct {
		Results []searchResultJSON `json:"results"`
	}{out})
}

// parseSearch reads q and limit. A search needs something to look for: text, from or in.
func parseSearch(v map[string][]string) (q store.SearchQuery, in string, _ *apiError) {
	get := func(k string) string {
		if s := v[k]; len(s) > 0 {
			return s[0]
		}
		return ""
	}
	q.Limit = 50
	if s := get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > searchMax {
			return q, "", errBadRequest("bad_parameter", "limit must be a number from 1 to "+strconv.Itoa(searchMax))
		}
		q.Limit = n
	}
	var text []string
	for _, tok := range strings.Fields(get("q")) {
		k, val, found := strings.Cut(tok, ":")
		switch {
		case found && k == "in":
			in = val
		case found && k == "from":
			q.From = val
		case found && (k == "after" || k == "before"):
			t, err := time.Parse(time.RFC3339Nano, val)
			if err != nil {
				return q, "", errBadRequest("bad_parameter", k+": must be an RFC 3339 time like 2026-01-02T15:04:05Z")
			}
			if k == "after" {
				q.After = t
			} else {
				q.Before = t
			}
		default:
			text = append(text, tok)
		}
	}
	q.Text = strings.Join(text, " ")
	if q.Text == "" && q.From == "" && in == "" {
		return q, "", errBadRequest("bad_parameter", "q must give words, from: or in:")
	}
	return q, in, nil
}
