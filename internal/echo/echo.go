// Package echo tells, in fuzz tests, whether a refusal carries a value of
// the input back ("echoes" it), without false alarms from fixed wording:
// a value found in the message counts only if the message for the same
// input with that value changed carries the changed value too. Text the
// message holds whatever the input says stays put in the second message,
// so it is never taken for an echo.
package echo

import (
	"reflect"
	"strings"
	"unicode/utf8"
)

// MinRunes is the shortest value worth checking: shorter ones turn up in
// any sentence.
const MinRunes = 6

// Shift changes every ASCII letter and digit of s to the next one
// (z to a, 9 to 0) and leaves every other rune alone, so the result has
// the same length and shape (a phone stays digits, a name stays letters).
func Shift(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c == 'z', c == 'Z':
			b[i] = c - 25
		case c == '9':
			b[i] = '0'
		case c >= 'a' && c < 'z', c >= 'A' && c < 'Z', c >= '0' && c < '9':
			b[i] = c + 1
		}
	}
	return string(b)
}

// Carried reports whether message echoes value: value (trimmed, at least
// MinRunes long) is in message, and again — the message for the input with
// value replaced by the given replacement — holds the replacement. A value
// Shift cannot change (no ASCII letter or digit) counts when found.
func Carried(message, value string, again func(replacement string) string) bool {
	value = strings.TrimSpace(value)
	if utf8.RuneCountInString(value) < MinRunes || !strings.Contains(message, value) {
		return false
	}
	shifted := Shift(value)
	if shifted == value {
		return true
	}
	return strings.Contains(again(shifted), shifted)
}

// ReplaceIn replaces old with new in every string reachable from ptr
// (struct fields, pointers, slices, maps' values are left alone), so a
// test can build the input of Carried's second message from a request.
func ReplaceIn(ptr any, old, new string) {
	replaceIn(reflect.ValueOf(ptr), old, new)
}

func replaceIn(v reflect.Value, old, new string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			replaceIn(v.Elem(), old, new)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				replaceIn(v.Field(i), old, new)
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			replaceIn(v.Index(i), old, new)
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(strings.ReplaceAll(v.String(), old, new))
		}
	}
}
