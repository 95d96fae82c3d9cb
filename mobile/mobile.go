// Package mobile holds the one rule for a mainland China mobile number, for
// every place a person gives one (account, order recipient, payer,
// guardian): the forms accepted as typed, and the one form stored, eleven
// ASCII digits, so a number typed two ways is still one number.
package mobile

import (
	"strings"

	"minimall"
)

// Normalize returns a mainland mobile number as 11 ASCII digits. It
// accepts the number as people type it: full-width digits, spaces and
// dashes between them, and the country code as +86, 0086 or 86. Returns
// Invalid for anything else, a number abroad included.
func Normalize(s string) (string, error) {
	digits, plus, ok := digitsOf(strings.TrimSpace(s))
	if !ok {
		return "", errInvalid
	}
	switch {
	case len(digits) == 15 && strings.HasPrefix(digits, "0086") && !plus:
		digits = digits[4:]
	case len(digits) == 13 && strings.HasPrefix(digits, "86"):
		digits = digits[2:]
	case plus:
		return "", errInvalid // +1 380…: a country code, but not China's
	}
	if len(digits) != 11 || digits[0] != '1' || digits[1] < '3' || digits[1] > '9' {
		return "", errInvalid
	}
	return digits, nil
}

// digitsOf keeps the digits of s, ASCII or full-width, dropping the
// separators people type; plus reports a leading "+". ok is false for any
// other character. Go's \d matches ASCII only, hence the explicit ranges.
func digitsOf(s string) (digits string, plus, ok bool) {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '０' && r <= '９': // full-width digits
			b.WriteRune('0' + (r - '０'))
		case r == ' ' || r == '　' || r == '-' || r == '－': // ASCII and full-width space and dash
		case (r == '+' || r == '＋') && i == 0:
			plus = true
		default:
			return "", false, false
		}
	}
	return b.String(), plus, true
}

// errInvalid names no field: each caller knows which one it checked
// (minimall.AtField).
var errInvalid = &minimall.Error{Code: minimall.Invalid, Op: "mobile.Normalize", Rule: minimall.RuleFormat,
	Message: "Enter an 11-digit mainland mobile number. 请输入11位中国大陆手机号码。"}

// Mask shows the first three and last four digits of a normalized number
// (138****8000), as order pages and the account page do unless the holder
// asks for more.
func Mask(p string) string {
	if len(p) != 11 {
		return "***"
	}
	return p[:3] + "****" + p[7:]
}
