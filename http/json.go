package http

import (
	"bytes"
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
// unknown fields, trailing data, a key given twice in one object and text
// that is not valid UTF-8 are refused, and an oversized body is TooLarge.
// A refusal names the field it blames (Error.Field) when the field's name
// is shaped like one, and never a value.
func decodeJSON(r *nethttp.Request, v any) error {
	const op = "http.decodeJSON"
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return minimall.Errorf(minimall.Invalid, op, "Content-Type must be application/json. 请求须为 JSON。")
	}
	body, err := readBody(r)
	if err != nil {
		return decodeError(op, err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(op, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return minimall.InvalidField(op, "", minimall.RuleSyntax, "Unexpected data after the JSON object. JSON 之后有多余数据。")
	}
	if f := findJSONFlaw(body); f != nil {
		return flawError(op, f)
	}
	return nil
}

// readBody reads the whole body, which limitBody has capped: the flaw
// check needs the bytes after decoding them. It is io.ReadAll sized by
// Content-Length, so a typical body takes one allocation.
func readBody(r *nethttp.Request) ([]byte, error) {
	size := 512
	if n := r.ContentLength; n > 0 && n < 1<<20 {
		size = int(n) + 1 // +1: room to see EOF without growing
	}
	b := make([]byte, 0, size)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// decodeError turns a read or decoding error into the refusal to answer.
func decodeError(op string, err error) error {
	var tooBig *nethttp.MaxBytesError
	if errors.As(err, &tooBig) {
		return minimall.Errorf(minimall.TooLarge, op, "Request body too large. 请求体过大。")
	}
	e := minimall.InvalidField(op, "", minimall.RuleSyntax, "Malformed JSON: %s 请求 JSON 格式错误。", jsonProblem(err))
	e.Err = err
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		e.Rule = minimall.RuleType
		e.Field, _ = shownPath(typ.Field)
	}
	if name, ok := unknownField(err); ok {
		e.Rule = minimall.RuleUnknown
		e.Field, _ = strconv.Unquote(name)
	}
	return e
}

// flawError refuses a body with a repeated key or bad UTF-8, naming the
// field when its path is shaped like field names.
func flawError(op string, f *jsonFlaw) error {
	field, ok := f.field()
	shown := strconv.Quote(field)
	if !ok {
		shown = "(name not shown: it is not a field name)"
	}
	if f.dup {
		return minimall.InvalidField(op, field, minimall.RuleDuplicate,
			"Key %s appears twice in one object; give each key once. JSON 中同一对象的键不能重复。", shown)
	}
	return minimall.InvalidField(op, field, minimall.RuleEncoding,
		"Field %s is not valid UTF-8 text. 字段须为有效的 UTF-8 文本。", shown)
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
		if path, ok := shownPath(typ.Field); ok {
			return "field " + path + " has the wrong type."
		}
		return "a value has the wrong type."
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "body is empty or cut short."
	}
	if name, ok := unknownField(err); ok {
		return "unknown field " + name + "."
	}
	return "cannot be decoded."
}

// shownPath returns a dotted field path ("recipient.phone") if every name
// on it is shaped like a field name.
func shownPath(path string) (string, bool) {
	if path == "" {
		return "", false
	}
	for name := range strings.SplitSeq(path, ".") {
		if !fieldName.MatchString(name) {
			return "", false
		}
	}
	return path, true
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
