package account_test

import (
	"testing"

	"minimall/account"
)

// TestLevelFor: an account holds the highest level whose every need it
// meets.
func TestLevelFor(t *testing.T) {
	for _, tc := range []struct {
		name string
		u    account.Usage
		want int
	}{
		{"New", account.Usage{PhoneVerified: true}, 1},
		{"Level2", account.Usage{AccountAgeDays: 30, SignIns: 3, PhoneVerified: true}, 2},
		// A reassigned number keeps the account at level 1 whatever its use.
		{"PhoneNotVerified", account.Usage{AccountAgeDays: 400, SignIns: 100, CompletedOrders: 50}, 1},
		// Orders alone do not lift the level: every need must be met.
		{"OrdersWithoutAge", account.Usage{SignIns: 100, PhoneVerified: true, CompletedOrders: 50}, 1},
		{"Level3", account.Usage{AccountAgeDays: 180, SignIns: 20, PhoneVerified: true, CompletedOrders: 3}, 3},
		{"Level4", account.Usage{AccountAgeDays: 365, SignIns: 50, PhoneVerified: true, CompletedOrders: 10}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := account.LevelFor(tc.u); got != tc.want {
				t.Fatalf("LevelFor(%+v) = %d, want %d", tc.u, got, tc.want)
			}
		})
	}
	// The table climbs: each level asks at least what the one below does.
	for i := 1; i < len(account.Levels); i++ {
		lo, hi := account.Levels[i-1].Needs, account.Levels[i].Needs
		if lo.Missing(account.Usage(hi)) != (account.Needs{}) {
			t.Errorf("level %d asks for something level %d does not", i, i+1)
		}
	}
}
