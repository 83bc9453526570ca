package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/parleychat/parley/internal/core"
)

// apiError is an error answer: {"error":{"code":"...","message":"..."}} with Status.
type apiError struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func errBadRequest(code, msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: code, Message: msg}
}

func errUnauthorized(code, msg string) *apiError {
	return &apiError{Status: http.StatusUnauthorized, Code: code, Message: msg}
}

func errForbidden(code, msg string) *apiError {
	return &apiError{Status: http.StatusForbidden, Code: code, Message: msg}
}

func errNotFound(code, msg string) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: code, Message: msg}
}

func errConflict(code, msg string) *apiError {
	return &apiError{Status: http.StatusConflict, Code: code, Message: msg}
}

func errInvalid(code, msg string) *apiError {
	return &apiError{Status: http.StatusUnprocessableEntity, Code: code, Message: msg}
}

// writeError sends err as JSON. Errors that are not *apiError become a 500 whose message hides
// the detail (it may name internals); core refusals map through fromCore.
func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = fromCore(err)
	}
	if ae.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="parley"`)
	}
	writeJSON(w, ae.Status, struct {
		Error *apiError `json:"error"`
	}{ae})
}

// writeJSON sends v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // a client that went away cannot be told
}

// fromCore maps a core refusal to an HTTP answer, the way the IRC door maps it to a numeric.
func fromCore(err error) *apiError {
	var ce *core.Error
	if !errors.As(err, &ce) {
		return &apiError{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error"}
	}
	t := ce.Target
	switch ce.Code {
	case core.ErrNoSuchChannel:
		return errNotFound("no_such_channel", "no channel "+t)
	case core.ErrNoSuchNick:
		return errNotFound("no_such_user", "no user "+t)
	case core.ErrUserNotInChannel:
		return errNotFound("user_not_in_channel", t+" is not in "+ce.Detail)
	case core.ErrCannotSendToChan:
		return errForbidden("cannot_send", t+" is moderated (+m): only administrators may post there")
	case core.ErrNicknameInUse:
		return errConflict("nick_in_use", "the nick "+t+" is in use on the network; choose another \"nick\"")
	case core.ErrErroneousNick:
		return errInvalid("invalid_nick", t+" is not a valid nick")
	case core.ErrNoTextToSend:
		return errInvalid("no_text", "the message text is empty")
	case core.ErrBanListFull:
		return errConflict("ban_list_full", "the ban list of "+t+" is full")
	case core.ErrUnknownMode:
		return errInvalid("unknown_mode", "unknown mode "+t)
	case core.ErrInvalidModeParam:
		return errInvalid("invalid_mode_argument", "invalid argument for mode "+ce.Detail+" on "+t)
	}
	return &apiError{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error"}
}
