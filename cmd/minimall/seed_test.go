package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"minimall"
	"minimall/catalog/seed"
	"minimall/order"
)

// TestSeedOrders: `seed --orders N` places N orders through the order
// service, spread over the seeded shoppers, in a mix of states; a seeded
// shopper signs in and sees theirs over HTTP, with the recipient opened;
// no recipient name, address or phone is in the database file in clear.
func TestSeedOrders(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	data, keys := filepath.Join(dir, "data"), filepath.Join(dir, "data.keys")
	const shoppers, orders = 4, 40
	code, out, errOut := runCmd(t, "seed", "--data", data, "--keys", keys, "--items", "150", "--users", "4", "--orders", "40")
	if code != 0 || !strings.Contains(out, "orders: 40 placed") {
		t.Fatalf("seed: exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(errOut, "\r") {
		t.Errorf("a progress bar drawn on a stderr that is no terminal: %q", errOut)
	}
	if code, _, errOut := runCmd(t, "seed", "--data", data, "--keys", keys, "--users", "0", "--orders", "5"); code != 2 || !strings.Contains(errOut, "--users") {
		t.Errorf("--orders without shoppers: exit %d %s", code, errOut)
	}

	m := startOn(t, data, keys)
	byStatus := map[order.Status]int{}
	rows, err := m.DB.QueryContext(ctx, `SELECT status, COUNT(*) FROM orders GROUP BY status`)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			t.Fatal(err)
		}
		byStatus[order.Status(st)], total = n, total+n
	}
	rows.Close()
	if total != orders || byStatus[order.Paid] == 0 {
		t.Fatalf("orders by status %v, want %d with some paid", byStatus, orders)
	}
	for st := range byStatus {
		if st != order.Paid && st != order.PendingPayment && st != order.Cancelled {
			t.Errorf("seeded order in state %s", st)
		}
	}

	// Shopper 1 signs in through the real login path and lists their orders.
	first := &backupShopper{name: seed.MemberName(1), password: seed.Password(1)}
	token := signIn(t, m, first)
	if token == "" {
		t.Fatal("seeded shopper 1 cannot sign in")
	}
	st, b := callJSON(t, "GET", m.HTTP.URL()+"/api/v1/orders", token, nil)
	var list struct {
		Orders []order.Summary `json:"orders"`
	}
	if err := json.Unmarshal(b, &list); st != 200 || err != nil || len(list.Orders) != orders/shoppers {
		t.Fatalf("GET /api/v1/orders: %d %s, want %d orders", st, b, orders/shoppers)
	}
	subject, err := m.Accounts.SubjectByPhone(ctx, seed.Phone(1))
	if err != nil {
		t.Fatal(err)
	}
	shopper := minimall.Actor{Kind: minimall.Shopper, Subject: subject}
	var markers []string
	for _, s := range list.Orders {
		o, err := m.Orders.FindByID(ctx, shopper, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		rc := o.Recipient
		if len([]rune(rc.Name)) < 2 || !strings.Contains(rc.Address, "室") || len(rc.Phone) != 11 || len(o.Lines) == 0 {
			t.Fatalf("seeded order %s: recipient %+v, %d lines", o.ID, rc, len(o.Lines))
		}
		if (o.Status == order.Paid) != (o.Payment != nil && o.Payment.Status == order.PaymentPaid) {
			t.Errorf("order %s is %s with payment %+v", o.ID, o.Status, o.Payment)
		}
		markers = append(markers, rc.Name, rc.Address, rc.Phone)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	// The database file, and a WAL beside it if any, hold them sealed only.
	var raw []byte
	for _, f := range []string{"minimall.db", "minimall.db-wal"} {
		b, err := os.ReadFile(filepath.Join(data, f))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		raw = append(raw, b...)
	}
	if len(raw) == 0 {
		t.Fatal("no database file")
	}
	for _, s := range markers {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("recipient value %q is in the database file in clear", s)
		}
	}
}
