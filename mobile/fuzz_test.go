package mobile_test

import (
	"errors"
	"strings"
	"testing"

	"minimall"
	"minimall/internal/echo"
	"minimall/mobile"
)

// FuzzNormalize: whatever is typed, Normalize answers the one stored form
// (eleven ASCII digits, 1 then 3-9) or an Invalid problem that does not
// echo the input. The stored form normalises to itself, also typed with
// +86, and is the end of the digits typed; Mask keeps its length.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"13800138000", " 138 0013 8000 ", "+86 138-0013-8000", "0086 13800138000", "8613800138000",
		"１３８００１３８０００", "＋８６　１３８－００１３－８０００", "+1 3800138000", "12345", "1380013800０", "",
		"+", "86", "0086", "+0086 13800138000", "1\u00a03800138000", "١٣٨٠٠١٣٨٠٠٠",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := mobile.Normalize(in)
		if err != nil {
			var e *minimall.Error
			if !errors.As(err, &e) || e.Code != minimall.Invalid || e.Rule != minimall.RuleFormat {
				t.Fatalf("Normalize(%q): %v is not an Invalid format problem", in, err)
			}
			// An echo is the input in the problem, where the problem for
			// the input changed carries the change ("n 1" is inside the
			// fixed "an 11-digit").
			typed := strings.TrimSpace(in)
			if echo.Carried(e.Message, typed, func(other string) string {
				_, err := mobile.Normalize(strings.Replace(in, typed, other, 1))
				return minimall.ErrorMessage(err)
			}) {
				t.Fatalf("Normalize(%q): problem %q echoes the input", in, e.Message)
			}
			return
		}
		if len(out) != 11 || strings.Trim(out, "0123456789") != "" || out[0] != '1' || out[1] < '3' || out[1] > '9' {
			t.Fatalf("Normalize(%q) = %q: not a stored form", in, out)
		}
		for _, typed := range []string{out, "+86" + out, "+86 " + out, "0086" + out, " " + out + " "} {
			if again, err := mobile.Normalize(typed); err != nil || again != out {
				t.Fatalf("Normalize(%q) = %q, %v; want %q", typed, again, err, out)
			}
		}
		if !strings.HasSuffix(asciiDigits(in), out) {
			t.Fatalf("Normalize(%q) = %q: not the digits typed", in, out)
		}
		if m := mobile.Mask(out); len(m) != 11 || m[:3] != out[:3] || m[7:] != out[7:] {
			t.Fatalf("Mask(%q) = %q", out, m)
		}
	})
}

// asciiDigits keeps the digits of s, full-width ones as ASCII.
func asciiDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= '０' && r <= '９':
			b.WriteRune('0' + (r - '０'))
		}
	}
	return b.String()
}
