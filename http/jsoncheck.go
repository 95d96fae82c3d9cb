package http

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"
)

// jsonFlaw is what encoding/json lets through silently: a key given twice
// in one object (it keeps the last) or text that is not valid UTF-8 (it
// stores U+FFFD). path is the keys from the flaw up to the root: each
// object adds its key as the walk returns, so a flawless walk keeps no
// path at all.
type jsonFlaw struct {
	path [][]byte
	dup  bool // a repeated key; otherwise bad UTF-8
}

// findJSONFlaw walks a JSON text that encoding/json has already accepted
// (so it is well formed and nested at most 10,000 deep) and returns its
// first flaw, or nil. One pass over the bytes, no allocation on the common
// path.
func findJSONFlaw(b []byte) *jsonFlaw {
	w := jsonWalker{b: b}
	return w.value()
}

type jsonWalker struct {
	b []byte
	i int
}

func (w *jsonWalker) value() *jsonFlaw {
	w.space()
	if w.i >= len(w.b) {
		return nil
	}
	switch w.b[w.i] {
	case '{':
		return w.object()
	case '[':
		return w.array()
	case '"':
		if _, ok := w.str(); !ok {
			return &jsonFlaw{}
		}
	default: // number, true, false, null
		for w.i < len(w.b) && !endOfScalar(w.b[w.i]) {
			w.i++
		}
	}
	return nil
}

func endOfScalar(c byte) bool {
	switch c {
	case ',', ']', '}', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}

// smallObject is how many keys an object holds before they are checked
// through a map rather than against each other.
const smallObject = 16

func (w *jsonWalker) object() *jsonFlaw {
	w.i++ // {
	var small [smallObject][]byte
	keys := small[:0]
	var many map[string]struct{}
	for {
		w.space()
		if w.i >= len(w.b) || w.b[w.i] == '}' {
			w.i++
			return nil
		}
		raw, ok := w.str()
		key := jsonKey(raw)
		if !ok {
			return &jsonFlaw{path: [][]byte{key}}
		}
		if seen(keys, many, key) {
			return &jsonFlaw{path: [][]byte{key}, dup: true}
		}
		if len(keys) < smallObject {
			keys = append(keys, key)
		} else {
			if many == nil {
				many = make(map[string]struct{}, 2*smallObject)
			}
			many[foldKey(key)] = struct{}{}
		}
		w.space()
		w.i++ // :
		if f := w.value(); f != nil {
			f.path = append(f.path, key)
			return f
		}
		w.space()
		if w.i < len(w.b) && w.b[w.i] == ',' {
			w.i++
		}
	}
}

// seen reports whether key repeats one of an object's earlier keys. Keys
// that differ only in case count as the same: encoding/json matches a
// struct's fields without regard to case, so {"phone":…,"Phone":…} would
// set one field twice, the last winning, just like an exact repeat.
func seen(keys [][]byte, many map[string]struct{}, key []byte) bool {
	for _, k := range keys {
		if bytes.EqualFold(k, key) {
			return true
		}
	}
	if many == nil {
		return false
	}
	_, ok := many[foldKey(key)]
	return ok
}

// foldKey is key in one case, for the map of a large object's keys:
// each rune becomes the smallest of its simple case-folding orbit, which
// is how encoding/json folds field names and what bytes.EqualFold
// compares. (ToUpper(ToLower(…)) would fold more: "ı" and "i" alike,
// which encoding/json keeps apart.)
func foldKey(key []byte) string {
	out := make([]rune, 0, len(key))
	for _, r := range string(key) {
		out = append(out, smallestFold(r))
	}
	return string(out)
}

// smallestFold returns the smallest rune equal to r under simple folding.
func smallestFold(r rune) rune {
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	return least
}

func (w *jsonWalker) array() *jsonFlaw {
	w.i++ // [
	for {
		w.space()
		if w.i >= len(w.b) || w.b[w.i] == ']' {
			w.i++
			return nil
		}
		if f := w.value(); f != nil {
			return f
		}
		w.space()
		if w.i < len(w.b) && w.b[w.i] == ',' {
			w.i++
		}
	}
}

// str reads the string at w.i and returns its raw bytes (quotes and all)
// and whether it decodes to valid UTF-8: no invalid byte sequence and no
// \u escape of a lone surrogate, both of which encoding/json turns into
// U+FFFD.
func (w *jsonWalker) str() ([]byte, bool) {
	start := w.i
	w.i++ // opening quote
	escaped, high := false, false
	for w.i < len(w.b) {
		c := w.b[w.i]
		if c == '"' {
			break
		}
		if c == '\\' {
			escaped = true
			w.i++
		}
		high = high || c >= utf8.RuneSelf
		w.i++
	}
	w.i++ // closing quote
	raw := w.b[start:min(w.i, len(w.b))]
	ok := (!high || utf8.Valid(raw)) && (!escaped || surrogatesPaired(raw))
	return raw, ok
}

// surrogatesPaired reports whether every \u escape of a UTF-16 surrogate
// in a raw JSON string is a high one followed at once by a low one.
func surrogatesPaired(raw []byte) bool {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		i++
		r, ok := hexRune(raw, i)
		if !ok {
			continue // some other escape: \n, \", …
		}
		switch {
		case r >= 0xDC00 && r <= 0xDFFF:
			return false // a low surrogate alone
		case r >= 0xD800 && r <= 0xDBFF:
			next, ok := hexRune(raw, i+6)
			if i+5 >= len(raw) || raw[i+5] != '\\' || !ok || next < 0xDC00 || next > 0xDFFF {
				return false
			}
			i += 10
		default:
			i += 4
		}
	}
	return true
}

// hexRune decodes the \u escape whose "u" is at raw[i].
func hexRune(raw []byte, i int) (rune, bool) {
	if i+4 >= len(raw) || raw[i] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range raw[i+1 : i+5] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// jsonKey returns a key as encoding/json reads it: its raw bytes without
// quotes, unescaped when it holds an escape (rarely), so "\u0070hone" is
// seen as the repeat of "phone" it is.
func jsonKey(raw []byte) []byte {
	if len(raw) < 2 {
		return nil
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw[1 : len(raw)-1]
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return raw[1 : len(raw)-1]
	}
	return []byte(s)
}

func (w *jsonWalker) space() {
	for w.i < len(w.b) {
		switch w.b[w.i] {
		case ' ', '\t', '\r', '\n':
			w.i++
		default:
			return
		}
	}
}

// field returns the flaw's path as the API names fields
// ("recipient.name"), and false when a key on it is not shaped like a
// field name: a client may have put a value where a key belongs, and a
// problem never echoes one.
func (f *jsonFlaw) field() (string, bool) {
	parts := make([]string, len(f.path))
	for i, k := range f.path {
		if !fieldName.Match(k) {
			return "", false
		}
		parts[len(parts)-1-i] = string(k) // f.path runs from the flaw up
	}
	return strings.Join(parts, "."), len(parts) > 0
}
