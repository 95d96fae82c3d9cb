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
	"time"

	"minimall"
	"minimall/activity"
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
	canonical, _ := json.Marshal(req)
	reqHash := s.k.BlindIndex(privacy.OrderItems, canonical)
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

// place writes the orders of req in one group commit (sqldb.DB.Write),
// with the stock reserved inside it, so no two checkouts can take the
// same unit. It returns the orders as they were stored: reading them back
// would open every sealed value again. A concurrent checkout with the same
// key makes the checkouts insert fail with Conflict, undoing the rest.
func (s *Service) place(ctx context.Context, a minimall.Actor, req PlaceRequest, reqHash []byte) ([]*Order, error) {
	const op = "order.Place"
	var orders []*Order
	err := s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		wants, err := s.wants(ctx, tx, a, req)
		if err != nil {
			return err
		}
		priced, err := s.catalog.Reserve(ctx, tx, wants)
		if err != nil {
			return err
		}
		if err := req.ValidateGoods(priced); err != nil {
			return err
		}
		if orders, err = s.insertOrders(ctx, tx, a, req, groupByShop(priced)); err != nil {
			return err
		}
		ids, items := make([]string, len(orders)), []string{}
		for i, o := range orders {
			ids[i] = o.ID
			for _, l := range o.Lines {
				items = append(items, l.Item)
			}
		}
		if err := activity.Emit(ctx, tx, activity.Order, items...); err != nil { // the hot list, counted from everyone
			return err
		}
		if req.IdempotencyKey != "" {
			list, _ := json.Marshal(ids)
			if _, err := tx.ExecContext(ctx, `INSERT INTO checkouts (subject, idem_key, request_hash, orders, created_at) VALUES (?, ?, ?, ?, ?)`,
				string(a.Subject), idemIndex(a.Subject, req.IdempotencyKey), reqHash, string(list), sqldb.Micros(tx.Now())); err != nil {
				return sqldb.FormatError(op, err)
			}
		}
		return outbox.Emit(ctx, tx, TopicPlaced, a.Subject, Placed{Orders: ids})
	})
	return orders, err
}

// wants is what the order takes: the cart's lines or the items to buy now.
func (s *Service) wants(ctx context.Context, tx *sqldb.Tx, a minimall.Actor, req PlaceRequest) ([]catalog.Want, error) {
	var wants []catalog.Want
	if req.FromCart {
		taken, err := s.cart.Take(ctx, tx, a, req.CartItems)
		if err != nil {
			return nil, err
		}
		for _, t := range taken {
			wants = append(wants, catalog.Want{Item: t.Item, Quantity: t.Quantity})
		}
		return wants, nil
	}
	for _, l := range req.Items {
		wants = append(wants, catalog.Want{Item: l.Item, Quantity: l.Quantity})
	}
	return wants, nil
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

func (s *Service) insertOrders(ctx context.Context, tx *sqldb.Tx, a minimall.Actor, req PlaceRequest, groups [][]Line) ([]*Order, error) {
	const op = "order.Place"
	orders := make([]*Order, 0, len(groups))
	now := tx.Now()
	for _, lines := range groups {
		id := minimall.NewRowID("o_")
		var total int64
		for _, l := range lines {
			total += l.PriceFen * l.Quantity
		}
		discounts := []Discount{} // no promotions yet; the field is kept so reconciliation sees them when there are
		amount := total
		items, _ := json.Marshal(lines)
		disc, _ := json.Marshal(discounts)
		rc := req.Recipient
		consent := ""
		if req.ForSomeoneElse {
			consent = "confirmed " + now.Format(time.RFC3339)
		}
		var customsName, customsNumber string
		if req.CustomsID != nil {
			customsName, customsNumber = req.CustomsID.Name, req.CustomsID.Number
		}
		o := &Order{ID: id, Number: newNumber(now), Status: PendingPayment, Shop: lines[0].Shop, CreatedAt: now, Lines: lines,
			Discounts: discounts, TotalFen: total, AmountFen: amount, Recipient: rc, Remark: req.Remark, ForSomeoneElse: req.ForSomeoneElse,
			CrossBorder: customsNumber != "", CustomsDeclared: customsNumber != ""}
		v, err := s.k.Guard().SealTableRow(ctx, ordersTable, a.Subject, id, map[privacy.Field]string{
			privacy.OrderNumber: o.Number, privacy.OrderItems: string(items), privacy.OrderTime: now.Format(time.RFC3339Nano),
			privacy.OrderDiscounts: string(disc), privacy.OrderAmount: strconv.FormatInt(amount, 10),
			privacy.RecipientName: rc.Name, privacy.RecipientAddress: rc.Address, privacy.RecipientPhone: rc.Phone,
			privacy.ExtraPhone: rc.ExtraPhone, privacy.DeliveryTime: rc.DeliveryTime, privacy.OrderRemark: req.Remark,
			privacy.RecipientConsent: consent, privacy.CustomsIDName: customsName, privacy.CustomsIDNumber: customsNumber,
		})
		if err != nil {
			return nil, err
		}
		args := append([]any{id, string(a.Subject), lines[0].Shop, string(PendingPayment), boolInt(customsNumber != ""), sqldb.Micros(now), sqldb.Micros(now)}, v.Args...)
		if _, err := tx.ExecContext(ctx, `INSERT INTO orders (id, subject, shop, status, cross_border, created_at, updated_at, `+v.Columns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, `+v.Marks+`)`, args...); err != nil {
			return nil, sqldb.FormatError(op, err)
		}
		if inv := req.Invoice; req.InvoiceRequested && inv != nil {
			iv, err := s.k.Guard().SealTableRow(ctx, invoicesTable, a.Subject, id, map[privacy.Field]string{
				privacy.InvoiceTitle: inv.Title, privacy.InvoiceTaxpayerID: inv.TaxpayerID, privacy.InvoiceEmail: inv.Email})
			if err != nil {
				return nil, err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO invoices (order_id, subject, created_at, `+iv.Columns+`) VALUES (?, ?, ?, `+iv.Marks+`)`,
				append([]any{id, string(a.Subject), sqldb.Micros(now)}, iv.Args...)...); err != nil {
				return nil, sqldb.FormatError(op, err)
			}
			o.Invoice = inv
		}
		orders = append(orders, o)
	}
	return orders, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
