package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/model"
)

// maxLines bounds one POST: a bot that wants to paste more should paste a link.
const maxLines = 20

// ircLineLen is the IRC line limit, CRLF included (RFC 1459 2.3).
const ircLineLen = 512

type postMessageRequest struct {
	Text   string `json:"text"`
	Nick   string `json:"nick"`   // optional: the token's name by default
	Notice bool   `json:"notice"` // send NOTICE instead of PRIVMSG
}

type sentJSON struct {
	MsgID string    `json:"msgid"`
	Time  time.Time `json:"time"`
}

type postMessageResponse struct {
	sentJSON
	// Messages lists every message sent when the text had several lines; the first is repeated above.
	Messages []sentJSON `json:"messages,omitempty"`
}

// serviceFrom is the pseudo-user the API acts as: the given nick (or the token's name),
// user "api", and the server's name as host, so IRC users can tell it from a person.
func (a *API) serviceFrom(c *caller, nick string) model.Prefix {
	if nick == "" {
		nick = c.name
	}
	return model.Prefix{Nick: nick, User: "api", Host: a.net.Settings().ServerName}
}

func (a *API) postMessage(w http.ResponseWriter, r *http.Request, c *caller) {
	var req postMessageRequest
	if err := a.decodeBody(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	ch, aerr := a.visibleChannel(r, c)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	from := a.serviceFrom(c, req.Nick)
	kind := model.KindPrivmsg
	if req.Notice {
		kind = model.KindNotice
	}
	lines, aerr := splitText(req.Text, lineRoom(from, kind, ch.Name()))
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	var resp postMessageResponse
	for _, line := range lines {
		ev, err := a.net.ServiceSay(from, core.Message{Kind: kind, Target: ch.Name(), Text: line}, c.admin())
		if err != nil {
			// Lines already sent stay sent; the error says which one failed.
			writeError(w, err)
			return
		}
		resp.Messages = append(resp.Messages, sentJSON{MsgID: ev.ID, Time: ev.Time})
	}
	resp.sentJSON = resp.Messages[0]
	if len(resp.Messages) == 1 {
		resp.Messages = nil
	}
	writeJSON(w, http.StatusCreated, resp)
}

// lineRoom is how many bytes of text fit in the line IRC users receive:
// ":nick!user@host PRIVMSG #chan :text\r\n" within 512 bytes.
func lineRoom(from model.Prefix, kind model.Kind, channel string) int {
	overhead := len(":") + len(from.String()) + len(" ") + len(kind.String()) + len(" ") + len(channel) + len(" :") + len("\r\n")
	return ircLineLen - overhead
}

// splitText turns the posted text into IRC lines: one message per line ("\n" or "\r\n"), blank
// lines skipped. Each must fit room bytes and carry no other control bytes that end or corrupt an
// IRC line.
func splitText(text string, room int) ([]string, *apiError) {
	if !utf8.ValidString(text) {
		return nil, errInvalid("invalid_text", "\"text\" must be UTF-8")
	}
	var lines []string
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			continue
		}
		if strings.ContainsAny(line, "\r\x00") {
			return nil, errInvalid("invalid_text", "line "+strconv.Itoa(i+1)+" of \"text\" contains a CR or NUL byte")
		}
		if len(line) > room {
			return nil, errInvalid("text_too_long", "line "+strconv.Itoa(i+1)+" of \"text\" is "+
				strconv.Itoa(len(line))+" bytes; at most "+strconv.Itoa(room)+" fit in one IRC message here")
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		return nil, errInvalid("no_text", "\"text\" is empty")
	}
	if len(lines) > maxLines {
		return nil, errInvalid("too_many_lines", "\"text\" has "+strconv.Itoa(len(lines))+" lines; at most "+
			strconv.Itoa(maxLines)+" per request")
	}
	return lines, nil
}

// getMessages serves stored history: ?before= or ?after= (RFC 3339 times; default: now, before)
// and ?limit= (1 to 500, default 50).
func (a *API) getMessages(w http.ResponseWriter, r *http.Request, c *caller) {
	q := r.URL.Query()
	limit := 50
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			writeError(w, errBadRequest("bad_parameter", "limit must be a number from 1 to 500"))
			return
		}
		limit = n
	}
	before, errB := parseTimeParam(q.Get("before"), "before")
	after, errA := parseTimeParam(q.Get("after"), "after")
	switch {
	case errB != nil:
		writeError(w, errB)
		return
	case errA != nil:
		writeError(w, errA)
		return
	case !before.IsZero() && !after.IsZero():
		writeError(w, errBadRequest("bad_parameter", "give before or after, not both"))
		return
	}
	name := channelParam(r)
	if ch := a.net.FindChannel(name); ch != nil && ch.IsSecret() && !c.admin() {
		writeError(w, errNotFound("no_such_channel", "no channel "+name))
		return
	}
	if a.opt.History == nil {
		writeError(w, &apiError{Status: http.StatusNotImplemented, Code: "history_unavailable",
			Message: "this server keeps no chat history"})
		return
	}
	var evs []*model.Event
	var err error
	if !after.IsZero() {
		evs, err = a.opt.History.After(r.Context(), name, after, limit)
	} else {
		if before.IsZero() {
			before = time.Now()
		}
		evs, err = a.opt.History.Before(r.Context(), name, before, limit)
	}
	if err != nil {
		a.log.Warn("api: history query failed", "channel", name, "err", err)
		writeError(w, err)
		return
	}
	out := make([]eventJSON, 0, len(evs))
	for _, ev := range evs {
		out = append(out, toEventJSON(ev))
	}
	writeJSON(w, http.StatusOK, struct {
		Messages []eventJSON `json:"messages"`
	}{out})
}

func parseTimeParam(s, name string) (time.Time, *apiError) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, errBadRequest("bad_parameter", name+" must be an RFC 3339 time like 2026-01-02T15:04:05Z")
	}
	return t, nil
}
