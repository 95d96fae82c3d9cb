package identity

import (
	"errors"
	"minimall/internal/echo"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"minimall"
)

// FuzzRealNameRequest: a real-name request normalises to a request that
// normalises to itself, with a resident ID of 17 digits and a digit or X;
// a refusal is an Invalid problem that echoes neither the name nor the
// number.
func FuzzRealNameRequest(f *testing.F) {
	for _, s := range [][3]string{
		{"张三", "11010519491231002X", ""},
		{" 欧阳 娜娜 ", "11010519491231002x ", ResidentID},
		{"Anna-Maria O.", "E12345678", Passport},
		{"张", "110105194912310021", ""},
		{"张三", "11010519491231002", ""},
		{"张三", "１１０１０５１９４９１２３１００２X", ""},
		{"买买提·艾力", "C1234567", HKMacao},
		{"王五", "ab12", Taiwan},
		{"李四", "110105194912310021", "driving_licence"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, name, number, idType string) {
		in := RealNameRequest{RealName: name, IDNumber: number, IDType: idType}
		out, err := in.normalize("identity.Fuzz")
		if err != nil {
			checkRefusal(t, err, func(old, new string) error {
				again := in
				echo.ReplaceIn(&again, old, new)
				_, err := again.normalize("identity.Fuzz")
				return err
			}, name, number)
			return
		}
		again, err := out.normalize("identity.Fuzz")
		if err != nil || again != out {
			t.Fatalf("normalize(%+v) = %+v, then %+v, %v", in, out, again, err)
		}
		if n := utf8.RuneCountInString(out.RealName); n < 2 || n > 40 || !utf8.ValidString(out.RealName) {
			t.Fatalf("normalize(%+v): name %q accepted", in, out.RealName)
		}
		if out.IDType == ResidentID && !residentIDShape(out.IDNumber) {
			t.Fatalf("normalize(%+v): resident ID %q accepted", in, out.IDNumber)
		}
		// The middle is stars, position by position ("00000" → "00*00" is
		// right, though "0" is in it).
		if m := maskID(out.IDNumber); len(m) != len(out.IDNumber) && len(m) != 4 || len(m) == len(out.IDNumber) && strings.Trim(m[2:len(m)-2], "*") != "" {
			t.Fatalf("maskID(%q) = %q shows the middle", out.IDNumber, m)
		}
		if m := maskName(out.RealName); utf8.RuneCountInString(m) != utf8.RuneCountInString(out.RealName) {
			t.Fatalf("maskName(%q) = %q", out.RealName, m)
		}
	})
}

// checkRefusal: err is an Invalid problem that carries none of values
// back; retry runs the check again with one value changed (echo.Carried).
func checkRefusal(t *testing.T, err error, retry func(old, new string) error, values ...string) {
	t.Helper()
	var e *minimall.Error
	if !errors.As(err, &e) || e.Code != minimall.Invalid {
		t.Fatalf("%v is not an Invalid problem", err)
	}
	for _, v := range values {
		v = strings.TrimSpace(v)
		if echo.Carried(e.Message, v, func(other string) string { return minimall.ErrorMessage(retry(v, other)) }) {
			t.Fatalf("problem %q echoes %q", e.Message, v)
		}
	}
}

// FuzzBirthDate: a date of birth parses only in its one form (2006-01-02),
// and a person is under an age at most until the birthday that ends it.
func FuzzBirthDate(f *testing.F) {
	for _, s := range []string{"2012-02-29", "2010-13-01", "2010-1-1", "0000-01-01", "9999-12-31", "2010-02-30", " 2010-01-01"} {
		f.Add(s, int64(0))
	}
	f.Fuzz(func(t *testing.T, s string, days int64) {
		birth, err := parseDate(s)
		if err != nil {
			return
		}
		if got := birth.Format(time.DateOnly); got != s {
			t.Fatalf("parseDate(%q) reads as %s", s, got)
		}
		now := birth.AddDate(0, 0, int(days%(200*366)))
		for _, years := range []int{14, 18} {
			if under(years, birth, now) != now.Before(birth.AddDate(years, 0, 0)) {
				t.Fatalf("under(%d, %s, %s)", years, s, now.Format(time.DateOnly))
			}
			if days >= 0 && under(years, birth, now) && !under(years, birth, birth) {
				t.Fatalf("under(%d) at birth is false", years)
			}
		}
	})
}
