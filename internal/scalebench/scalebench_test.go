package scalebench_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"minimall"
	"minimall/account"
	"minimall/internal/testenv"
	"minimall/internal/testkit"
	"minimall/privacy"
	"minimall/rights"
	"minimall/sqldb"
)

// world is a seeded platform and the person whose export is measured.
type world struct {
	e        *testenv.Env
	people   []minimall.SubjectID // registered in bulk, each with a data key
	person   *testenv.Shopper
	exportID string // the person's answered copy request
	values   int    // values of orders and behaviour events the export must open
	phones   int    // phone numbers used so far
}

// sizes of one seeding.
type sizes struct {
	subjects, orders, footprints, searches int
}

func fullSizes(tb testing.TB) sizes {
	z := sizes{subjects: 1_000_000, orders: 1_000, footprints: 6_000, searches: 4_000}
	if v := os.Getenv("MINIMALL_SCALE_SUBJECTS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			tb.Fatalf("MINIMALL_SCALE_SUBJECTS=%q: want a positive number", v)
		}
		z.subjects = n
	}
	return z
}

func openStore(tb testing.TB, name string) *testkit.Store {
	if name == "sqlite" {
		return testkit.MustOpenSQLite(tb)
	}
	return testkit.MustOpenPostgres(tb)
}

// seed starts the platform on st and fills it.
func seed(tb testing.TB, st *testkit.Store, z sizes) *world {
	tb.Helper()
	ctx := context.Background()
	w := &world{e: testenv.StartWith(tb, st, func(c *account.Config) {
		c.PasswordMemoryKiB, c.PasswordTime = 64, 1 // as testenv.Start: registering is not measured
		c.CodesPerHour = 1 << 20                    // every person registers from this one client
		c.LoginsPerMinute = 1 << 20
	})}
	start := time.Now()
	var err error
	if w.people, err = w.e.Kernel.NewSubjects(ctx, z.subjects, "CN", nil); err != nil {
		tb.Fatal(err)
	}
	tb.Logf("%s: %d people with their keys in %v", st.Name, len(w.people), time.Since(start).Round(time.Millisecond))
	start = time.Now()
	w.person = w.register(tb)
	s := w.person.Subject
	w.values += seedOrders(tb, w.e, s, z.orders)
	for i := range z.footprints {
		// Through the item page's own path: sealed now, written in groups.
		if err := w.e.Engage.RecordView(ctx, s, fmt.Sprintf("it_%06d", i)); err != nil {
			tb.Fatal(err)
		}
	}
	w.values += z.footprints
	w.values += seedSearches(tb, w.e, s, z.searches)
	tb.Logf("%s: %d orders, %d footprints, %d searches in %v", st.Name, z.orders, z.footprints, z.searches, time.Since(start).Round(time.Millisecond))
	w.exportID = w.file(tb, w.person, "copy")
	w.settle(tb)
	return w
}

// settle waits until the change-feed followers (recommendations and the
// search index learn from the 6,000 views) have read everything seeded,
// so the export is measured on a quiet server, not beside their catch-up.
func (w *world) settle(tb testing.TB) {
	tb.Helper()
	ctx := context.Background()
	var last int64
	if err := w.e.Store.DB.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM outbox`).Scan(&last); err != nil {
		tb.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var behind int
		if err := w.e.Store.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox_offsets WHERE last_id < ?`, last).Scan(&behind); err != nil {
			tb.Fatal(err)
		}
		if behind == 0 {
			return
		}
	}
	tb.Fatal("the change-feed followers did not catch up in 5 minutes")
}

// register registers a new person through the API.
func (w *world) register(tb testing.TB) *testenv.Shopper {
	tb.Helper()
	w.phones++
	return w.e.Register(tb, fmt.Sprintf("139%08d", w.phones), fmt.Sprintf("scale_%d", w.phones))
}

// file files a request of kind for sh and, unless it is a deregistration,
// passes its identity check; it returns the request id.
func (w *world) file(tb testing.TB, sh *testenv.Shopper, kind string) string {
	tb.Helper()
	auth := testenv.Bearer(sh.Token)
	r := w.e.Do(tb, "POST", "/api/v1/rights/requests", map[string]any{"kind": kind}, auth...)
	if r.Status != 201 {
		tb.Fatalf("file %s: %d %s", kind, r.Status, r.Body)
	}
	var req rights.Request
	r.JSON(tb, &req)
	if kind != "deregister" {
		w.verify(tb, sh, req.ID)
	}
	return req.ID
}

// verify passes the identity check of request id; for a deregistration it
// is the call that erases the person.
func (w *world) verify(tb testing.TB, sh *testenv.Shopper, id string) rights.Request {
	tb.Helper()
	r := w.e.Do(tb, "POST", "/api/v1/rights/requests/"+id+"/verify", map[string]string{"code": w.e.SMS.Code(tb, sh.Phone)}, testenv.Bearer(sh.Token)...)
	if r.Status != 200 {
		tb.Fatalf("verify: %d %s", r.Status, r.Body)
	}
	var req rights.Request
	r.JSON(tb, &req)
	return req
}

// export fetches the person's export as JSON, as they would.
func (w *world) export(tb testing.TB) []byte {
	r := w.e.Do(tb, "GET", "/api/v1/rights/requests/"+w.exportID+"/export", nil, testenv.Bearer(w.person.Token)...)
	if r.Status != 200 {
		tb.Fatalf("export: %d %s", r.Status, r.Body)
	}
	return r.Body
}

// checkExport counts the readable values of the seeded parts.
func (w *world) checkExport(tb testing.TB, body []byte) {
	tb.Helper()
	var e rights.Export
	if err := json.Unmarshal(body, &e); err != nil {
		tb.Fatal(err)
	}
	n := 0
	for _, f := range e.Fields {
		if f.HeldBy != "order" && f.HeldBy != "engage" && f.HeldBy != "search" {
			continue
		}
		for _, v := range f.Values {
			if v.Unreadable != "" || v.Value == "" {
				tb.Fatalf("%s of %s unreadable: %q", f.Field, v.Row, v.Unreadable)
			}
			n++
		}
	}
	if n != w.values {
		tb.Fatalf("export holds %d values of orders and behaviour; want %d", n, w.values)
	}
}

// seedOrders writes n delivered orders of s, each value sealed by the
// guard for its own row and column, as checkout does; it returns how many
// values were sealed. Orders are inserted here, not checked out: the
// checkout path is not what is measured.
func seedOrders(tb testing.TB, e *testenv.Env, s minimall.SubjectID, n int) int {
	tb.Helper()
	ctx := context.Background()
	g := e.Kernel.Guard()
	fields := []privacy.Field{privacy.OrderNumber, privacy.OrderItems, privacy.OrderTime, privacy.OrderDiscounts, privacy.OrderAmount,
		privacy.RecipientName, privacy.RecipientAddress, privacy.RecipientPhone, privacy.OrderRemark}
	const cols = `id, subject, shop, status, cross_border, number_sealed, items_sealed, created_at_sealed, discounts_sealed, amount_sealed,
		recipient_name_sealed, recipient_address_sealed, recipient_phone_sealed, remark_sealed, created_at, updated_at`
	const per = 100
	tx, err := e.Store.DB.Begin(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	at := sqldb.Micros(e.Store.Clock.Now())
	for i := 0; i < n; i += per {
		m := min(per, n-i)
		var args []any
		for j := i; j < i+m; j++ {
			id := fmt.Sprintf("o_bench%06d", j)
			plain := []string{fmt.Sprintf("2026%010d", j), `[{"item":"it_000001","qty":1,"price":"19.90"}]`, "2026-11-01T10:00:00Z", "[]", "19.90",
				"张三", "上海市浦东新区世纪大道100号", "13800138000", "请放门口"}
			args = append(args, id, string(s), "sh_bench", "delivered", 0)
			for k, f := range fields {
				v, err := g.Seal(ctx, s, f, id, []byte(plain[k]))
				if err != nil {
					tb.Fatal(err)
				}
				args = append(args, v)
			}
			args = append(args, at+int64(j), at+int64(j))
		}
		q := `INSERT INTO orders (` + cols + `) VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", m), ", ")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return n * len(fields)
}

// seedSearches writes n entries of s's search history, each a query and
// its activity sealed by the guard, keyed as the search area keys them;
// it returns how many values were sealed.
func seedSearches(tb testing.TB, e *testenv.Env, s minimall.SubjectID, n int) int {
	tb.Helper()
	ctx := context.Background()
	g := e.Kernel.Guard()
	const per = 200
	tx, err := e.Store.DB.Begin(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	at := sqldb.Micros(e.Store.Clock.Now())
	for i := 0; i < n; i += per {
		m := min(per, n-i)
		var args []any
		for j := i; j < i+m; j++ {
			id, q := fmt.Sprintf("sq_bench%06d", j), fmt.Sprintf("连衣裙 %d", j)
			idx := e.Kernel.BlindIndex(privacy.SearchQuery, []byte(string(s)+"\x00"+strings.ToLower(q)))
			sq, err := g.Seal(ctx, s, privacy.SearchQuery, id, []byte(q))
			if err != nil {
				tb.Fatal(err)
			}
			act, err := g.Seal(ctx, s, privacy.SearchActivity, id, []byte(`{"top_category":"c_dress"}`))
			if err != nil {
				tb.Fatal(err)
			}
			args = append(args, id, string(s), idx, sq, act, at+int64(j))
		}
		q := `INSERT INTO search_history (id, subject, query_index, query_sealed, activity_sealed, searched_at) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?), ", m), ", ")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return 2 * n
}

// deregister files and verifies a deregistration of a new person, timing
// only the verification, which erases them; it returns the answer.
func (w *world) deregister(b *testing.B) rights.Request {
	b.StopTimer()
	sh := w.register(b)
	id := w.file(b, sh, "deregister")
	code := w.e.SMS.Code(b, sh.Phone)
	auth := testenv.Bearer(sh.Token)
	b.StartTimer()
	r := w.e.Do(b, "POST", "/api/v1/rights/requests/"+id+"/verify", map[string]string{"code": code}, auth...)
	b.StopTimer()
	if r.Status != 200 {
		b.Fatalf("deregister: %d %s", r.Status, r.Body)
	}
	var req rights.Request
	r.JSON(b, &req)
	b.StartTimer()
	return req
}

// BenchmarkScale seeds a million people once per store, then measures:
//   - export: GET of the JSON export of the person with 1,000 orders and
//     10,000 behaviour events (target under 100 ms);
//   - deregister: the identity check of a deregistration, which deletes
//     what each area may and crypto-shreds the person's key (target under
//     50 ms);
//   - shred: the kernel's erasure alone (key destroyed, ledger, mark, feed
//     event) of one of the million.
func BenchmarkScale(b *testing.B) {
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			st := openStore(b, name)
			w := seed(b, st, fullSizes(b))
			w.checkExport(b, w.export(b))
			b.Run("export", func(b *testing.B) {
				for b.Loop() {
					w.export(b)
				}
			})
			b.Run("deregister", func(b *testing.B) {
				for b.Loop() {
					if req := w.deregister(b); req.State != rights.Answered || req.Answer == nil || !req.Answer.Erased {
						b.Fatalf("deregistration not answered: %+v", req)
					}
				}
			})
			next := 0
			b.Run("shred", func(b *testing.B) {
				ctx := context.Background()
				for b.Loop() {
					s := w.people[next%len(w.people)]
					next++
					if err := w.e.Kernel.Erase(ctx, minimall.SystemActor("bench"), s, privacy.EraseAccount, "deregistered"); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// TestScaleSeeding runs the benchmark's seeding and checks at a small
// size, so go test keeps them working: every seeded value opens in the
// export, and a deregistration erases the person.
func TestScaleSeeding(t *testing.T) {
	testkit.EachStore(t, func(t *testing.T, st *testkit.Store) {
		ctx := context.Background()
		w := seed(t, st, sizes{subjects: 1_500, orders: 12, footprints: 30, searches: 20})
		if len(w.people) != 1_500 {
			t.Fatalf("seeded %d people", len(w.people))
		}
		w.checkExport(t, w.export(t))
		// A bulk-registered person has a working key of their own.
		s := w.people[1_234]
		sealed, err := w.e.Kernel.Guard().Seal(ctx, s, privacy.SearchQuery, "sq_x", []byte("雨伞"))
		if err != nil {
			t.Fatal(err)
		}
		me := minimall.ShopperActor(s)
		if got, err := w.e.Kernel.Guard().OpenString(ctx, me, s, privacy.SearchQuery, privacy.ForSearch, "sq_x", sealed); err != nil || got != "雨伞" {
			t.Fatalf("open a bulk-registered person's value: %q %v", got, err)
		}
		if err := w.e.Kernel.Erase(ctx, minimall.SystemActor("test"), s, privacy.EraseAccount, "deregistered"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.e.Kernel.Guard().Open(ctx, me, s, privacy.SearchQuery, privacy.ForSearch, "sq_x", sealed); err == nil {
			t.Fatal("a shredded person's value still opens")
		}
		sh := w.register(t)
		id := w.file(t, sh, "deregister")
		if req := w.verify(t, sh, id); req.State != rights.Answered || req.Answer == nil || !req.Answer.Erased {
			t.Fatalf("deregistration: %+v", req)
		}
	})
}
