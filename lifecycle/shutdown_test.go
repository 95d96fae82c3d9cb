package lifecycle_test

import (
	"context"
	"testing"

	"minimall"
	"minimall/internal/testkit"
	"minimall/lifecycle"
	"minimall/privacy"
)

// noHolders is a platform with no account holders to notify.
type noHolders struct{}

func (noHolders) Holders(context.Context, minimall.SubjectID, int) ([]minimall.SubjectID, error) {
	return nil, nil
}

// TestShutdownOnce (三(四)): a call while the shutdown procedure is under
// way answers that one (under_way, same stop and reason) instead of
// starting another sweep; once it completed, a call answers with its
// report; a reason outside the declared set is refused.
func TestShutdownOnce(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		k, err := privacy.Open(ctx, privacy.Config{Data: st.DB, Keys: st.KeysDB, KeysDir: st.KeysDir, Clock: st.Clock, Chain: "test"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { k.Close() })
		entered, release := make(chan struct{}), make(chan struct{})
		sweeps := 0
		slow := lifecycle.SweepFunc{Name: "slow", Fn: func(ctx context.Context, r lifecycle.Rules) (lifecycle.SweepReport, error) {
			sweeps++
			close(entered)
			<-release
			return lifecycle.SweepReport{}, nil
		}}
		svc := lifecycle.NewService(st.DB, k, noHolders{}, slow)
		dpo := minimall.Actor{Kind: minimall.Operator, Role: minimall.RoleDPO, ID: "op_dpo", Reason: "TICKET-1"}

		if _, err := svc.Shutdown(ctx, dpo, "closing_for_fun", lifecycle.ShutdownConfirmation); !minimall.IsCode(err, minimall.Invalid) {
			t.Fatalf("undeclared reason: %v", err)
		} else if field, rule := minimall.ErrorField(err); field != "reason" || rule != minimall.RuleChoice {
			t.Fatalf("undeclared reason blames %q %q", field, rule)
		}
		type result struct {
			rep *lifecycle.ShutdownReport
			err error
		}
		first := make(chan result)
		go func() {
			rep, err := svc.Shutdown(ctx, dpo, "ceased_operations", lifecycle.ShutdownConfirmation)
			first <- result{rep, err}
		}()
		<-entered
		again, err := svc.Shutdown(ctx, dpo, "authority_order", lifecycle.ShutdownConfirmation)
		if err != nil || again.State != lifecycle.ShutdownUnderWay || again.Reason != "ceased_operations" || again.StoppedAt.IsZero() || again.Sweep != nil {
			t.Fatalf("second call while under way: %+v, %v", again, err)
		}
		close(release)
		done := <-first
		if done.err != nil || done.rep.State != lifecycle.ShutdownCompleted || done.rep.Sweep == nil {
			t.Fatalf("first call: %+v, %v", done.rep, done.err)
		}
		later, err := svc.Shutdown(ctx, dpo, "operator_dissolved", lifecycle.ShutdownConfirmation)
		if err != nil || later.State != lifecycle.ShutdownCompleted || later.Reason != "ceased_operations" ||
			later.Sweep == nil || later.Sweep.ID != done.rep.Sweep.ID || !later.StoppedAt.Equal(done.rep.StoppedAt) {
			t.Fatalf("call after completion: %+v, %v", later, err)
		}
		if sweeps != 1 {
			t.Fatalf("%d sweeps; want one", sweeps)
		}
	})
}
