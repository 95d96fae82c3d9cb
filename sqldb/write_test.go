package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"minimall/internal/testkit"
	"minimall/sqldb"
)

// TestWrite: concurrent writes commit; one that fails is undone whole —
// its earlier statements and its AfterCommit functions too — while the
// writes it may have shared a commit with stay; a panicking write is
// answered an error and nothing stops.
func TestWrite(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		if _, err := st.DB.ExecContext(ctx, `CREATE TABLE write_probe (id TEXT PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		var hooks atomic.Int32
		commitsBefore, writesBefore := st.DB.GroupStats()
		errBusiness := errors.New("sold out")
		var wg sync.WaitGroup
		errs := make([]error, 300)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = st.DB.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
					if _, err := tx.ExecContext(ctx, `INSERT INTO write_probe (id) VALUES (?)`, fmt.Sprintf("w%03d", i)); err != nil {
						return err
					}
					tx.AfterCommit(func() { hooks.Add(1) })
					switch i % 3 {
					case 1: // fails after a statement that worked
						_, err := tx.ExecContext(ctx, `INSERT INTO write_probe (id) VALUES (?)`, fmt.Sprintf("w%03d", i-1))
						if err == nil {
							return errBusiness
						}
						return err
					case 2:
						if i%30 == 2 {
							panic("a bug")
						}
					}
					return nil
				})
			}()
		}
		wg.Wait()
		want := 0
		for i, err := range errs {
			switch {
			case i%3 == 1 && err == nil:
				t.Fatalf("write %d: no error", i)
			case i%30 == 2 && !errors.Is(err, sqldb.ErrWritePanicked):
				t.Fatalf("write %d panicked: %v", i, err)
			case i%3 == 1 || i%30 == 2:
			case err != nil:
				t.Fatalf("write %d: %v", i, err)
			default:
				want++
			}
		}
		var n int
		st.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM write_probe`).Scan(&n)
		if n != want || int(hooks.Load()) != want {
			t.Fatalf("%d rows and %d hooks run; want %d of each", n, hooks.Load(), want)
		}
		// The group counters count the writes that committed, never more
		// commits than writes; PostgreSQL commits each write alone.
		commits, writes := st.DB.GroupStats()
		commits, writes = commits-commitsBefore, writes-writesBefore
		switch st.Name {
		case "sqlite":
			if writes != int64(want) || commits < 1 || commits > writes {
				t.Fatalf("group stats: %d commits carrying %d writes; want %d writes", commits, writes, want)
			}
		default:
			if commits != 0 || writes != 0 {
				t.Fatalf("group stats on %s: %d commits, %d writes", st.Name, commits, writes)
			}
		}
	})
}

// TestCheckpointerFoldsWAL: committed pages reach the database file without
// the writer's automatic checkpoint (far off at 40,000 pages), folded back
// by the checkpointer beside it.
func TestCheckpointerFoldsWAL(t *testing.T) {
	path := t.TempDir() + "/fold.db"
	ctx := context.Background()
	db, err := sqldb.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE TABLE fold_probe (id INTEGER PRIMARY KEY, pad TEXT)`); err != nil {
		t.Fatal(err)
	}
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size()
	for i := range 2000 {
		if err := db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO fold_probe (id, pad) VALUES (?, ?)`, i, strings.Repeat("x", 200))
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	for end := time.Now().Add(3 * time.Second); size() < before+200*2000; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("the database file stayed at %d bytes (from %d): the WAL was not folded back", size(), before)
		}
	}
}

// TestWriteBehind: a write behind is not waited for, yet a Write queued
// after it sees it, and one that fails after writing is undone whole and
// leaves the others alone (writes behind share a savepoint; the others run
// again when one fails).
func TestWriteBehind(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		if _, err := st.DB.ExecContext(ctx, `CREATE TABLE behind_probe (id TEXT PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		for i := range 50 {
			err := st.DB.WriteBehind(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO behind_probe (id) VALUES (?)`, fmt.Sprintf("b%02d", i))
				if i == 7 {
					return errors.New("lost")
				}
				return err
			})
			if err != nil && i != 7 { // PostgreSQL waits, so it answers the failure
				t.Fatal(err)
			}
		}
		var n int
		if err := st.DB.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM behind_probe`).Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
		if n != 49 {
			t.Fatalf("a Write after 50 writes behind (one failing) saw %d rows, want 49", n)
		}
		if err := st.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM behind_probe WHERE id = 'b07'`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("the failed write behind's row stands (%d, %v)", n, err)
		}
	})
}

type ctxKey struct{}

// TestWriteContext: a caller gone before its write starts is skipped and
// told why; once started, a write commits though its caller leaves, and
// the caller's context values reach it.
func TestWriteContext(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		if _, err := st.DB.ExecContext(ctx, `CREATE TABLE ctx_probe (id TEXT PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		insert := func(id string) func(context.Context, *sqldb.Tx) error {
			return func(ctx context.Context, tx *sqldb.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO ctx_probe (id) VALUES (?)`, id)
				return err
			}
		}
		gone, cancel := context.WithCancel(ctx)
		cancel()
		if err := st.DB.Write(gone, insert("gone")); !errors.Is(err, context.Canceled) {
			t.Fatalf("a write whose caller left first: %v, want context.Canceled", err)
		}
		// Leaving after the start: the write goes on with its values.
		leaving, leave := context.WithCancel(context.WithValue(ctx, ctxKey{}, "v"))
		err := st.DB.Write(leaving, func(ctx context.Context, tx *sqldb.Tx) error {
			leave()
			if ctx.Value(ctxKey{}) != "v" {
				return errors.New("the caller's values are lost")
			}
			return insert("left")(ctx, tx)
		})
		if err != nil {
			t.Fatalf("a write whose caller left during it: %v", err)
		}
		if st.DB.Dialect() == sqldb.SQLite {
			queuedThenGone(t, st.DB, insert)
		}
		var ids []string
		rows, err := st.DB.QueryContext(ctx, `SELECT id FROM ctx_probe ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			rows.Scan(&id)
			ids = append(ids, id)
		}
		rows.Close()
		if got := strings.Join(ids, ","); got != "left" && got != "left,other" {
			t.Fatalf("rows %q; want the write that started and its group's", got)
		}
	})
}

// queuedThenGone: on SQLite a write queued behind a busy writer whose
// caller leaves before its turn is skipped, and the write sharing its
// group commits.
func queuedThenGone(t *testing.T, db *sqldb.DB, insert func(string) func(context.Context, *sqldb.Tx) error) {
	t.Helper()
	ctx := context.Background()
	hold, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
			close(hold)
			<-release // keeps the writer busy while the others queue
			return nil
		})
	}()
	<-hold
	gone, cancel := context.WithCancel(ctx)
	queued, other := make(chan error, 1), make(chan error, 1)
	go func() { queued <- db.Write(gone, insert("queued")) }()
	go func() { other <- db.Write(ctx, insert("other")) }()
	time.Sleep(20 * time.Millisecond) // both are queued
	cancel()
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-queued; !errors.Is(err, context.Canceled) {
		t.Fatalf("a queued write whose caller left: %v, want context.Canceled", err)
	}
	if err := <-other; err != nil {
		t.Fatalf("the write beside it: %v", err)
	}
}

// TestGather: what writes gather under one key is handed over once per
// commit, just before it, in order; a write that fails takes what it
// gathered with it.
func TestGather(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		if _, err := st.DB.ExecContext(ctx, `CREATE TABLE gather_probe (k TEXT NOT NULL, v TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		flush := func(ctx context.Context, tx *sqldb.Tx, key any, values []any) error {
			var vs []string
			for _, v := range values {
				vs = append(vs, v.(string))
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO gather_probe (k, v) VALUES (?, ?)`, key.(string), strings.Join(vs, ","))
			return err
		}
		for i := range 40 {
			err := st.DB.WriteBehind(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
				tx.Gather([]string{"even", "odd"}[i%2], fmt.Sprint(i), flush)
				if i == 7 {
					return errors.New("lost")
				}
				return nil
			})
			if err != nil && i != 7 {
				t.Fatal(err)
			}
		}
		if err := st.DB.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		rows, err := st.DB.QueryContext(ctx, `SELECT k, v FROM gather_probe`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		seen, flushes := map[string]string{}, 0
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			flushes++
			last := -1
			for _, s := range strings.Split(v, ",") {
				var i int
				fmt.Sscan(s, &i)
				if want := []string{"even", "odd"}[i%2]; k != want {
					t.Errorf("%s handed over under %q, gathered under %q", s, k, want)
				}
				if i <= last {
					t.Errorf("values out of order under %q: %s", k, v)
				}
				if seen[s] != "" {
					t.Errorf("%s handed over twice", s)
				}
				last, seen[s] = i, k
			}
		}
		if seen["7"] != "" {
			t.Error("the failed write's value was handed over")
		}
		if len(seen) != 39 {
			t.Errorf("%d values handed over, want 39", len(seen))
		}
		if flushes == 0 {
			t.Error("nothing was handed over")
		}
	})
}
