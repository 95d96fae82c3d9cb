package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sort"
	"strings"

	"minimall"
	"minimall/sqldb"
)

// CrossBorderAttribute marks an item as cross-border goods (跨境商品): an
// order for it needs the orderer's ID for customs clearance (policy 二(三)2),
// and an order for anything else must not carry one.
const CrossBorderAttribute = "跨境"

// Stock reserves and releases the stock of items for orders, and reads the
// current price of items for carts. It works on the catalogue's own items
// table; the order and cart areas reach it through interfaces of their own.
type Stock struct {
	db    *sqldb.DB
	cache *cache // the catalogue service's, when made by Service.Stock; may be nil
}

// NewStock returns the stock keeper of the catalogue in db.
func NewStock(db *sqldb.DB) *Stock { return &Stock{db: db} }

// Want is a quantity of one item an order wants.
type Want struct {
	Item     string
	Quantity int64
}

// Priced is an item as an order or a cart needs it now: the price is the
// item's current price, the same for everyone (PIPL art. 24).
type Priced struct {
	Item        string `json:"item"`
	Title       string `json:"title"`
	Shop        string `json:"shop"`
	PriceFen    int64  `json:"price_fen"`
	Quantity    int64  `json:"quantity,omitempty"` // reserved, for Reserve
	Stock       int64  `json:"-"`
	Status      string `json:"-"`
	CrossBorder bool   `json:"cross_border,omitempty"`
}

// Reserve takes the wanted quantities out of stock inside the caller's
// transaction, and returns each item's current title, shop and price. The
// guarded UPDATE (stock >= wanted) is what keeps stock from being oversold
// by concurrent checkouts: on PostgreSQL a second updater waits for the
// row and re-checks the guard, on SQLite writers take turns. Items are
// taken in id order, so two orders never wait for each other's rows.
//
// Returns NotFound for an unknown or removed item, Conflict for one that
// is off the shelf or has too little stock.
func (s *Stock) Reserve(ctx context.Context, tx *sqldb.Tx, wants []Want) ([]Priced, error) {
	merged := mergeWants(wants)
	out, err := priceEach(merged, func(w Want, p *Priced, attrs *string) error {
		err := tx.QueryRowContext(ctx, `UPDATE items SET stock = stock - ? WHERE id = ? AND status = ? AND stock >= ?
			RETURNING title, shop, price_fen, attributes`, w.Quantity, w.Item, OnSale, w.Quantity).Scan(&p.Title, &p.Shop, &p.PriceFen, attrs)
		if errors.Is(err, sql.ErrNoRows) {
			return s.whyNot(ctx, tx, w.Item)
		}
		return sqldb.FormatError("catalog.Reserve", err)
	})
	if err != nil {
		return nil, err
	}
	s.forgetAfter(tx, merged)
	return out, nil
}

// Quote returns each wanted item's current title, shop and price, read
// from the row (not a cache), in the order Reserve takes them, so an order
// can be sealed before its write. Reserve then takes the stock and Same
// tells whether anything moved in between. Returns what Reserve returns.
func (s *Stock) Quote(ctx context.Context, wants []Want) ([]Priced, error) {
	const op = "catalog.Reserve"
	return priceEach(mergeWants(wants), func(w Want, p *Priced, attrs *string) error {
		err := s.db.QueryRowContext(ctx, `SELECT title, shop, price_fen, attributes, stock, status FROM items WHERE id = ?`, w.Item).
			Scan(&p.Title, &p.Shop, &p.PriceFen, attrs, &p.Stock, &p.Status)
		switch {
		case errors.Is(err, sql.ErrNoRows) || p.Status == Removed:
			return notFound(op, "No such item. 商品不存在。")
		case err != nil:
			return sqldb.FormatError(op, err)
		case p.Status != OnSale:
			return minimall.Errorf(minimall.Conflict, op, "An item is not on sale. 商品已下架。")
		case p.Stock < w.Quantity:
			return minimall.Errorf(minimall.Conflict, op, "Not enough stock. 库存不足。")
		}
		return nil
	})
}

// priceEach prices each of the merged wants with price, which fills the
// item's title, shop, price and attributes.
func priceEach(merged []Want, price func(w Want, p *Priced, attrs *string) error) ([]Priced, error) {
	out := make([]Priced, 0, len(merged))
	for _, w := range merged {
		if w.Quantity <= 0 {
			return nil, invalid("catalog.Reserve", "A quantity is at least 1. 数量至少为1。")
		}
		p := Priced{Item: w.Item, Quantity: w.Quantity}
		var attrs string
		if err := price(w, &p, &attrs); err != nil {
			return nil, err
		}
		p.CrossBorder = crossBorder(attrs)
		out = append(out, p)
	}
	return out, nil
}

// Same reports whether a reservation took the items as quoted: the same
// items and quantities, at the same title, shop, price and kind.
func Same(quoted, reserved []Priced) bool {
	if len(quoted) != len(reserved) {
		return false
	}
	for i, q := range quoted {
		r := reserved[i]
		if q.Item != r.Item || q.Quantity != r.Quantity || q.Title != r.Title || q.Shop != r.Shop || q.PriceFen != r.PriceFen || q.CrossBorder != r.CrossBorder {
			return false
		}
	}
	return true
}

// forgetAfter clears the cached items whose stock tx changes, now and
// again once it commits (a reader may cache the old stock in between).
func (s *Stock) forgetAfter(tx *sqldb.Tx, wants []Want) {
	if s.cache == nil {
		return
	}
	ids := make([]string, len(wants))
	for i, w := range wants {
		ids[i] = w.Item
	}
	s.cache.forgetItems(ids)
	tx.AfterCommit(func() { s.cache.forgetItems(ids) })
}

// whyNot explains a reservation the guard refused.
func (s *Stock) whyNot(ctx context.Context, tx *sqldb.Tx, item string) error {
	const op = "catalog.Reserve"
	var status string
	err := tx.QueryRowContext(ctx, `SELECT status FROM items WHERE id = ?`, item).Scan(&status)
	switch {
	case errors.Is(err, sql.ErrNoRows) || status == Removed:
		return notFound(op, "No such item. 商品不存在。")
	case err != nil:
		return sqldb.FormatError(op, err)
	case status != OnSale:
		return minimall.Errorf(minimall.Conflict, op, "An item is not on sale. 商品已下架。")
	}
	return minimall.Errorf(minimall.Conflict, op, "Not enough stock. 库存不足。")
}

// Release puts reserved quantities back (a cancelled or refunded order).
func (s *Stock) Release(ctx context.Context, tx *sqldb.Tx, wants []Want) error {
	merged := mergeWants(wants)
	s.forgetAfter(tx, merged)
	for _, w := range merged {
		if _, err := tx.ExecContext(ctx, `UPDATE items SET stock = stock + ? WHERE id = ?`, w.Quantity, w.Item); err != nil {
			return sqldb.FormatError("catalog.Release", err)
		}
	}
	return nil
}

// Prices returns the current data of the items that exist and are not
// removed, keyed by id.
func (s *Stock) Prices(ctx context.Context, ids []string) (map[string]Priced, error) {
	const op = "catalog.Prices"
	out := make(map[string]Priced, len(ids))
	if len(ids) == 1 && s.cache != nil {
		// One item (an add to cart): the item page's cached copy, at most
		// CacheTTL old, will do; orders take price and stock from the row.
		if it, ok := lookup[*Item](s.cache, &s.cache.items, ids[0]); ok {
			out[it.ID] = Priced{Item: it.ID, Title: it.Title, Shop: it.Shop, PriceFen: it.PriceFen, Stock: it.Stock, Status: it.Status,
				CrossBorder: it.Attributes[CrossBorderAttribute] == "是" || it.Attributes[CrossBorderAttribute] == "true"}
			return out, nil
		}
	}
	err := inChunks(ids, func(marks string, args []any) error {
		rows, err := s.db.QueryContext(ctx, `SELECT id, title, shop, price_fen, stock, status, attributes FROM items
			WHERE id IN (`+marks+`) AND status <> ?`, append(args, Removed)...)
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		defer rows.Close()
		for rows.Next() {
			var p Priced
			var attrs string
			if err := rows.Scan(&p.Item, &p.Title, &p.Shop, &p.PriceFen, &p.Stock, &p.Status, &attrs); err != nil {
				return sqldb.FormatError(op, err)
			}
			p.CrossBorder = crossBorder(attrs)
			out[p.Item] = p
		}
		return sqldb.FormatError(op, rows.Err())
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ShopOwner returns the subject who owns shop; "" for a shop the platform
// runs. Returns NotFound for an unknown shop.
func (s *Stock) ShopOwner(ctx context.Context, shop string) (minimall.SubjectID, error) {
	var owner string
	err := s.db.QueryRowContext(ctx, `SELECT owner FROM shops WHERE id = ?`, shop).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound("catalog.ShopOwner", "No such shop. 店铺不存在。")
	}
	return minimall.SubjectID(owner), sqldb.FormatError("catalog.ShopOwner", err)
}

// mergeWants adds up repeated items and sorts by item id.
func mergeWants(wants []Want) []Want {
	m := make(map[string]int64, len(wants))
	for _, w := range wants {
		m[w.Item] += w.Quantity
	}
	out := make([]Want, 0, len(m))
	for id, q := range m {
		out = append(out, Want{Item: id, Quantity: q})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Item < out[j].Item })
	return out
}

func crossBorder(attrs string) bool {
	if !strings.Contains(attrs, CrossBorderAttribute) {
		return false
	}
	var m map[string]string
	if json.Unmarshal([]byte(attrs), &m) != nil {
		return false
	}
	v := m[CrossBorderAttribute]
	return v == "是" || v == "true"
}
