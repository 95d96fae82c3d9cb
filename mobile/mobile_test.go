package mobile_test

import (
	"testing"

	"minimall"
	"minimall/mobile"
)

// TestNormalize: every form a person types becomes the one stored form;
// anything else is Invalid.
func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"13800138000":       "13800138000",
		" 13800138000 ":     "13800138000",
		"138 0013 8000":     "13800138000",
		"138-0013-8000":     "13800138000",
		"+86 138 0013 8000": "13800138000",
		"+8613800138000":    "13800138000",
		"0086 13800138000":  "13800138000",
		"8613800138000":     "13800138000", // 86 without the plus, as some phones show it
		"１３８００１３８０００":       "13800138000", // full-width digits
		"＋８６　１３８－００１３－８０００": "13800138000", // full-width plus, space and dash
		"19912345678": "19912345678",
	} {
		got, err := mobile.Normalize(in)
		if err != nil || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{
		"", "12345", "1380013800", "138001380001",
		"12800138000",       // no mainland mobile starts 12
		"23800138000",       // nor 2
		"+13800138000",      // a plus names a country code: +1 is not China
		"+0086 13800138000", // a plus and the 00 prefix at once
		"+852 9123 4567",    // Hong Kong: not a mainland number
		"0086 0086 13800138000",
		"138.0013.8000", "138/0013/8000", "(138)00138000",
		"138001380O0",  // a letter O
		"1+3800138000", // a plus inside
		"١٣٨٠٠١٣٨٠٠٠",  // Arabic-Indic digits: unicode.IsDigit, but not a phone's
	} {
		if got, err := mobile.Normalize(in); minimall.ErrorCode(err) != minimall.Invalid {
			t.Errorf("Normalize(%q) = %q, %v; want Invalid", in, got, err)
		}
	}
}

func TestMask(t *testing.T) {
	if got := mobile.Mask("13800138000"); got != "138****8000" {
		t.Errorf("Mask = %q", got)
	}
	if got := mobile.Mask("12345"); got != "***" {
		t.Errorf("Mask(short) = %q", got)
	}
}
