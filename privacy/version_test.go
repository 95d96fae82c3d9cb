package privacy_test

import (
	"testing"

	"minimall"
	"minimall/internal/testkit"
	"minimall/privacy"
)

// A versioned field (the sign-in phone) opens only at the counter it was
// sealed at: an older ciphertext in a row whose counter moved on is refused
// as tampered. A value sealed before counters existed opens at counter 0,
// the counter of a row not written since migration 0040, and nowhere else.
func TestGuardVersionedField(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := t.Context()
		k := mustOpenKernel(t, st)
		g := k.Guard()
		alice := mustNewSubject(t, k, st)
		me, row := minimall.ShopperActor(alice), string(alice)
		open := func(version uint64, sealed []byte) (string, privacy.Reason) {
			t.Helper()
			v, err := g.OpenVersionString(ctx, me, alice, privacy.AccountPhone, privacy.ForAccount, row, version, sealed)
			if err != nil && denialReason(err) == "" {
				t.Fatalf("open at %d: %v", version, err)
			}
			return v, denialReason(err)
		}
		legacy, err := g.SealUnversioned(ctx, alice, privacy.AccountPhone, row, []byte("13800000000"))
		if err != nil {
			t.Fatal(err)
		}
		first := mustSeal(t, k, alice, privacy.AccountPhone, row, "13800000001")
		second, err := g.SealVersion(ctx, alice, privacy.AccountPhone, row, 2, []byte("13800000002"))
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name    string
			version uint64
			sealed  []byte
			want    string // "" means refused as tampered
		}{
			{"LegacyRowNotWrittenSince", 0, legacy, "13800000000"},
			{"NewRow", privacy.FirstVersion, first, "13800000001"},
			{"Updated", 2, second, "13800000002"},
			{"ErrLegacyWrittenBack", 2, legacy, ""},
			{"ErrOlderWrittenBack", 2, first, ""},
			{"ErrLegacyIntoResealedRow", 1, legacy, ""},
			{"ErrNewerWithCounterRolledBack", 1, second, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, reason := open(tt.version, tt.sealed)
				if tt.want == "" && reason != privacy.Tampered || tt.want != "" && got != tt.want {
					t.Fatalf("got %q, %q; want %q", got, reason, tt.want)
				}
			})
		}
		t.Run("ErrMisuse", func(t *testing.T) {
			if _, err := g.SealVersion(ctx, alice, privacy.AccountPhone, row, 0, []byte("1")); err == nil {
				t.Error("sealed a versioned field at counter 0")
			}
			if _, err := g.SealVersion(ctx, alice, privacy.MemberName, row, 3, []byte("x")); err == nil {
				t.Error("sealed an unversioned field at a counter")
			}
			name := mustSeal(t, k, alice, privacy.MemberName, row, "alice")
			if _, err := g.OpenVersion(ctx, me, alice, privacy.MemberName, privacy.ForAccount, row, 3, name); err == nil {
				t.Error("opened an unversioned field at a counter")
			}
		})
	})
}
