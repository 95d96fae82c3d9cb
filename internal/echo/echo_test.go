package echo_test

import (
	"fmt"
	"strings"
	"testing"

	"minimall/internal/echo"
)

func TestShift(t *testing.T) {
	for in, want := range map[string]string{"az09ZA": "ba10AB", "张三 138": "张三 249", "": ""} {
		if got := echo.Shift(in); got != want {
			t.Errorf("Shift(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestCarried: a message that repeats its input is an echo; one whose
// fixed wording happens to hold the input is not.
func TestCarried(t *testing.T) {
	repeating := func(in string) string { return fmt.Sprintf("bad value %q", in) }
	fixed := func(string) string { return "must be an 11-digit mobile number" }
	for _, tc := range []struct {
		name    string
		problem func(string) string
		value   string
		want    bool
	}{
		{"Echo", repeating, "13800138000", true},
		{"FixedWording", fixed, "11-digit mobile", false},
		{"Short", repeating, "abc", false},
		{"Absent", fixed, "13800138000", false},
		{"Unshiftable", repeating, "张三李四王五", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := tc.problem(tc.value)
			if got := echo.Carried(msg, tc.value, tc.problem); got != tc.want {
				t.Fatalf("Carried(%q, %q) = %v", msg, tc.value, got)
			}
		})
	}
	if strings.Contains(fixed(""), echo.Shift("11-digit mobile")) {
		t.Fatal("the shifted value must not be in the fixed wording")
	}
}

func TestReplaceIn(t *testing.T) {
	type inner struct{ Phone string }
	v := struct {
		Name  string
		Inner *inner
		List  []string
		n     string
	}{Name: "x 138 y", Inner: &inner{"138"}, List: []string{"a138"}, n: "138"}
	echo.ReplaceIn(&v, "138", "249")
	if v.Name != "x 249 y" || v.Inner.Phone != "249" || v.List[0] != "a249" || v.n != "138" {
		t.Fatalf("ReplaceIn: %+v %+v", v, *v.Inner)
	}
}
