package http

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	nethttp "net/http"
	"regexp"
	"strconv"
	"strings"

	"minimall"
	"minimall/privacy"
)

// decodeJSON reads one JSON object into v: the content type must be JSON,
// unknown fields and trailing data are refused, and an oversized body is
// TooLarge.
func decodeJSON(r *nethttp.Request, v any) error {
	const op = "http.decodeJSON"
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return minimall.Errorf(minimall.Invalid, op, "Content-Type must be application/json. 请求须为 JSON。")
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *nethttp.MaxBytesError
		if errors.As(err, &tooBig) {
			return minimall.Errorf(minimall.TooLarge, op, "Request body too large. 请求体过大。")
		}
		return &minimall.Error{Code: minimall.Invalid, Op: op, Message: "Malformed JSON: " + jsonProblem(err) + " 请求 JSON 格式错误。", Err: err}
	}
	if _, err := dec.Token(); err != io.EOF {
		return minimall.Errorf(minimall.Invalid, op, "Unexpected data after the JSON object. JSON 之后有多余数据。")
	}
	return nil
}

// jsonProblem describes a decoding error without echoing the input, which
// may hold personal information.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return "syntax error."
	case errors.As(err, &typ):
		return "field " + typ.Field + " has the wrong type."
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "body is empty or cut short."
	}
	if name, ok := unknownField(err); ok {
		return "unknown field " + name + "."
	}
	return "cannot be decoded."
}

// fieldName is the shape of a field name the API could have declared; a
// name of any other shape is not echoed, since a client may have put a
// value (a phone number, a name) where a key belongs.
var fieldName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// unknownField returns the quoted name of the field an unknown-field error
// names; encoding/json has no error type for it, only this message.
func unknownField(err error) (string, bool) {
	rest, ok := strings.CutPrefix(err.Error(), "json: unknown field ")
	if !ok {
		return "", false
	}
	if name, err := strconv.Unquote(rest); err == nil && fieldName.MatchString(name) {
		return strconv.Quote(name), true
	}
	return "(name not shown: it is not a field name)", true
}

// writeJSON writes v with status.
func writeJSON(w nethttp.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func denialReason(err error) string {
	var d *privacy.Denied
	if errors.As(err, &d) {
		return string(d.Reason)
	}
	return ""
}
