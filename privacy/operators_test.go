package privacy_test

import (
	"strings"
	"testing"

	"minimall/privacy"
)

// TestValidAccessReason: a ticket or request id, never a sentence.
func TestValidAccessReason(t *testing.T) {
	for s, want := range map[string]bool{
		"T-1":                   true,
		"CMP-2025:17":           true,
		"req_01.a":              true,
		"":                      false, // no reason at all
		"T1":                    false, // too short to name a ticket
		strings.Repeat("a", 64): true,
		strings.Repeat("a", 65): false,
		"call from 138...":      false, // spaces: free text could carry personal information
		"工单123":                 false, // CJK text, likewise
		"case/17":               false, // a slash belongs to legal references, not tickets
		"COURT-2025-7":          true,
		"13999998888":           false, // a phone number is not a ticket
		"T-13999998888":         false, // nor is one behind a prefix
		"ID110101199003071234":  false, // nor an ID number
		"2025-17":               false, // a ticket id starts with a letter
		"INC-20261207":          true,  // a date is not a phone number
	} {
		if got := privacy.ValidAccessReason(s); got != want {
			t.Errorf("ValidAccessReason(%q) = %v, want %v", s, got, want)
		}
	}
}
