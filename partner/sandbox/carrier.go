package sandbox

import (
	"net/http"
	"strings"
	"time"

	"minimall/privacy"
)

// reassignedAt is the sandbox carrier's rule for recycled numbers: every
// number starting with 170 went back to the pool and was given to someone
// new on this date.
var reassignedAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func carrierKind() kind {
	phoneCheck := []privacy.Purpose{privacy.ForPhoneCheck}
	return kind{ops: map[string]operation{
		"carrier/risk":     {purposes: phoneCheck, fields: []privacy.Field{privacy.AccountPhone}, handle: carrierRisk},
		"carrier/recycled": {purposes: phoneCheck, fields: []privacy.Field{privacy.AccountPhone, privacy.PhoneBoundAt}, handle: carrierRecycled},
	}}
}

// carrierRisk: numbers ending in 0000 are high risk.
func carrierRisk(s *Sandbox, q *Request) (int, any) {
	phone := q.Fields[privacy.AccountPhone]
	if phone == "" {
		return bad("phone_missing")
	}
	risk := "low"
	if strings.HasSuffix(phone, "0000") {
		risk = "high"
	}
	return http.StatusOK, map[string]string{"risk": risk}
}

// carrierRecycled: a number changed hands if it was reassigned after the
// account bound it.
func carrierRecycled(s *Sandbox, q *Request) (int, any) {
	phone := q.Fields[privacy.AccountPhone]
	if phone == "" {
		return bad("phone_missing")
	}
	bound, ok := parseTime(q.Fields[privacy.PhoneBoundAt])
	if !ok {
		return bad("bound_at_malformed")
	}
	recycled := strings.HasPrefix(phone, "170") && bound.Before(reassignedAt)
	return http.StatusOK, map[string]bool{"recycled": recycled}
}

func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
