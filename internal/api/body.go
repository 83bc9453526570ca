package api

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// decodeBody reads the request's JSON object into v. It insists on a JSON content type (415), a
// body within MaxBody (413), well-formed JSON (400) holding one object with only known fields
// (400, naming the field).
func (a *API) decodeBody(w http.ResponseWriter, r *http.Request, v any) *apiError {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return &apiError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Message: "send the body as JSON with Content-Type: application/json"}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, a.opt.MaxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return a.bodyError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return a.bodyError(err)
		}
		return errBadRequest("bad_json", "the body must hold exactly one JSON object")
	}
	return nil
}

// bodyError explains a decoding failure in the API's terms rather than Go's.
func (a *API) bodyError(err error) *apiError {
	var mbe *http.MaxBytesError
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return &apiError{Status: http.StatusRequestEntityTooLarge, Code: "body_too_large",
			Message: "the body is larger than " + strconv.FormatInt(a.opt.MaxBody, 10) + " bytes"}
	case errors.Is(err, io.EOF):
		return errBadRequest("bad_json", "the body is empty; send a JSON object")
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF):
		return errBadRequest("bad_json", "the body is not valid JSON")
	case errors.As(err, &typ):
		if typ.Field == "" {
			return errBadRequest("bad_json", "the body must be a JSON object")
		}
		return errBadRequest("bad_field", "field \""+typ.Field+"\" must be a JSON "+jsonType(typ.Type.Kind().String()))
	}
	// encoding/json reports unknown fields only as text: `json: unknown field "x"`.
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return errBadRequest("unknown_field", "unknown field "+f+" in the body")
	}
	return errBadRequest("bad_json", "the body is not a valid request")
}

func jsonType(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "slice":
		return "array"
	case "bool":
		return "boolean"
	case "struct", "map":
		return "object"
	}
	return "number"
}
