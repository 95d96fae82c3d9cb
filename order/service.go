package order

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"sync/atomic"
	"time"

	"minimall"
	"minimall/activity"
	"minimall/cart"
	"minimall/catalog"
	"minimall/outbox"
	"minimall/partner"
	"minimall/privacy"
	"minimall/sqldb"
)

// Change-feed topics of orders; payloads hold ids and statuses only.
const (
	TopicPlaced  = "order.placed"
	TopicChanged = "order.changed"
)

// Placed is the payload of TopicPlaced: the orders one checkout made.
type Placed struct {
	Orders []string `json:"orders"`
}

// Config holds the keys that check the partners' signed callbacks (their
// answer keys, partner.Endpoint.VerifyKey) and where partners call back.
//
// NB: the keys are secrets; never log them.
type Config struct {
	PaymentKey   []byte
	LogisticsKey []byte
	// CallbackBase is minimall's own base URL, which payment and logistics
	// partners call back on.
	CallbackBase string
}

// Service places orders and takes them through payment and delivery.
type Service struct {
	db      *sqldb.DB
	k       *privacy.Kernel
	catalog Catalog
	cart    Cart
	gw      *partner.Gateway
	cfg     Config
	// noncesSwept is when (unix µs) old callback nonces were last deleted.
	noncesSwept atomic.Int64
}

// NewService returns the order service.
func NewService(db *sqldb.DB, k *privacy.Kernel, cat Catalog, c Cart, gw *partner.Gateway, cfg Config) *Service {
	return &Service{db: db, k: k, catalog: cat, cart: c, gw: gw, cfg: cfg}
}

func (s *Service) callback(path string) string { return s.cfg.CallbackBase + path }

// idemIndex names an Idempotency-Key of a person without keeping the key.
func idemIndex(subject minimall.SubjectID, key string) []byte {
	h := sha256.Sum256([]byte(string(subject) + "\x00" + key))
	return h[:]
}

// newNumber returns an order number: date and 12 random digits.
func newNumber(t time.Time) string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000_000_000))
	if err != nil {
		panic("order: crypto/rand failed: " + err.Error())
	}
	return fmt.Sprintf("%s%012d", t.Format("20060102"), n.Int64())
}

// Place places the order(s) of req: one per shop, as a seller ships its
// own goods. Stock is reserved in the same write, so an order exists only
// with its stock. With an idempotency key, a retry of the same request
// answers with the orders first placed (replayed is true); the same key
// with a different request is a Conflict.
//
// Returns Unauthorized for a visitor; Invalid for a malformed request, an
// empty cart, invoice data without an invoice, or a customs ID without
// cross-border goods (or none with them); NotFound for an unknown item or
// cart line; Conflict for too little stock.
func (s *Service) Place(ctx context.Context, a minimall.Actor, req PlaceRequest, idemKey string) (orders []*Order, replayed bool, err error) {
	if err := minimall.SignedIn(a, "order.Place"); err != nil {
		return nil, false, err
	}
	req.IdempotencyKey = idemKey
	if err := req.Validate(); err != nil {
		return nil, false, err
	}
	var reqHash []byte // what a retry with the same key must repeat
	if idemKey != "" {
		canonical, _ := json.Marshal(req)
		reqHash = s.k.BlindIndex(privacy.OrderItems, canonical)
	}
	if ids, err := s.priorCheckout(ctx, a, idemKey, reqHash); ids != nil || err != nil {
		return s.replay(ctx, a, ids, err)
	}
	orders, err = s.place(ctx, a, req, reqHash)
	if idemKey != "" && minimall.IsCode(err, minimall.Conflict) {
		// A concurrent retry with the same key won the race: answer with
		// its orders.
		if ids, perr := s.priorCheckout(ctx, a, idemKey, reqHash); ids != nil || perr != nil {
			return s.replay(ctx, a, ids, perr)
		}
	}
	return orders, false, err
}

// priorCheckout returns the orders of an earlier checkout with the same
// key, nil when there is none (or no key), and Conflict when the key was
// used for a different request.
func (s *Service) priorCheckout(ctx context.Context, a minimall.Actor, key string, reqHash []byte) ([]string, error) {
	const op = "order.Place"
	if key == "" {
		return nil, nil
	}
	var hash []byte
	var list string
	err := s.db.QueryRowContext(ctx, `SELECT request_hash, orders FROM checkouts WHERE subject = ? AND idem_key = ?`,
		string(a.Subject), idemIndex(a.Subject, key)).Scan(&hash, &list)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	if string(hash) != string(reqHash) {
		return nil, minimall.Errorf(minimall.Conflict, op, "This Idempotency-Key was used for a different order. 该幂等键已用于另一笔订单。")
	}
	var ids []string
	if err := json.Unmarshal([]byte(list), &ids); err != nil {
		return nil, fmt.Errorf("%s: decode checkout: %w", op, err)
	}
	return ids, nil
}

// replay answers a repeated checkout with the orders it placed first.
func (s *Service) replay(ctx context.Context, a minimall.Actor, ids []string, err error) ([]*Order, bool, error) {
	if err != nil {
		return nil, false, err
	}
	orders := make([]*Order, 0, len(ids))
	for _, id := range ids {
		o, err := s.FindByID(ctx, a, id)
		if err != nil {
			return nil, false, err
		}
		orders = append(orders, o)
	}
	return orders, true, nil
}

// place writes the orders of req in one write (sqldb.DB.Write). Every
// value is read and sealed before it: the cart's lines, the items' current
// prices, the orders' rows; the write only takes the cart lines and the
// stock and inserts the rows, so the single writer never waits on the
// guard. The stock is reserved inside the write, so no two checkouts can
// take the same unit; if the reservation finds anything but what was
// quoted (a price changed in between), the order is refused with Conflict
// and the shopper confirms again. A concurrent checkout with the same key
// makes the checkouts insert fail with Conflict, undoing the rest. It
// returns the orders as they were stored: reading them back would open
// every sealed value again.
func (s *Service) place(ctx context.Context, a minimall.Actor, req PlaceRequest, reqHash []byte) ([]*Order, error) {
	const op = "order.Place"
	lines, wants, err := s.wants(ctx, a, req)
	if err != nil {
		return nil, err
	}
	quoted, err := s.catalog.Quote(ctx, wants)
	if err != nil {
		return nil, err
	}
	if err := req.ValidateGoods(quoted); err != nil {
		return nil, err
	}
	rows, err := s.sealOrders(ctx, a, req, groupByShop(quoted), s.db.Now())
	if err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if lines != nil {
			if err := s.cart.Take(ctx, tx, a, lines); err != nil {
				return err
			}
		}
		reserved, err := s.catalog.Reserve(ctx, tx, wants)
		if err != nil {
			return err
		}
		if !catalog.Same(quoted, reserved) {
			return minimall.Errorf(minimall.Conflict, op, "An item's price or details changed as you ordered; look at the order again. 下单时商品价格或信息已变动，请重新确认订单。")
		}
		return s.insertOrders(ctx, tx, a, req, rows, reqHash)
	})
	if err != nil {
		return nil, err
	}
	orders := make([]*Order, len(rows))
	for i, r := range rows {
		orders[i] = r.order
	}
	return orders, nil
}

// wants is what the order takes: the cart's lines (returned too, for the
// write to take) or the items to buy now.
func (s *Service) wants(ctx context.Context, a minimall.Actor, req PlaceRequest) ([]cart.Taken, []catalog.Want, error) {
	var wants []catalog.Want
	if req.FromCart {
		lines, err := s.cart.Lines(ctx, a, req.CartItems)
		if err != nil {
			return nil, nil, err
		}
		for _, t := range lines {
			wants = append(wants, catalog.Want{Item: t.Item, Quantity: t.Quantity})
		}
		return lines, wants, nil
	}
	for _, l := range req.Items {
		wants = append(wants, catalog.Want{Item: l.Item, Quantity: l.Quantity})
	}
	return nil, wants, nil
}

func groupByShop(priced []catalog.Priced) [][]Line {
	by := map[string][]Line{}
	for _, p := range priced {
		by[p.Shop] = append(by[p.Shop], Line{Item: p.Item, Title: p.Title, Shop: p.Shop, PriceFen: p.PriceFen, Quantity: p.Quantity})
	}
	shops := make([]string, 0, len(by))
	for sh := range by {
		shops = append(shops, sh)
	}
	sort.Strings(shops)
	out := make([][]Line, len(shops))
	for i, sh := range shops {
		out[i] = by[sh]
	}
	return out
}

// sealedOrder is one order sealed for its write: the order as the answer
// shows it, its row, and its invoice's row when one was asked for.
type sealedOrder struct {
	order   *Order
	row     privacy.SealedRow
	invoice *privacy.SealedRow
	// recipientIndex is the blind index of the recipient's phone, by which
	// a recipient without an account finds the orders naming them (四).
	recipientIndex []byte
}

// sealOrders builds and seals the orders of req, one per shop's lines,
// created at now.
func (s *Service) sealOrders(ctx context.Context, a minimall.Actor, req PlaceRequest, groups [][]Line, now time.Time) ([]sealedOrder, error) {
	out := make([]sealedOrder, 0, len(groups))
	for _, lines := range groups {
		o := newOrder(req, lines, now)
		r, err := s.sealOrder(ctx, a, req, o)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// newOrder is the order of one shop's lines.
func newOrder(req PlaceRequest, lines []Line, now time.Time) *Order {
	var total int64
	for _, l := range lines {
		total += l.PriceFen * l.Quantity
	}
	cross := req.CustomsID != nil && req.CustomsID.Number != ""
	return &Order{ID: minimall.NewRowID("o_"), Number: newNumber(now), Status: PendingPayment, Shop: lines[0].Shop, CreatedAt: now, Lines: lines,
		Discounts: []Discount{}, // no promotions yet; the field is kept so reconciliation sees them when there are
		TotalFen:  total, AmountFen: total, Recipient: req.Recipient, Remark: req.Remark, ForSomeoneElse: req.ForSomeoneElse,
		CrossBorder: cross, CustomsDeclared: cross}
}

func (s *Service) sealOrder(ctx context.Context, a minimall.Actor, req PlaceRequest, o *Order) (sealedOrder, error) {
	items, _ := json.Marshal(o.Lines)
	disc, _ := json.Marshal(o.Discounts)
	rc := o.Recipient
	consent := ""
	if req.ForSomeoneElse {
		consent = "confirmed " + o.CreatedAt.Format(time.RFC3339)
	}
	var customsName, customsNumber string
	if req.CustomsID != nil {
		customsName, customsNumber = req.CustomsID.Name, req.CustomsID.Number
	}
	row, err := s.k.Guard().SealTableRow(ctx, ordersTable, a.Subject, o.ID, map[privacy.Field]string{
		privacy.OrderNumber: o.Number, privacy.OrderItems: string(items), privacy.OrderTime: o.CreatedAt.Format(time.RFC3339Nano),
		privacy.OrderDiscounts: string(disc), privacy.OrderAmount: strconv.FormatInt(o.AmountFen, 10),
		privacy.RecipientName: rc.Name, privacy.RecipientAddress: rc.Address, privacy.RecipientPhone: rc.Phone,
		privacy.ExtraPhone: rc.ExtraPhone, privacy.DeliveryTime: rc.DeliveryTime, privacy.OrderRemark: req.Remark,
		privacy.RecipientConsent: consent, privacy.CustomsIDName: customsName, privacy.CustomsIDNumber: customsNumber,
	})
	if err != nil {
		return sealedOrder{}, err
	}
	r := sealedOrder{order: o, row: row, recipientIndex: s.recipientIndex(rc.Phone)}
	if inv := req.Invoice; req.InvoiceRequested && inv != nil {
		iv, err := s.k.Guard().SealTableRow(ctx, invoicesTable, a.Subject, o.ID, map[privacy.Field]string{
			privacy.InvoiceTitle: inv.Title, privacy.InvoiceTaxpayerID: inv.TaxpayerID, privacy.InvoiceEmail: inv.Email})
		if err != nil {
			return sealedOrder{}, err
		}
		r.invoice, o.Invoice = &iv, inv
	}
	return r, nil
}

// insertOrders writes the sealed orders, announces them (the person's
// event names the orders; the hot list's names no one) and, with an
// idempotency key, remembers the checkout.
func (s *Service) insertOrders(ctx context.Context, tx *sqldb.Tx, a minimall.Actor, req PlaceRequest, rows []sealedOrder, reqHash []byte) error {
	const op = "order.Place"
	ids, items := make([]string, len(rows)), []string{}
	for i, r := range rows {
		if err := r.insert(ctx, tx, a.Subject); err != nil {
			return err
		}
		ids[i] = r.order.ID
		for _, l := range r.order.Lines {
			items = append(items, l.Item)
		}
	}
	activity.Emit(tx, activity.Order, items...)
	if req.IdempotencyKey != "" {
		list, _ := json.Marshal(ids)
		if _, err := tx.ExecContext(ctx, `INSERT INTO checkouts (subject, idem_key, request_hash, orders, created_at) VALUES (?, ?, ?, ?, ?)`,
			string(a.Subject), idemIndex(a.Subject, req.IdempotencyKey), reqHash, string(list), sqldb.Micros(tx.Now())); err != nil {
			return sqldb.FormatError(op, err)
		}
	}
	return outbox.Emit(ctx, tx, TopicPlaced, a.Subject, Placed{Orders: ids})
}

// insert writes one sealed order and its invoice.
func (r sealedOrder) insert(ctx context.Context, tx *sqldb.Tx, subject minimall.SubjectID) error {
	const op = "order.Place"
	o, at := r.order, sqldb.Micros(r.order.CreatedAt)
	args := append([]any{o.ID, string(subject), o.Shop, string(PendingPayment), boolInt(o.CrossBorder), at, at, r.recipientIndex}, r.row.Args...)
	if _, err := tx.ExecContext(ctx, `INSERT INTO orders (id, subject, shop, status, cross_border, created_at, updated_at, recipient_phone_index, `+r.row.Columns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, `+r.row.Marks+`)`, args...); err != nil {
		return sqldb.FormatError(op, err)
	}
	if iv := r.invoice; iv != nil {
		if _, err := tx.ExecContext(ctx, `INSERT INTO invoices (order_id, subject, created_at, `+iv.Columns+`) VALUES (?, ?, ?, `+iv.Marks+`)`,
			append([]any{o.ID, string(subject), at}, iv.Args...)...); err != nil {
			return sqldb.FormatError(op, err)
		}
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
