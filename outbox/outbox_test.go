package outbox_test

import (
	"context"
	"errors"
	"testing"

	"minimall"
	"minimall/internal/testkit"
	"minimall/outbox"
	"minimall/sqldb"
)

func emit(t *testing.T, db *sqldb.DB, topic string, commit bool) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := outbox.Emit(ctx, tx, topic, "s_1", map[string]int{"n": 1}); err != nil {
		t.Fatal(err)
	}
	if commit {
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFeed(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		feed := outbox.NewFeed(st.DB)
		feed.Grace = 0 // no concurrent writers here; pass rolled-back gaps at once
		var got []string
		fail := true
		fl := &outbox.Follower{Feed: feed, Name: "test", Durable: true, Handle: func(ctx context.Context, evs []outbox.Event) error {
			if fail {
				fail = false
				return errors.New("derived store down")
			}
			for _, e := range evs {
				got = append(got, e.Topic)
				if e.Subject != minimall.SubjectID("s_1") || string(e.Payload) != `{"n":1}` {
					t.Errorf("event %+v", e)
				}
			}
			return nil
		}}
		if err := fl.Start(ctx); err != nil {
			t.Fatal(err)
		}
		emit(t, st.DB, "a.one", true)
		emit(t, st.DB, "a.rolledback", false) // never committed: never delivered
		emit(t, st.DB, "a.two", true)

		if _, err := fl.Poll(ctx); err == nil {
			t.Fatal("a failing handler's batch was acknowledged")
		}
		if _, err := fl.Poll(ctx); err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0] != "a.one" || got[1] != "a.two" {
			t.Fatalf("delivered %v; want the two committed events once, in order", got)
		}
		// A new follower with the same name resumes after the stored offset.
		got = nil
		fl2 := &outbox.Follower{Feed: feed, Name: "test", Durable: true, Handle: fl.Handle}
		if err := fl2.Start(ctx); err != nil {
			t.Fatal(err)
		}
		emit(t, st.DB, "a.three", true)
		if _, err := fl2.Poll(ctx); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0] != "a.three" {
			t.Fatalf("resumed follower delivered %v", got)
		}
	})
}
