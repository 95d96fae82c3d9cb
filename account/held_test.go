package account

import (
	"testing"
	"time"

	"minimall"
	"minimall/sqldb"
)

// holdState decides whether a guardian may still consent (CheckHold,
// and the activation after a guardian consents): only before a pending registration's hold lapses, or
// for an account that is not held at all.
func TestHoldState(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		status string
		until  int64
		gone   bool
	}{
		{StatusPendingGuardian, sqldb.Micros(now.Add(time.Second)), false},
		{StatusPendingGuardian, sqldb.Micros(now), true},
		{StatusPendingGuardian, 0, false}, // held before holds had a lifetime
		{StatusActive, 0, false},          // a real-name check found the child
		{StatusGuardianWithdrawn, sqldb.Micros(now.Add(time.Hour)), true},
		{StatusDeregistered, 0, true},
	} {
		err := holdState(tt.status, tt.until, now)
		if got := err != nil && minimall.IsCode(err, minimall.Gone); got != tt.gone || (err != nil && !got) {
			t.Errorf("%s until %d: %v", tt.status, tt.until, err)
		}
	}
}
