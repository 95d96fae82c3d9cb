package privacy_test

import (
	"context"
	"errors"
	"testing"

	"minimall"
	"minimall/internal/testkit"
	"minimall/privacy"
)

// mustOpenKernel opens a kernel on st with a fast audit bound, closed at
// the end of the test.
func mustOpenKernel(tb testing.TB, st *testkit.Store) *privacy.Kernel {
	tb.Helper()
	k, err := privacy.Open(context.Background(), kernelConfig(st))
	if err != nil {
		tb.Fatalf("open kernel: %v", err)
	}
	tb.Cleanup(func() { k.Close() })
	return k
}

func kernelConfig(st *testkit.Store) privacy.Config {
	return privacy.Config{Data: st.DB, Keys: st.KeysDB, KeysDir: st.KeysDir, Clock: st.Clock, Chain: "test"}
}

// mustNewSubject registers a subject.
func mustNewSubject(tb testing.TB, k *privacy.Kernel, st *testkit.Store) minimall.SubjectID {
	tb.Helper()
	ctx := context.Background()
	tx, err := st.DB.Begin(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	s := minimall.NewSubjectID()
	if err := k.AddSubject(ctx, tx, s, "CN"); err != nil {
		tb.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return s
}

// mustGrant records a consent grant.
func mustGrant(tb testing.TB, k *privacy.Kernel, s minimall.SubjectID, f privacy.FeatureID, kind privacy.ConsentKind) {
	tb.Helper()
	_, err := k.Consents.Record(context.Background(), privacy.ConsentChange{Subject: s, Scope: privacy.FeatureScope(f), Kind: kind, Action: privacy.Grant, Channel: "test", Evidence: "req-1"})
	if err != nil {
		tb.Fatal(err)
	}
}

func mustSeal(tb testing.TB, k *privacy.Kernel, s minimall.SubjectID, f privacy.Field, row, value string) []byte {
	tb.Helper()
	b, err := k.Guard().Seal(context.Background(), s, f, row, []byte(value))
	if err != nil {
		tb.Fatalf("seal %s: %v", f, err)
	}
	return b
}

// denialReason returns the guard's reason, or "" if err is not a denial.
func denialReason(err error) privacy.Reason {
	var d *privacy.Denied
	if errors.As(err, &d) {
		return d.Reason
	}
	return ""
}
