// Package account holds accounts (registration with only a phone number, a
// member name and a password, policy 二(一)1), one-time codes sent by SMS,
// sign-in and sessions. Every personal value goes through the privacy
// kernel: the phone and member name are sealed, and found again only by
// their blind indexes.
package account

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"minimall"
)

// Account is what the holder sees of their own account.
type Account struct {
	Subject    minimall.SubjectID `json:"id"`
	MemberName string             `json:"member_name"`
	Phone      string             `json:"phone"` // masked unless asked for in full
	Level      int                `json:"level"`
	Status     string             `json:"status"`
	CreatedAt  time.Time          `json:"created_at"`
	// GuardianToken is set only on a registration held for a guardian's
	// consent (policy 七): the child hands it to the guardian.
	GuardianToken string `json:"guardian_token,omitempty"`
	// HeldUntil is when a held registration lapses unless a guardian
	// consents: the token is refused after it and the registration erased.
	HeldUntil *time.Time `json:"held_until,omitempty"`
}

// Account statuses.
const (
	StatusActive       = "active"
	StatusLocked       = "locked"
	StatusDeregistered = "deregistered"
	// StatusPendingGuardian: a child under 14 registered and a guardian has
	// not consented yet; nobody can sign in to it (see minor.go).
	StatusPendingGuardian = "pending_guardian"
	// StatusGuardianWithdrawn: the guardian of a child under 14 withdrew
	// consent; nobody can sign in, and the account is erased when its hold
	// lapses (guardian.go).
	StatusGuardianWithdrawn = "guardian_withdrawn"
)

// ValidateMemberName checks a member name: 2 to 25 characters of letters,
// digits, Chinese characters, "_" and "-", not all digits (so it can never
// be mistaken for a phone number). It returns the name as stored.
func ValidateMemberName(s string) (string, error) {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 25 {
		return "", minimall.InvalidField("account", "member_name", minimall.RuleLength, "A member name has 2 to 25 characters. 会员名须为2至25个字符。")
	}
	digits := 0
	for _, r := range s {
		switch {
		case unicode.IsDigit(r):
			digits++
		case unicode.IsLetter(r), r == '_', r == '-':
		default:
			return "", minimall.InvalidField("account", "member_name", minimall.RuleFormat, "A member name may hold letters, digits, Chinese characters, _ and -. 会员名只能包含字母、数字、汉字、_ 和 -。")
		}
	}
	if digits == n {
		return "", minimall.InvalidField("account", "member_name", minimall.RuleFormat, "A member name cannot be only digits. 会员名不能全为数字。")
	}
	return s, nil
}

// memberNameKey is what uniqueness is decided on: case and width folded.
func memberNameKey(s string) string { return strings.ToLower(s) }

// ValidatePassword checks a password's strength: 8 to 64 characters, at
// least two of letters, digits and symbols, and it must not contain the
// phone number or the member name. It returns Invalid with the rule broken,
// blaming the field "password".
func ValidatePassword(pw, phone, memberName string) error {
	weak := func(msg string) error {
		return minimall.InvalidField("account", "password", minimall.RuleWeak, "%s", msg)
	}
	n := utf8.RuneCountInString(pw)
	if n < 8 || n > 64 {
		return minimall.InvalidField("account", "password", minimall.RuleLength, "A password has 8 to 64 characters. 密码须为8至64个字符。")
	}
	var letter, digit, symbol bool
	for _, r := range pw {
		switch {
		case unicode.IsLetter(r):
			letter = true
		case unicode.IsDigit(r):
			digit = true
		default:
			symbol = true
		}
	}
	if btoi(letter)+btoi(digit)+btoi(symbol) < 2 {
		return weak("Use at least two of letters, digits and symbols. 密码须包含字母、数字、符号中的至少两种。")
	}
	low := strings.ToLower(pw)
	if (phone != "" && strings.Contains(low, phone[len(phone)-8:])) || (memberName != "" && strings.Contains(low, strings.ToLower(memberName))) {
		return weak("A password must not contain your phone number or member name. 密码不能包含手机号或会员名。")
	}
	for _, common := range commonPasswords {
		if low == common {
			return weak("This password is too common. 密码过于常见。")
		}
	}
	return nil
}

var commonPasswords = []string{"password1", "password123", "qwerty123", "abc12345", "12345678a", "a12345678", "1qaz2wsx", "woaini1314", "iloveyou1", "admin123"}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
