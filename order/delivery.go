package order

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"minimall"
	"minimall/outbox"
	"minimall/partner"
	"minimall/privacy"
	"minimall/sqldb"
)

// Shipment is an order's parcel at the logistics partner.
type Shipment struct {
	ID        string          `json:"id"`
	WaybillNo string          `json:"waybill_no"`
	Events    []TrackingEvent `json:"events"`
}

// TrackingEvent is one step of delivery (交付进度及状态).
type TrackingEvent struct {
	Status      string    `json:"status"` // created, in_transit, delivered
	Description string    `json:"description,omitempty"`
	At          time.Time `json:"at"`
}

// Partner operation and callback path of delivery.
const (
	opShipmentCreate = "logistics/shipments"
	// TrackingPath is where the logistics partner reports progress.
	TrackingPath = "/api/v1/partners/logistics/tracking"
)

// sellerOf checks that a (a signed-in shopper) owns the order's shop and
// returns the seller actor the guard sees. Another shop's order is
// NotFound, as it is not the caller's to know of.
func (s *Service) sellerOf(ctx context.Context, a minimall.Actor, r *orderRow, op string) (minimall.Actor, error) {
	owner, err := s.catalog.ShopOwner(ctx, r.shop)
	if err != nil && !minimall.IsCode(err, minimall.NotFound) {
		return a, err
	}
	if owner == "" || owner != a.Subject {
		return a, noOrder(op)
	}
	return minimall.Actor{Kind: minimall.Seller, ID: string(a.Subject), Shop: r.shop, Reason: a.Reason}, nil
}

// SellerOrder returns what the seller of an order sees of it: the items
// and the recipient, opened through the guard as a seller for delivery —
// never the buyer's account, the invoice, the remark or the customs ID.
func (s *Service) SellerOrder(ctx context.Context, a minimall.Actor, id string) (*SellerView, error) {
	const op = "order.SellerOrder"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	r, err := loadOrder(ctx, s.db, id, "")
	if err != nil {
		return nil, err
	}
	seller, err := s.sellerOf(ctx, a, r, op)
	if err != nil {
		return nil, err
	}
	fields := []privacy.Field{privacy.OrderItems, privacy.RecipientName, privacy.RecipientAddress,
		privacy.RecipientPhone, privacy.ExtraPhone, privacy.DeliveryTime}
	if closedForSeller(r.status) {
		// The seller's use of the recipient ends with the order (三(五)1):
		// what was bought stays, who it went to does not.
		fields = fields[:1]
	}
	v, err := s.open(ctx, seller, r, privacy.ForDelivery, fields...)
	if err != nil {
		return nil, err
	}
	sv := &SellerView{ID: r.id, Status: r.status, Shop: r.shop, Recipient: Recipient{Name: v[privacy.RecipientName],
		Address: v[privacy.RecipientAddress], Phone: v[privacy.RecipientPhone], ExtraPhone: v[privacy.ExtraPhone], DeliveryTime: v[privacy.DeliveryTime]}}
	sv.Lines, err = parseLines(v[privacy.OrderItems])
	return sv, err
}

// ShopOrder is a line of a seller's order list: ids and states only.
type ShopOrder struct {
	ID        string    `json:"id"`
	Status    Status    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// ShopOrders lists the orders of a shop the caller owns, newest first.
func (s *Service) ShopOrders(ctx context.Context, a minimall.Actor, shop string, page int) ([]ShopOrder, error) {
	const op = "order.ShopOrders"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	if page < 1 || page > 10_000 {
		return nil, invalid(op, "page is from 1 to 10000. 页码须为1至10000。")
	}
	if _, err := s.sellerOf(ctx, a, &orderRow{shop: shop}, op); err != nil {
		return nil, minimall.Errorf(minimall.NotFound, op, "No such shop. 店铺不存在。")
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, status, created_at FROM orders WHERE shop = ? ORDER BY created_at DESC, id LIMIT ? OFFSET ?`,
		shop, PageSize, (page-1)*PageSize)
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	defer rows.Close()
	out := []ShopOrder{}
	for rows.Next() {
		var o ShopOrder
		var st string
		var at int64
		if err := rows.Scan(&o.ID, &st, &at); err != nil {
			return nil, sqldb.FormatError(op, err)
		}
		o.Status, o.CreatedAt = Status(st), sqldb.FromMicros(at)
		out = append(out, o)
	}
	return out, sqldb.FormatError(op, rows.Err())
}

// Ship hands a paid order to the logistics partner: it receives the
// recipient's name, address and phone and the parcel contents, and
// nothing else (三(一)5(1)B). Returns NotFound for an order not of the
// caller's shop, Conflict for one not paid, Unavailable when the partner
// cannot be reached.
func (s *Service) Ship(ctx context.Context, a minimall.Actor, id, requestID string) (*Shipment, error) {
	const op = "order.Ship"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	r, err := loadOrder(ctx, s.db, id, "")
	if err != nil {
		return nil, err
	}
	seller, err := s.sellerOf(ctx, a, r, op)
	if err != nil {
		return nil, err
	}
	if r.status != Paid {
		return nil, minimall.Errorf(minimall.Conflict, op, "Only a paid order ships. 仅已付款订单可发货。")
	}
	v, err := s.open(ctx, seller, r, privacy.ForDelivery, privacy.OrderItems, privacy.RecipientName, privacy.RecipientAddress, privacy.RecipientPhone)
	if err != nil {
		return nil, err
	}
	lines, err := parseLines(v[privacy.OrderItems])
	if err != nil {
		return nil, err
	}
	// The parcel contents: titles and quantities, no prices.
	contents := make([]string, len(lines))
	for i, l := range lines {
		contents[i] = fmt.Sprintf("%s ×%d", l.Title, l.Quantity)
	}
	// One shipment per order, named after it, under one idempotency key:
	// a seller's retry after an answer that got lost (a timeout, garbage)
	// gets the first waybill back instead of a second parcel, and the
	// partner's tracking notices name the shipment that is stored.
	sh := &Shipment{ID: "sp_" + strings.TrimPrefix(r.id, "o_")}
	answer, err := s.gw.Send(ctx, partner.Disclosure{
		Partner: privacy.PartnerLogistics, Purpose: privacy.ForDelivery, Subject: r.subject, Operation: opShipmentCreate,
		Fields: map[privacy.Field]string{
			privacy.RecipientName: v[privacy.RecipientName], privacy.RecipientAddress: v[privacy.RecipientAddress],
			privacy.RecipientPhone: v[privacy.RecipientPhone], privacy.OrderItems: strings.Join(contents, "; "),
		},
		Params:    map[string]any{"shipment_id": sh.ID, "callback_url": s.callback(TrackingPath)},
		RequestID: requestID, IdempotencyKey: "ship:" + r.id,
	})
	if err != nil {
		return nil, err
	}
	var ans struct {
		WaybillNo string `json:"waybill_no"`
	}
	if err := json.Unmarshal(answer, &ans); err != nil || ans.WaybillNo == "" {
		return nil, &minimall.Error{Code: minimall.Unavailable, Op: op, Message: "The logistics service gave no waybill number. 物流服务未返回运单号。", Err: err}
	}
	sh.WaybillNo = ans.WaybillNo
	// Sealed before the write (sqldb: seal outside the write), which moves
	// the order only if it is still paid (setStatus: Conflict if not).
	sh.Events = []TrackingEvent{{Status: "created", At: s.db.Now()}}
	tracking, _ := json.Marshal(sh.Events)
	row, err := s.k.Guard().SealTableRow(ctx, shipmentsTable, r.subject, sh.ID, map[privacy.Field]string{privacy.DeliveryTracking: string(tracking)})
	if err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		now := sqldb.Micros(tx.Now())
		if _, err := tx.ExecContext(ctx, `INSERT INTO shipments (id, order_id, subject, waybill_no, created_at, updated_at, `+row.Columns+`)
			VALUES (?, ?, ?, ?, ?, ?, `+row.Marks+`)`, append([]any{sh.ID, r.id, string(r.subject), sh.WaybillNo, now, now}, row.Args...)...); err != nil {
			return sqldb.FormatError(op, err)
		}
		if err := setStatus(ctx, tx, r.id, Paid, Shipped); err != nil {
			return err
		}
		return outbox.Emit(ctx, tx, TopicChanged, r.subject, map[string]string{"order": r.id, "status": string(Shipped)})
	})
	if err != nil {
		return nil, err
	}
	return sh, nil
}

// TrackingNotice is the logistics partner's signed report of progress.
type TrackingNotice struct {
	ShipmentID  string `json:"shipment_id"`
	WaybillNo   string `json:"waybill_no"`
	Status      string `json:"status"` // in_transit, delivered
	Description string `json:"description"`
	At          string `json:"at"` // RFC 3339
}

// VerifyTrackingCallback checks a callback's signature with the logistics
// partner's key, and that it was not received before.
func (s *Service) VerifyTrackingCallback(ctx context.Context, c Callback) error {
	return s.verifyCallback(ctx, s.cfg.LogisticsKey, c)
}

// TrackingNotified appends a verified progress report to the shipment;
// "delivered" completes the order. Returns NotFound for an unknown
// shipment, Invalid for an unknown status.
func (s *Service) TrackingNotified(ctx context.Context, n TrackingNotice) error {
	const op = "order.TrackingNotified"
	if n.Status != "in_transit" && n.Status != "delivered" {
		return invalid(op, "Unknown delivery status. 未知的物流状态。")
	}
	at, err := time.Parse(time.RFC3339, n.At)
	if err != nil || !text(n.Description, 0, 200) {
		return invalid(op, "Malformed tracking report. 物流信息格式错误。")
	}
	// A report crossing others on the same shipment is read again, once
	// for each that was stored first: every report is kept, as when the
	// write read the tracking itself.
	for try := 0; try < 8; try++ {
		moved, err := s.track(ctx, n, at.UTC())
		if !moved {
			return err
		}
	}
	return minimall.Errorf(minimall.Conflict, op, "The shipment changed as the report arrived; send it again. 物流信息已变动，请重新发送。")
}

// track is one try of TrackingNotified. The shipment's tracking is read,
// opened, extended and sealed again before the write (sqldb: seal outside
// the write); the write stores it only over the value it read, a
// compare-and-set: moved reports that another report was stored in
// between, and nothing was written.
func (s *Service) track(ctx context.Context, n TrackingNotice, at time.Time) (moved bool, err error) {
	const op = "order.TrackingNotified"
	var orderID, subject string
	var stored []byte
	err = s.db.QueryRowContext(ctx, `SELECT order_id, subject, tracking_sealed FROM shipments WHERE id = ? AND waybill_no = ?`, n.ShipmentID, n.WaybillNo).
		Scan(&orderID, &subject, &stored)
	if errors.Is(err, sql.ErrNoRows) {
		return false, minimall.Errorf(minimall.NotFound, op, "No such shipment. 运单不存在。")
	}
	if err != nil {
		return false, sqldb.FormatError(op, err)
	}
	sub := minimall.SubjectID(subject)
	sealed, err := s.extendTracking(ctx, sub, n.ShipmentID, stored, TrackingEvent{Status: n.Status, Description: n.Description, At: at})
	if err != nil || sealed == nil {
		return false, err // nil: a report the timeline has already
	}
	var kept retention // a delivered order's record, kept for the legal period from now
	if n.Status == "delivered" {
		if kept, err = s.prepareRetention(ctx, orderID, sub, s.db.Now(), map[string][]byte{"shipments.tracking_sealed": sealed}); err != nil {
			return false, err
		}
	}
	err = s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE shipments SET tracking_sealed = ?, updated_at = ? WHERE id = ? AND tracking_sealed = ?`,
			sealed, sqldb.Micros(tx.Now()), n.ShipmentID, stored)
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		if changed, _ := res.RowsAffected(); changed == 0 {
			moved = true
			return nil
		}
		if n.Status != "delivered" {
			return nil
		}
		return delivered(ctx, tx, orderID, sub, kept)
	})
	return moved, err
}

// extendTracking opens a shipment's stored tracking, places e in it and
// seals it again; nil when the timeline has e already (addEvent).
func (s *Service) extendTracking(ctx context.Context, sub minimall.SubjectID, shipment string, stored []byte, e TrackingEvent) ([]byte, error) {
	sys := minimall.SystemActor("logistics-notice")
	plain, err := s.k.Guard().Open(ctx, sys, sub, privacy.DeliveryTracking, privacy.ForDelivery, shipment, stored)
	if err != nil {
		return nil, err
	}
	var events []TrackingEvent
	if err := json.Unmarshal(plain, &events); err != nil {
		return nil, fmt.Errorf("order.TrackingNotified: decode tracking: %w", err)
	}
	events, added := addEvent(events, e)
	if !added {
		return nil, nil
	}
	b, _ := json.Marshal(events)
	return s.k.Guard().Seal(ctx, sub, privacy.DeliveryTracking, shipment, b)
}

// addEvent places e in the timeline. Partners send reports again and out
// of order: a report the timeline has (the same status, time and words)
// or a second delivery changes nothing, and a report arriving after the
// delivery goes before it, which ends the timeline. Otherwise reports keep
// the order they arrived in: the partner's clock and minimall's differ.
func addEvent(events []TrackingEvent, e TrackingEvent) ([]TrackingEvent, bool) {
	end := len(events)
	for i, x := range events {
		if x.Status == e.Status && (e.Status == "delivered" || x.At.Equal(e.At) && x.Description == e.Description) {
			return events, false
		}
		if x.Status == "delivered" {
			end = i
		}
	}
	return slices.Insert(events, end, e), true
}

// delivered completes a shipped order inside the write that recorded its
// delivery (a repeated report finds it completed already) and stores its
// record as kept for the legal period.
func delivered(ctx context.Context, tx *sqldb.Tx, orderID string, sub minimall.SubjectID, kept retention) error {
	if err := setStatus(ctx, tx, orderID, Shipped, Delivered); err != nil && !minimall.IsCode(err, minimall.Conflict) {
		return err
	}
	if err := kept.store(ctx, tx); err != nil { // retention.go
		return err
	}
	return outbox.Emit(ctx, tx, TopicChanged, sub, map[string]string{"order": orderID, "status": string(Delivered)})
}

// shipmentOf returns the order's shipment, or nil.
func (s *Service) shipmentOf(ctx context.Context, a minimall.Actor, r *orderRow) (*Shipment, error) {
	const op = "order.shipment"
	sh := &Shipment{}
	var sealed []byte
	err := s.db.QueryRowContext(ctx, `SELECT id, waybill_no, tracking_sealed FROM shipments WHERE order_id = ?`, r.id).Scan(&sh.ID, &sh.WaybillNo, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	plain, err := s.k.Guard().Open(ctx, a, r.subject, privacy.DeliveryTracking, privacy.ForOrder, sh.ID, sealed)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(plain, &sh.Events); err != nil {
		return nil, fmt.Errorf("%s: decode tracking: %w", op, err)
	}
	return sh, nil
}

// closedForSeller reports whether an order is over for its seller: the
// parcel arrived, or the order was cancelled or refunded.
func closedForSeller(st Status) bool {
	return st == Delivered || st == Cancelled || st == Refunded
}
