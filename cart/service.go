package cart

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"minimall"
	"minimall/activity"
	"minimall/catalog"
	"minimall/outbox"
	"minimall/privacy"
	"minimall/sqldb"
)

// Service keeps carts. Its methods are safe for concurrent use.
type Service struct {
	db     *sqldb.DB
	k      *privacy.Kernel
	prices Prices
}

// NewService returns the cart service.
func NewService(db *sqldb.DB, k *privacy.Kernel, prices Prices) *Service {
	return &Service{db: db, k: k, prices: prices}
}

func validQuantity(op string, q int64) error {
	if q < 1 || q > MaxQuantity {
		return minimall.Errorf(minimall.Invalid, op, "quantity is from 1 to 999. 数量须为1至999。")
	}
	return nil
}

// itemIndex is the keyed hash that finds a person's line of an item.
func (s *Service) itemIndex(subject minimall.SubjectID, item string) []byte {
	return s.k.BlindIndex(privacy.CartItem, []byte(string(subject)+"\x00"+item))
}

// Add puts quantity of item in the cart, or adds to the quantity already
// there; the price remembered for reminders is the one when first added.
// Returns Unauthorized for a visitor, Invalid for a bad quantity, NotFound
// for an unknown item, Conflict for an item not on sale or a full cart.
func (s *Service) Add(ctx context.Context, a minimall.Actor, item string, quantity int64) (*Line, error) {
	const op = "cart.Add"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	if err := validQuantity(op, quantity); err != nil {
		return nil, err
	}
	prices, err := s.prices.Prices(ctx, []string{item})
	if err != nil {
		return nil, err
	}
	p, ok := prices[item]
	if !ok {
		return nil, minimall.Errorf(minimall.NotFound, op, "No such item. 商品不存在。")
	}
	if p.Status != catalog.OnSale {
		return nil, minimall.Errorf(minimall.Conflict, op, "The item is not on sale. 商品已下架。")
	}
	index := s.itemIndex(a.Subject, item)
	// A line that comes or goes between the read and the write (the same
	// item added or removed at once elsewhere) is read again.
	for try := 0; try < 3; try++ {
		line, moved, err := s.add(ctx, a, p, index, quantity)
		if !moved {
			return line, err
		}
	}
	return nil, minimall.Errorf(minimall.Conflict, op, "Your cart changed as you added; try again. 加购时购物车已变动，请重试。")
}

// add is one try of Add. Most adds raise a line already in the cart: the
// first write tries that, by the item's index, and only runs SQL (sqldb:
// seal outside the write); the line's sealed item is opened after it, for
// the price it was added at. Only when there is no line is a new one
// sealed and inserted by a second write; moved reports that a line of the
// item was inserted in between, and nothing was written.
func (s *Service) add(ctx context.Context, a minimall.Actor, p catalog.Priced, index []byte, quantity int64) (line *Line, moved bool, err error) {
	line = &Line{Item: p.Item, Title: p.Title, Shop: p.Shop, PriceFen: p.PriceFen, Available: true}
	var stored []byte
	err = s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		var err error
		if stored, err = raise(ctx, tx, a, index, quantity, line); stored == nil || err != nil {
			return err
		}
		return announce(ctx, tx, a, line)
	})
	if err != nil {
		return nil, false, err
	}
	if stored != nil {
		it, err := s.open(ctx, a, a.Subject, line.ID, stored)
		if err != nil {
			return nil, false, err
		}
		line.AddedPriceFen = it.PriceFen
	} else if moved, err = s.insert(ctx, a, p, index, quantity, line); moved || err != nil {
		return nil, moved, err
	}
	line.PriceDropped = line.PriceFen < line.AddedPriceFen
	return line, false, nil
}

// insert seals a new line of quantity and writes it; moved when the
// person's line of the item was inserted meanwhile.
func (s *Service) insert(ctx context.Context, a minimall.Actor, p catalog.Priced, index []byte, quantity int64, line *Line) (moved bool, err error) {
	line.ID, line.Quantity, line.AddedPriceFen = minimall.NewRowID("ci_"), quantity, p.PriceFen
	v, _ := json.Marshal(sealedItem{Item: p.Item, PriceFen: p.PriceFen})
	sealed, err := s.k.Guard().Seal(ctx, a.Subject, privacy.CartItem, line.ID, v)
	if err != nil {
		return false, err
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if moved, err = insertLine(ctx, tx, a, line, index, sealed); moved || err != nil {
			return err
		}
		return announce(ctx, tx, a, line)
	})
	return moved, err
}

// announce tells the change feed of an add: the person's event names the
// line; the hot list's names no one.
func announce(ctx context.Context, tx *sqldb.Tx, a minimall.Actor, line *Line) error {
	if err := outbox.Emit(ctx, tx, TopicAdded, a.Subject, Added{Line: line.ID}); err != nil {
		return err
	}
	activity.Emit(tx, activity.Cart, line.Item)
	return nil
}

// raise adds quantity to the person's line of the item (up to
// MaxQuantity) and reads the line into line; it returns the line's sealed
// item, nil when there is no line.
func raise(ctx context.Context, tx *sqldb.Tx, a minimall.Actor, index []byte, quantity int64, line *Line) ([]byte, error) {
	var added int64
	var stored []byte
	err := tx.QueryRowContext(ctx, `UPDATE cart_items SET quantity = CASE WHEN quantity + ? > ? THEN ? ELSE quantity + ? END, updated_at = ?
		WHERE subject = ? AND item_index = ? RETURNING id, quantity, added_at, item_sealed`, quantity, MaxQuantity, MaxQuantity, quantity, sqldb.Micros(tx.Now()),
		string(a.Subject), index).Scan(&line.ID, &line.Quantity, &added, &stored)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	line.AddedAt = sqldb.FromMicros(added)
	return stored, sqldb.FormatError("cart.Add", err)
}

// insertLine inserts the new line; moved when the person's line of the
// item was inserted meanwhile. Returns Conflict when it would overfill
// the cart (the insert is undone with the rest of the write).
func insertLine(ctx context.Context, tx *sqldb.Tx, a minimall.Actor, line *Line, index, sealed []byte) (moved bool, err error) {
	const op = "cart.Add"
	now := sqldb.Micros(tx.Now())
	res, err := tx.ExecContext(ctx, `INSERT INTO cart_items (id, subject, item_index, item_sealed, quantity, added_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (subject, item_index) DO NOTHING`, line.ID, string(a.Subject), index, sealed, line.Quantity, now, now)
	if err != nil {
		return false, sqldb.FormatError(op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return true, nil
	}
	var lines int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM cart_items WHERE subject = ?`, string(a.Subject)).Scan(&lines); err != nil {
		return false, sqldb.FormatError(op, err)
	}
	if lines > MaxLines {
		return false, minimall.Errorf(minimall.Conflict, op, "The cart is full (120 items). 购物车已满（120件）。")
	}
	line.AddedAt = tx.Now()
	return false, nil
}

func (s *Service) open(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, row string, sealed []byte) (sealedItem, error) {
	return s.openFor(ctx, a, subject, row, sealed, privacy.ForCart)
}

func (s *Service) openFor(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, row string, sealed []byte, p privacy.Purpose) (sealedItem, error) {
	var it sealedItem
	b, err := s.k.Guard().Open(ctx, a, subject, privacy.CartItem, p, row, sealed)
	if err != nil {
		return it, err
	}
	if err := json.Unmarshal(b, &it); err != nil {
		return it, fmt.Errorf("cart: decode line %s: %w", row, err)
	}
	return it, nil
}

// LineItem returns the item of subject's cart line id, opened through the
// guard for purpose p on behalf of a: how a follower of TopicAdded (the
// recommendation area) learns what was added. Returns NotFound for a line
// removed since.
func (s *Service) LineItem(ctx context.Context, a minimall.Actor, subject minimall.SubjectID, id string, p privacy.Purpose) (string, error) {
	var sealed []byte
	err := s.db.QueryRowContext(ctx, `SELECT item_sealed FROM cart_items WHERE id = ? AND subject = ?`, id, string(subject)).Scan(&sealed)
	if err != nil {
		return "", sqldb.FormatError("cart.LineItem", err)
	}
	it, err := s.openFor(ctx, a, subject, id, sealed, p)
	return it.Item, err
}

// SetQuantity changes the quantity of a line. Returns NotFound for a line
// that is not the caller's.
func (s *Service) SetQuantity(ctx context.Context, a minimall.Actor, id string, quantity int64) (*Line, error) {
	const op = "cart.SetQuantity"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	if err := validQuantity(op, quantity); err != nil {
		return nil, err
	}
	err := s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE cart_items SET quantity = ?, updated_at = ? WHERE id = ? AND subject = ?`,
			quantity, sqldb.Micros(tx.Now()), id, string(a.Subject))
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return noLine(op)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	lines, err := s.lines(ctx, a, []string{id})
	if err != nil {
		return nil, err
	}
	if len(lines) == 0 {
		return nil, noLine(op)
	}
	return lines[0], nil
}

func noLine(op string) error {
	return minimall.Errorf(minimall.NotFound, op, "No such item in your cart. 购物车中没有该商品。")
}

// Remove takes a line out of the cart, journalled first in the kernel's
// deletion ledger so a restored backup never brings it back. Returns
// NotFound for a line that is not the caller's.
func (s *Service) Remove(ctx context.Context, a minimall.Actor, id string) error {
	const op = "cart.Remove"
	if err := minimall.SignedIn(a, op); err != nil {
		return err
	}
	found, err := s.k.RecordDeletion(ctx, a.Subject, "cart_items", id)
	if err != nil {
		return err
	}
	if !found {
		return noLine(op)
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM cart_items WHERE id = ? AND subject = ?`, id, string(a.Subject))
	if err != nil {
		return sqldb.FormatError(op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return noLine(op)
	}
	return nil
}

// Get returns the caller's cart, oldest line first, at today's prices.
func (s *Service) Get(ctx context.Context, a minimall.Actor) (*Cart, error) {
	if err := minimall.SignedIn(a, "cart.Get"); err != nil {
		return nil, err
	}
	lines, err := s.lines(ctx, a, nil)
	if err != nil {
		return nil, err
	}
	c := &Cart{Lines: lines}
	for _, l := range lines {
		if l.Available {
			c.TotalFen += l.PriceFen * l.Quantity
		}
	}
	return c, nil
}

// PriceDrops returns the lines whose item costs less now than when it was
// added (the reminder of 二(三)1).
func (s *Service) PriceDrops(ctx context.Context, a minimall.Actor) ([]*Line, error) {
	if err := minimall.SignedIn(a, "cart.PriceDrops"); err != nil {
		return nil, err
	}
	lines, err := s.lines(ctx, a, nil)
	if err != nil {
		return nil, err
	}
	out := []*Line{}
	for _, l := range lines {
		if l.PriceDropped && l.Available {
			out = append(out, l)
		}
	}
	return out, nil
}

type row struct {
	id       string
	sealed   []byte
	quantity int64
	added    int64
}

func scanRows(rows *sql.Rows) ([]row, error) {
	defer rows.Close()
	var out []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.sealed, &r.quantity, &r.added); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// lines reads the caller's lines (only ids, when given), opened through
// the guard and priced now.
func (s *Service) lines(ctx context.Context, a minimall.Actor, ids []string) ([]*Line, error) {
	const op = "cart.lines"
	rows, err := s.db.QueryContext(ctx, `SELECT id, item_sealed, quantity, added_at FROM cart_items WHERE subject = ? ORDER BY added_at, id`, string(a.Subject))
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	rs, err := scanRows(rows)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	rs = only(rs, ids)
	sealed := make([]privacy.Sealed, len(rs))
	for i, r := range rs {
		sealed[i] = privacy.Sealed{Field: privacy.CartItem, Row: r.id, Value: r.sealed}
	}
	opened := s.k.Guard().OpenAll(ctx, a, a.Subject, privacy.ForCart, sealed)
	lines := make([]*Line, 0, len(rs))
	items := make([]string, 0, len(rs))
	for i, r := range rs {
		if opened[i].Err != nil {
			return nil, opened[i].Err
		}
		var it sealedItem
		if err := json.Unmarshal(opened[i].Value, &it); err != nil {
			return nil, fmt.Errorf("cart: decode line %s: %w", r.id, err)
		}
		lines = append(lines, &Line{ID: r.id, Item: it.Item, Quantity: r.quantity, AddedPriceFen: it.PriceFen, AddedAt: sqldb.FromMicros(r.added)})
		items = append(items, it.Item)
	}
	prices, err := s.prices.Prices(ctx, items)
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		if p, ok := prices[l.Item]; ok {
			l.Title, l.Shop, l.PriceFen, l.Available = p.Title, p.Shop, p.PriceFen, p.Status == catalog.OnSale
			l.PriceDropped = l.PriceFen < l.AddedPriceFen
		}
	}
	return lines, nil
}

func only(rs []row, ids []string) []row {
	if ids == nil {
		return rs
	}
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	out := rs[:0]
	for _, r := range rs {
		if want[r.id] {
			out = append(out, r)
		}
	}
	return out
}

// Lines returns what the caller's cart lines hold, for an order: the lines
// named by ids, or every line when ids is empty. The order takes them
// with Take, in its write. Returns NotFound when a named line is not in
// the cart, Invalid when there is nothing to take.
func (s *Service) Lines(ctx context.Context, a minimall.Actor, ids []string) ([]Taken, error) {
	const op = "cart.Lines"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, item_sealed, quantity, added_at FROM cart_items WHERE subject = ?`, string(a.Subject))
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	rs, err := scanRows(rows)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	if len(ids) > 0 {
		rs = only(rs, ids)
		if len(rs) != len(dedupe(ids)) {
			return nil, noLine(op)
		}
	}
	if len(rs) == 0 {
		return nil, minimall.Errorf(minimall.Invalid, op, "Your cart is empty. 购物车为空。")
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i].id < rs[j].id })
	out := make([]Taken, 0, len(rs))
	for _, r := range rs {
		it, err := s.open(ctx, a, a.Subject, r.id, r.sealed)
		if err != nil {
			return nil, err
		}
		out = append(out, Taken{ID: r.id, Item: it.Item, Quantity: r.quantity})
	}
	return out, nil
}

// Take removes lines Lines returned from the caller's cart inside tx, for
// the order that holds them. Returns Conflict when a line is gone or its
// quantity changed since (another checkout took it, or the person changed
// it): the order would not be what they saw.
func (s *Service) Take(ctx context.Context, tx *sqldb.Tx, a minimall.Actor, lines []Taken) error {
	const op = "cart.Take"
	for _, l := range lines {
		res, err := tx.ExecContext(ctx, `DELETE FROM cart_items WHERE id = ? AND subject = ? AND quantity = ?`, l.ID, string(a.Subject), l.Quantity)
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return minimall.Errorf(minimall.Conflict, op, "Your cart changed while you ordered; look at it again. 下单时购物车已变动，请重新确认。")
		}
	}
	return nil
}

func dedupe(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}
