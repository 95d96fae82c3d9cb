package main

import (
	"context"
	"encoding/json"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"minimall"
	"minimall/addressbook"
	"minimall/catalog"
)

// deletionStory is what two shoppers keep and delete around a backup: one
// deletes single records (a footprint, a favourite, a search, an address,
// a cart line), the other clears their footprints and search history.
type deletionStory struct {
	one, two *backupShopper
	// ids of one's records by list, [0] deleted after the backup, [1] kept.
	footprints, favourites, searches, addresses, lines []string
	twoFavourites                                      []string
	// a second session of one's, signed out after the backup
	signedOut string
}

// newDeletionStory makes the records, all before the backup.
func newDeletionStory(t *testing.T, m *Main, prefix string) *deletionStory {
	t.Helper()
	ctx := context.Background()
	if _, err := m.App.Catalog.CreateCategory(ctx, minimall.SystemActor("test"), catalog.Category{ID: "restore_misc", Name: "杂货"}); err != nil {
		t.Fatal(err)
	}
	shop, err := m.App.Catalog.ImportShop(ctx, "恢复测试店", "")
	if err != nil {
		t.Fatal(err)
	}
	news := []catalog.NewItem{{Title: "测试商品甲", Category: "restore_misc", PriceFen: 100, Stock: 9},
		{Title: "测试商品乙", Category: "restore_misc", PriceFen: 200, Stock: 9}, {Title: "测试商品丙", Category: "restore_misc", PriceFen: 300, Stock: 9}}
	items, err := m.App.Catalog.ImportItems(ctx, []string{shop.ID, shop.ID, shop.ID}, news)
	if err != nil {
		t.Fatal(err)
	}
	s := &deletionStory{one: registerShopper(t, m, prefix+"1", "restore_one"), two: registerShopper(t, m, prefix+"2", "restore_two")}
	for _, sh := range []*backupShopper{s.one, s.two} {
		for _, it := range items[:2] {
			apiOK(t, m, "POST", "/api/v1/account/footprints", sh.token, map[string]string{"target": it})
			apiOK(t, m, "POST", "/api/v1/account/favourites", sh.token, map[string]string{"target": it})
		}
		for _, q := range []string{"连衣裙", "耳机"} {
			apiOK(t, m, "GET", "/api/v1/search?q="+url.QueryEscape(q), sh.token, nil)
		}
	}
	s.twoFavourites = listIDs(t, m, s.two, "favourites")
	for _, it := range items[:2] {
		apiOK(t, m, "POST", "/api/v1/cart/items", s.one.token, map[string]any{"item": it, "quantity": 1})
	}
	for _, addr := range []string{"浙江省杭州市西湖区文三路1号", "浙江省杭州市西湖区文三路2号"} {
		a, err := m.App.AddressBook.Add(ctx, minimall.ShopperActor(s.one.subject), addressbook.Address{Name: "张三", Address: addr, Phone: "13900139000"})
		if err != nil {
			t.Fatal(err)
		}
		s.addresses = append(s.addresses, a.ID)
	}
	slices.Sort(s.addresses) // as listIDs returns ids
	if s.signedOut = signIn(t, m, s.one); s.signedOut == "" {
		t.Fatal("second sign-in refused")
	}
	s.footprints, s.favourites = listIDs(t, m, s.one, "footprints"), listIDs(t, m, s.one, "favourites")
	s.searches, s.lines = listIDs(t, m, s.one, "history"), listIDs(t, m, s.one, "cart")
	for name, ids := range map[string][]string{"footprints": s.footprints, "favourites": s.favourites, "searches": s.searches, "cart": s.lines} {
		if len(ids) != 2 {
			t.Fatalf("%s before the backup: %v", name, ids)
		}
	}
	return s
}

// deleteAfterBackup deletes [0] of each of one's lists, and clears two's
// footprints and search history, through the API as a person does.
func (s *deletionStory) deleteAfterBackup(t *testing.T, m *Main) {
	t.Helper()
	apiOK(t, m, "DELETE", "/api/v1/account/footprints/"+s.footprints[0], s.one.token, nil)
	apiOK(t, m, "DELETE", "/api/v1/account/favourites/"+s.favourites[0], s.one.token, nil)
	apiOK(t, m, "DELETE", "/api/v1/search/history/"+s.searches[0], s.one.token, nil)
	apiOK(t, m, "DELETE", "/api/v1/cart/items/"+s.lines[0], s.one.token, nil)
	if err := m.App.AddressBook.Remove(context.Background(), minimall.ShopperActor(s.one.subject), s.addresses[0]); err != nil {
		t.Fatal(err)
	}
	apiOK(t, m, "DELETE", "/api/v1/sessions/current", s.signedOut, nil)
	apiOK(t, m, "DELETE", "/api/v1/account/footprints", s.two.token, nil)
	apiOK(t, m, "DELETE", "/api/v1/search/history", s.two.token, nil)
	s.check(t, m) // as the person saw it before the restore
}

// check asserts every deleted record is gone, from the lists and the
// tables, and every other one is there as it was.
func (s *deletionStory) check(t *testing.T, m *Main) {
	t.Helper()
	want := map[string][]string{"footprints": s.footprints[1:], "favourites": s.favourites[1:], "history": s.searches[1:], "cart": s.lines[1:]}
	for list, ids := range want {
		if got := listIDs(t, m, s.one, list); !slices.Equal(got, ids) {
			t.Errorf("one's %s: %v, want %v", list, got, ids)
		}
	}
	if st, b := callJSON(t, "GET", m.HTTP.URL()+"/api/v1/account", s.signedOut, nil); st == 200 {
		t.Errorf("a session signed out works: %s", b)
	}
	if st, b := callJSON(t, "GET", m.HTTP.URL()+"/api/v1/account", s.one.token, nil); st != 200 {
		t.Errorf("the session kept is refused: %d %s", st, b)
	}
	book, err := m.App.AddressBook.List(context.Background(), minimall.ShopperActor(s.one.subject))
	if err != nil || len(book) != 1 || book[0].ID != s.addresses[1] || book[0].Address != "浙江省杭州市西湖区文三路2号" {
		t.Errorf("one's address book: %+v %v, want only the second address", book, err)
	}
	for list, want := range map[string][]string{"footprints": nil, "history": nil, "favourites": s.twoFavourites} {
		if got := listIDs(t, m, s.two, list); !slices.Equal(got, want) {
			t.Errorf("two's %s: %v, want %v", list, got, want)
		}
	}
	gone := map[string]string{"footprints": s.footprints[0], "favourites": s.favourites[0], "search_history": s.searches[0],
		"cart_items": s.lines[0], "addresses": s.addresses[0]}
	for table, id := range gone {
		var n int
		if err := m.DB.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+table+` WHERE id = ?`, id).Scan(&n); err != nil || n != 0 {
			t.Errorf("deleted row of %s still in the database: %d %v", table, n, err)
		}
	}
}

// apiOK calls the API and fails the test on anything but a 2xx answer.
func apiOK(t *testing.T, m *Main, method, path, token string, body any) []byte {
	t.Helper()
	st, b := callJSON(t, method, m.HTTP.URL()+path, token, body)
	if st/100 != 2 {
		t.Fatalf("%s %s: %d %s", method, path, st, b)
	}
	return b
}

// listIDs returns the ids of one of the person's lists, as the API shows it.
func listIDs(t *testing.T, m *Main, sh *backupShopper, list string) []string {
	t.Helper()
	path := map[string]string{"history": "/api/v1/search/history", "cart": "/api/v1/cart"}[list]
	if path == "" {
		path = "/api/v1/account/" + list
	}
	var page struct {
		Entries, History, Items []struct {
			ID string `json:"id"`
		}
	}
	if err := json.Unmarshal(apiOK(t, m, "GET", path, sh.token, nil), &page); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range slices.Concat(page.Entries, page.History, page.Items) {
		ids = append(ids, e.ID)
	}
	slices.Sort(ids)
	return ids
}

// TestBackupRestoreKeepsDeletions (PIPL art. 47, policy 四(三)): records a
// person deleted after a backup was taken — a footprint, a favourite, a
// search, a cart line, an address, a session signed out, and a whole
// footprint list and search history cleared — stay deleted when that backup is restored with the
// backup and restore commands, because the deletion ledger in the key
// store is replayed; the records not deleted are back as they were.
func TestBackupRestoreKeepsDeletions(t *testing.T) {
	dir := t.TempDir()
	data, keys, backup := filepath.Join(dir, "data"), filepath.Join(dir, "data.keys"), filepath.Join(dir, "backup")
	m := startOn(t, data, keys)
	story := newDeletionStory(t, m, "1380013810")
	code, backupOut, errOut := runCmd(t, "backup", "--to", backup, "--data", data, "--keys", keys)
	if code != 0 {
		t.Fatalf("backup: exit %d\n%s%s", code, backupOut, errOut)
	}
	story.deleteAfterBackup(t, m)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCmd(t, restoreHint(t, backupOut)...)
	// one: 5 single records and a session; two: 2 footprints and 2 searches.
	if code != 0 || !strings.Contains(out, "10 records deleted since the backup deleted again") {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}
	m = startOn(t, data, keys)
	story.check(t, m)
	// A start after it deletes nothing more: the data's mark moved.
	if rep := m.Kernel.DeletionsReplayed(); rep.Rows != 0 || rep.Gap {
		t.Errorf("second start replayed %+v", rep)
	}
}

// TestBackupRestoreKeepsDeletionsPostgres is TestBackupRestoreKeepsDeletions
// on PostgreSQL: `minimall backup --db` (pg_dump) while serving, the
// deletions, the dump restored into an empty data database with
// pg_restore, then `minimall restore` as backup printed it.
func TestBackupRestoreKeepsDeletionsPostgres(t *testing.T) {
	pg := newPgDatabase(t)
	dir := t.TempDir()
	data, keys, backup := filepath.Join(dir, "data"), filepath.Join(dir, "data.keys"), filepath.Join(dir, "backup")
	start := func() *Main {
		m := NewMain()
		m.Config.Addr, m.Config.DataDir, m.Config.KeysDir, m.Config.DB = "127.0.0.1:0", data, keys, pg.dsn
		if err := m.Run(context.Background()); err != nil {
			m.Close()
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m
	}
	m := start()
	story := newDeletionStory(t, m, "1380013820")
	code, backupOut, errOut := runCmd(t, "backup", "--to", backup, "--db", pg.dsn, "--data", data, "--keys", keys)
	if code != 0 {
		t.Fatalf("backup: exit %d\n%s%s", code, backupOut, errOut)
	}
	story.deleteAfterBackup(t, m)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	pg.restoreDump(t, filepath.Join(backup, "minimall.dump"))
	code, out, errOut := runCmd(t, restoreHint(t, backupOut)...)
	if code != 0 || !strings.Contains(out, "10 records deleted since the backup deleted again") {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}
	story.check(t, start())
}
