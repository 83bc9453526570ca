package api

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/parleychat/parley/internal/core"
	"github.com/parleychat/parley/internal/model"
)

// adminFrom is the service identity moderation acts as: the token's name, or "api" when that name
// is not a valid nick.
func (a *API) adminFrom(c *caller) model.Prefix {
	nick := c.name
	if !a.net.ValidNick(nick) {
		nick = "api"
	}
	return a.serviceFrom(c, nick)
}

// checkLineText refuses text that cannot travel in one IRC parameter: CR, LF or NUL, invalid
// UTF-8, or more than max bytes (max <= 0: no limit).
func checkLineText(field, s string, max int) *apiError {
	if strings.ContainsAny(s, "\r\n\x00") {
		return errInvalid("invalid_text", "\""+field+"\" must be one line without NUL bytes")
	}
	if max > 0 && len(s) > max {
		return errInvalid("text_too_long", "\""+field+"\" is "+strconv.Itoa(len(s))+" bytes; at most "+strconv.Itoa(max))
	}
	return nil
}

func writeEvent(w http.ResponseWriter, status int, ev *model.Event) {
	writeJSON(w, status, sentJSON{MsgID: ev.ID, Time: ev.Time})
}

type kickRequest struct {
	Nick   string `json:"nick"`
	Reason string `json:"reason"`
}

func (a *API) kick(w http.ResponseWriter, r *http.Request, c *caller) {
	var req kickRequest
	if err := a.decodeBody(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	if req.Nick == "" {
		writeError(w, errInvalid("missing_field", "\"nick\" is required"))
		return
	}
	if err := checkLineText("reason", req.Reason, a.net.Settings().KickLen); err != nil {
		writeError(w, err)
		return
	}
	ev, err := a.net.ServerKick(a.adminFrom(c), channelParam(r), req.Nick, req.Reason)
	if err != nil {
		writeError(w, err)
		return
	}
	writeEvent(w, http.StatusOK, ev)
}

type banRequest struct {
	Mask string `json:"mask"`
}

type banResponse struct {
	Mask string `json:"mask"` // completed to nick!user@host form
	sentJSON
}

func (a *API) addBan(w http.ResponseWriter, r *http.Request, c *caller) {
	var req banRequest
	if err := a.decodeBody(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	if err := checkMask(req.Mask); err != nil {
		writeError(w, err)
		return
	}
	a.changeBan(w, r, c, true, req.Mask)
}

func (a *API) removeBan(w http.ResponseWriter, r *http.Request, c *caller) {
	mask := r.PathValue("mask")
	if err := checkMask(mask); err != nil {
		writeError(w, err)
		return
	}
	a.changeBan(w, r, c, false, mask)
}

func checkMask(mask string) *apiError {
	if mask == "" {
		return errInvalid("missing_field", "\"mask\" is required (like *!*@203.0.113.7 or nick)")
	}
	if strings.ContainsAny(mask, " ,\r\n\x00") || len(mask) > 300 {
		return errInvalid("invalid_mask", "the mask must be one word like *!*@203.0.113.7 or nick")
	}
	return nil
}

func (a *API) changeBan(w http.ResponseWriter, r *http.Request, c *caller, add bool, mask string) {
	applied, ev, errs := a.net.ServerMode(a.adminFrom(c), channelParam(r), []core.ModeChange{{Add: add, Mode: 'b', Arg: mask}})
	switch {
	case len(errs) > 0:
		writeError(w, errs[0])
	case ev == nil && add:
		writeError(w, errConflict("ban_exists", core.NormalizeMask(mask)+" is already banned"))
	case ev == nil:
		writeError(w, errNotFound("no_such_ban", core.NormalizeMask(mask)+" is not banned"))
	case add:
		writeJSON(w, http.StatusCreated, banResponse{Mask: applied[0].Arg, sentJSON: sentJSON{MsgID: ev.ID, Time: ev.Time}})
	default:
		writeJSON(w, http.StatusOK, banResponse{Mask: applied[0].Arg, sentJSON: sentJSON{MsgID: ev.ID, Time: ev.Time}})
	}
}

type modesRequest struct {
	Modes string   `json:"modes"`
	Args  []string `json:"args"`
}

type modeRefusal struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type modesResponse struct {
	Applied string        `json:"applied"` // "" when nothing changed
	Args    []string      `json:"args"`
	MsgID   string        `json:"msgid,omitempty"`
	Refused []modeRefusal `json:"refused,omitempty"`
}

// setModes applies channel modes as the server would: every change that can apply does, and the
// others are listed as refused. Unknown letters and modes missing their argument fail the request
// before anything changes.
func (a *API) setModes(w http.ResponseWriter, r *http.Request, c *caller) {
	var req modesRequest
	if err := a.decodeBody(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	if req.Modes == "" || strings.Trim(req.Modes, "+-") == "" {
		writeError(w, errInvalid("missing_field", "\"modes\" is required, like \"+m\" or \"+o-v\""))
		return
	}
	parsed := core.ParseChannelModes(req.Modes, req.Args)
	switch {
	case len(parsed.Unknown) > 0:
		writeError(w, errInvalid("unknown_mode", "unknown channel mode "+strconv.Quote(string(parsed.Unknown))+
			" (known: "+core.ChanModesISupport+" and the ranks qaohv)"))
		return
	case len(parsed.Lists) > 0 || needsArgs(req.Modes) > len(req.Args):
		writeError(w, errInvalid("missing_argument", "every mode of "+strconv.Quote(req.Modes)+
			" that takes an argument needs one in \"args\""))
		return
	}
	applied, ev, errs := a.net.ServerMode(a.adminFrom(c), channelParam(r), parsed.Changes)
	var ce *core.Error
	if len(applied) == 0 && len(errs) > 0 && (!errors.As(errs[0], &ce) || ce.Code == core.ErrNoSuchChannel || ce.Code == core.ErrNicknameInUse) {
		writeError(w, errs[0])
		return
	}
	resp := modesResponse{Args: []string{}}
	if ev != nil {
		resp.Applied, resp.Args, resp.MsgID = ev.Params[0], ev.Params[1:], ev.ID
	}
	for _, err := range errs {
		ae := fromCore(err)
		resp.Refused = append(resp.Refused, modeRefusal{Code: ae.Code, Message: ae.Message})
	}
	writeJSON(w, http.StatusOK, resp)
}

// needsArgs counts the modes in s that take an argument: ranks and bans both ways, the key when
// set (its removal needs none), the limit when set.
func needsArgs(s string) int {
	add, n := true, 0
	for i := 0; i < len(s); i++ {
		switch m := s[i]; {
		case m == '+':
			add = true
		case m == '-':
			add = false
		case m == 'b' || model.PrefixForMode(m) != 0 || (add && (m == 'k' || m == 'l')):
			n++
		}
	}
	return n
}

type topicRequest struct {
	Topic *string `json:"topic"`
}

func (a *API) setTopic(w http.ResponseWriter, r *http.Request, c *caller) {
	var req topicRequest
	if err := a.decodeBody(w, r, &req); err != nil {
		writeError(w, err)
		return
	}
	if req.Topic == nil {
		writeError(w, errInvalid("missing_field", "\"topic\" is required (\"\" clears it)"))
		return
	}
	if err := checkLineText("topic", *req.Topic, a.net.Settings().TopicLen); err != nil {
		writeError(w, err)
		return
	}
	ev, err := a.net.ServerTopic(a.adminFrom(c), channelParam(r), *req.Topic)
	if err != nil {
		writeError(w, err)
		return
	}
	writeEvent(w, http.StatusOK, ev)
}
