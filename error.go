package minimall

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an error for machines. The list is closed: add new codes
// only at the end, never reorder.
type Code int

const (
	Internal         Code = iota // a fault of the platform; details go to the log only
	Invalid                      // the request is malformed or breaks a rule
	NotFound                     // no such thing, or not the caller's to see
	Conflict                     // the thing exists already, or the state forbids the change
	Unauthorized                 // the caller is not signed in
	Denied                       // the caller may not do this
	TooMany                      // a rate limit or a repeat limit was reached
	TooLarge                     // the request body is too big
	Unavailable                  // the platform or a partner cannot serve now
	Gone                         // the thing existed and was erased
	MethodNotAllowed             // the resource exists but not under this method
)

// StorageUnavailable: the store refuses writes (disk full, read-only);
// nothing was saved, and trying again later can help.
const StorageUnavailable = MethodNotAllowed + 1

var codeNames = [...]string{"internal", "invalid", "not_found", "conflict", "unauthorized", "denied", "too_many", "too_large", "unavailable", "gone", "method_not_allowed", "storage_unavailable"}

// String returns the stable machine name of the code.
func (c Code) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return fmt.Sprintf("code(%d)", int(c))
}

// Error is a platform error: a stable Code for machines and a Message safe to
// show a person. Message never contains personal information; the cause in
// Err is logged for operators, never shown.
type Error struct {
	Code    Code
	Op      string // where it happened, e.g. "order.Place"
	Message string
	Err     error
	// RetryAfter says, on a TooMany or StorageUnavailable refusal, when
	// trying again can help; the transport sends it as Retry-After.
	RetryAfter time.Duration
	// Field names the request field a validation error blames, as the
	// client spelt it ("recipient.phone"), so a form can point at it; empty
	// when no one field is to blame. Rule says which rule it broke.
	Field string
	Rule  Rule
}

// Rule is the stable machine name of a rule a request broke; a form shows
// its own words for it. The list is closed: add new rules at the end.
type Rule string

const (
	RuleRequired    Rule = "required"    // missing or empty
	RuleLength      Rule = "length"      // too short or too long, or too many
	RuleFormat      Rule = "format"      // the wrong shape or characters
	RuleChoice      Rule = "choice"      // not one of the allowed values
	RuleCombination Rule = "combination" // not allowed with, or needed with, another field
	RuleType        Rule = "type"        // the wrong JSON type
	RuleUnknown     Rule = "unknown"     // not a field of this request
	RuleDuplicate   Rule = "duplicate"   // a key given twice in one object
	RuleEncoding    Rule = "encoding"    // text that is not valid UTF-8
	RuleSyntax      Rule = "syntax"      // the body is not one JSON object
	RuleWeak        Rule = "weak"        // a password too easy to guess
	RuleMismatch    Rule = "mismatch"    // a code or confirmation that does not match, or has expired
	RuleOutdated    Rule = "outdated"    // an accepted policy version that is not the current one
)

// Rules lists every Rule, in order, for the API document.
var Rules = []Rule{RuleRequired, RuleLength, RuleFormat, RuleChoice, RuleCombination, RuleType, RuleUnknown,
	RuleDuplicate, RuleEncoding, RuleSyntax, RuleWeak, RuleMismatch, RuleOutdated}

func (e *Error) Error() string {
	s := e.Code.String()
	if e.Op != "" {
		s = e.Op + ": " + s
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a safe message.
func Errorf(code Code, op, format string, args ...any) *Error {
	return &Error{Code: code, Op: op, Message: fmt.Sprintf(format, args...)}
}

// After returns a copy of e that says to try again after d.
func (e *Error) After(d time.Duration) *Error {
	c := *e
	c.RetryAfter = d
	return &c
}

// RetryAfter returns the wait err asks for, or zero when it names none.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// InvalidField returns an Invalid error that blames one request field
// for breaking rule, with a safe message. field is the request's own name
// for it, never a value.
func InvalidField(op, field string, rule Rule, format string, args ...any) *Error {
	return &Error{Code: Invalid, Op: op, Message: fmt.Sprintf(format, args...), Field: field, Rule: rule}
}

// AtField returns an Invalid err blaming field: a copy of its first *Error
// with Field set, for a shared check (a phone number's shape) whose caller
// knows the field. Any other error is returned as it is.
func AtField(err error, field string) error {
	var e *Error
	if !errors.As(err, &e) || e.Code != Invalid {
		return err
	}
	c := *e
	c.Field = field
	return &c
}

// ErrorField returns the field and rule the first *Error in err's chain
// that names a field blames; both are empty for an internal error.
func ErrorField(err error) (string, Rule) {
	if ErrorCode(err) == Internal {
		return "", ""
	}
	for err != nil {
		if e, ok := err.(*Error); ok && (e.Field != "" || e.Rule != "") {
			return e.Field, e.Rule
		}
		err = errors.Unwrap(err)
	}
	return "", ""
}

// ErrorCode returns the code of the first *Error in err's chain; any other
// non-nil error is Internal. A type that reports its own code through a
// Code() method (such as a guard denial) is honoured too.
func ErrorCode(err error) Code {
	if err == nil {
		return Internal
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var c interface{ PlatformCode() Code }
	if errors.As(err, &c) {
		return c.PlatformCode()
	}
	return Internal
}

// ErrorMessage returns the safe message of err, or a generic one for an
// internal error.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Message != "" && e.Code != Internal {
		return e.Message
	}
	var m interface{ SafeMessage() string }
	if errors.As(err, &m) {
		return m.SafeMessage()
	}
	return "Internal error. 内部错误。"
}

// IsCode reports whether err carries the code c.
func IsCode(err error, c Code) bool { return err != nil && ErrorCode(err) == c }
