package order

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"minimall"
	"minimall/catalog"
	"minimall/outbox"
	"minimall/partner"
	"minimall/privacy"
	"minimall/sqldb"
)

// Payment is an order's payment through the payment institution.
type Payment struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"` // direct, pay_for_me
	Status    string     `json:"status"`
	Channel   string     `json:"channel"`
	AmountFen int64      `json:"amount_fen"`
	TradeNo   string     `json:"trade_no,omitempty"`
	PayURL    string     `json:"pay_url,omitempty"` // where the payer confirms, at the institution
	PaidAt    *time.Time `json:"paid_at,omitempty"`
}

// channelAlipay is the one payment channel: a payment's default, and what
// a notice that names none is taken to mean.
const channelAlipay = "alipay"

// Payment statuses (sealed: 支付进度及状态).
const (
	PaymentCreated  = "created"
	PaymentPaid     = "paid"
	PaymentRefunded = "refunded"
)

// PayRequest starts a payment. PayForMe asks someone else to pay (三(一)5(1)A:
// the payer's Alipay account and/or phone number).
type PayRequest struct {
	Channel  string    `json:"channel,omitempty"` // alipay (default)
	PayForMe *PayForMe `json:"pay_for_me,omitempty"`
}

// PayForMe names the payer of a pay-for-me request.
type PayForMe struct {
	PayerPhone   string `json:"payer_phone,omitempty"`
	PayerAccount string `json:"payer_account,omitempty"`
}

// Partner operations and callback paths.
const (
	opPaymentCreate   = "payment/create"
	opPaymentPayForMe = "payment/pay-for-me"
	opPaymentRefund   = "payment/refund"
	// PaymentNotifyPath is where the payment institution reports payments.
	PaymentNotifyPath = "/api/v1/partners/payment/notify"
)

func (r *PayRequest) validate() error {
	const op = "order.Pay"
	if r.Channel == "" {
		r.Channel = channelAlipay
	}
	if r.Channel != channelAlipay {
		return invalid(op, "channel is alipay. 支付渠道须为 alipay。")
	}
	if p := r.PayForMe; p != nil {
		switch {
		case p.PayerPhone == "" && p.PayerAccount == "":
			return invalid(op, "Pay-for-me names the payer's phone or Alipay account. 代付须填写代付人的手机号或支付宝账户。")
		case p.PayerPhone != "" && !normalized(&p.PayerPhone):
			return invalid(op, "The payer's phone is an 11-digit mobile number. 代付人手机号须为11位。")
		case p.PayerAccount != "" && !text(p.PayerAccount, 3, 100):
			return invalid(op, "The payer's Alipay account has 3 to 100 characters. 代付人支付宝账户须为3至100个字符。")
		}
	}
	return nil
}

// Pay starts the payment of one of the caller's orders at the payment
// institution, which gets the order number and amount (and, for
// pay-for-me, the payer) through the gateway. With an idempotency key a
// retry answers with the same payment; an order has one payment.
//
// When the institution cannot be reached or answers garbage, the payment
// stays pending (created, with no trade number; startFailed): the
// institution may have opened the trade before its answer was lost. The
// next Pay of the order (a retry) finishes that same payment under the
// same key, so the institution opens one trade and the sharing list shows
// one hand-over.
//
// Returns NotFound for an order not the caller's, Conflict for an order
// not awaiting payment or already being paid, Denied (a guard denial) for
// a payer account without the separate consent it needs, Unavailable
// (with a Retry-After) when the institution cannot be reached.
func (s *Service) Pay(ctx context.Context, a minimall.Actor, orderID string, req PayRequest, idemKey, requestID string) (*Payment, bool, error) {
	const op = "order.Pay"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, false, err
	}
	if idemKey != "" && !ValidIdempotencyKey(idemKey) {
		return nil, false, invalid(op, "Idempotency-Key is 8-64 of A-Z a-z 0-9 . _ : -. 幂等键格式错误。")
	}
	if err := req.validate(); err != nil {
		return nil, false, err
	}
	r, err := loadSelected(ctx, s.db, orderID, a.Subject, orderToPay)
	if err != nil {
		return nil, false, err
	}
	if p, replayed, err := s.payAgain(ctx, a, r, req, idemKey, requestID); p != nil || err != nil {
		return p, replayed, err
	}
	if r.status != PendingPayment {
		return nil, false, minimall.Errorf(minimall.Conflict, op, "The order is not awaiting payment. 订单不是待付款状态。")
	}
	p := &Payment{ID: minimall.NewRowID("pay_"), Status: PaymentCreated, Channel: req.Channel}
	out, err := s.payment(ctx, a, r, p, req)
	if err != nil {
		return nil, false, err
	}
	out.RequestID = requestID
	// Sealed before the disclosure's write: a refusal comes before
	// anything is logged, and the single writer only writes.
	sealed, err := s.sealPayment(ctx, a, p, req.PayForMe)
	if err != nil {
		return nil, false, err
	}
	// The row is written with the disclosure's log, before anything is
	// sent, so the retry of a request in flight finds it and the
	// institution's notice finds its payment.
	inserted := false
	out.Within = func(ctx context.Context, tx *sqldb.Tx) error {
		err := s.insertPayment(ctx, tx, a, r, p, sealed, idemKey)
		inserted = err == nil
		return err
	}
	err = s.startPayment(ctx, p, out)
	if err != nil && !inserted && minimall.IsCode(err, minimall.Conflict) {
		if prior, replayed, perr := s.payAgain(ctx, a, r, req, idemKey, requestID); prior != nil || perr != nil {
			return prior, replayed, perr
		}
	}
	if err != nil && inserted {
		return nil, false, s.startFailed(ctx, p.ID, err)
	}
	if err != nil {
		return nil, false, err
	}
	return p, false, nil
}

// StrandedStart is how long after it was written a payment start without
// a trade number counts as cut off by a crash rather than in flight: well
// beyond the gateway's timeout and its retries.
const StrandedStart = time.Minute

// startFailed keeps the payment whose start failed with err as pending,
// for the next Pay to start again, when the institution may have got it
// (Unavailable); otherwise nothing left and the row goes, so the person
// can start afresh. It returns err.
func (s *Service) startFailed(ctx context.Context, paymentID string, err error) error {
	ctx = context.WithoutCancel(ctx)
	if minimall.IsCode(err, minimall.Unavailable) {
		if _, werr := s.db.ExecContext(ctx, `UPDATE payments SET start_failed = 1 WHERE id = ?`, paymentID); werr != nil {
			return errors.Join(err, werr)
		}
		return err
	}
	s.db.ExecContext(ctx, `DELETE FROM payments WHERE id = ?`, paymentID)
	return err
}

// payment fills in p's kind and amount from order r and returns the
// disclosure that starts it; its key is the payment's, the same on every
// try.
func (s *Service) payment(ctx context.Context, a minimall.Actor, r *orderRow, p *Payment, req PayRequest) (partner.Disclosure, error) {
	v, err := s.open(ctx, a, r, privacy.ForPayment, privacy.OrderNumber, privacy.OrderAmount)
	if err != nil {
		return partner.Disclosure{}, err
	}
	p.AmountFen, _ = strconv.ParseInt(v[privacy.OrderAmount], 10, 64)
	p.Kind = "direct"
	fields := map[privacy.Field]string{privacy.OrderNumber: v[privacy.OrderNumber], privacy.PaymentAmount: v[privacy.OrderAmount]}
	operation := opPaymentCreate
	if pf := req.PayForMe; pf != nil {
		p.Kind, operation = "pay_for_me", opPaymentPayForMe
		if pf.PayerPhone != "" {
			fields[privacy.PayerPhone] = pf.PayerPhone
		}
		if pf.PayerAccount != "" {
			fields[privacy.PayerAlipayAccount] = pf.PayerAccount
		}
	}
	return partner.Disclosure{
		Partner: privacy.PartnerPayment, Purpose: privacy.ForPayment, Subject: a.Subject, Operation: operation, Fields: fields,
		Params: map[string]any{"payment_id": p.ID, "channel": p.Channel, "notify_url": s.callback(PaymentNotifyPath),
			"return_url": s.callback("/orders/" + r.id)}, // where the cashier sends the payer back: the order's page
		IdempotencyKey: "pay:" + p.ID,
	}, nil
}

// startPayment sends d, which starts p, and writes the institution's trade
// number into p.
func (s *Service) startPayment(ctx context.Context, p *Payment, d partner.Disclosure) error {
	const op = "order.Pay"
	answer, err := s.gw.Send(ctx, d)
	if minimall.IsCode(err, minimall.Unavailable) {
		return &minimall.Error{Code: minimall.Unavailable, Op: op, Err: err, RetryAfter: partner.RetryAfter,
			Message: "The payment service is unavailable, so your payment is pending; pay again later to finish it (you are charged once). " +
				"支付机构暂不可用，付款待完成；请稍后再次支付以完成（只扣款一次）。"}
	}
	if err != nil {
		return err
	}
	var ans struct {
		TradeNo string `json:"trade_no"`
		PayURL  string `json:"pay_url"`
	}
	if err := json.Unmarshal(answer, &ans); err != nil || ans.TradeNo == "" {
		return &minimall.Error{Code: minimall.Unavailable, Op: op, Message: "The payment service gave no trade number. 支付机构未返回交易号。", Err: err, RetryAfter: partner.RetryAfter}
	}
	p.TradeNo, p.PayURL = ans.TradeNo, ans.PayURL
	// The trade number is written behind the answer, without waiting for
	// its commit: the institution's signed notice carries it again and
	// fills it in if this write is lost (PaymentNotified).
	if err := s.db.WriteBehind(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE payments SET trade_no = ?, updated_at = ? WHERE id = ? AND trade_no = ''`, p.TradeNo, sqldb.Micros(tx.Now()), p.ID)
		return err
	}); err != nil {
		return sqldb.FormatError(op, err)
	}
	return nil
}

// sealPayment seals the values of payment p's row.
func (s *Service) sealPayment(ctx context.Context, a minimall.Actor, p *Payment, pf *PayForMe) (privacy.SealedRow, error) {
	plain := map[privacy.Field]string{privacy.PaymentAmount: strconv.FormatInt(p.AmountFen, 10), privacy.PaymentChannel: p.Channel, privacy.PaymentStatus: p.Status}
	if pf != nil {
		plain[privacy.PayerPhone], plain[privacy.PayerAlipayAccount] = pf.PayerPhone, pf.PayerAccount
	}
	return s.k.Guard().SealTableRow(ctx, paymentsTable, a.Subject, p.ID, plain)
}

func (s *Service) insertPayment(ctx context.Context, tx *sqldb.Tx, a minimall.Actor, r *orderRow, p *Payment, v privacy.SealedRow, idemKey string) error {
	const op = "order.Pay"
	var idem []byte
	if idemKey != "" {
		idem = idemIndex(a.Subject, idemKey)
	}
	now := sqldb.Micros(tx.Now())
	_, err := tx.ExecContext(ctx, `INSERT INTO payments (id, order_id, subject, idem_key, kind, created_at, updated_at, `+v.Columns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, `+v.Marks+`)`, append([]any{p.ID, r.id, string(a.Subject), idem, p.Kind, now, now}, v.Args...)...)
	return sqldb.FormatError(op, err)
}

// payAgain answers a Pay of an order that has a payment: a payment whose
// start failed (startFailed) is started again, the same payment under the
// same key, whatever the request's key; one started answers a retry with
// the key it was made with. Conflict otherwise; nil,
// false, nil when the order has no payment.
func (s *Service) payAgain(ctx context.Context, a minimall.Actor, r *orderRow, req PayRequest, idemKey, requestID string) (*Payment, bool, error) {
	const op = "order.Pay"
	var idem []byte
	var id, kind, tradeNo string
	var startFailed int
	var created int64
	err := s.db.QueryRowContext(ctx, `SELECT id, idem_key, kind, start_failed, trade_no, created_at FROM payments WHERE order_id = ?`, r.id).
		Scan(&id, &idem, &kind, &startFailed, &tradeNo, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, sqldb.FormatError(op, err)
	}
	sameKey := idemKey != "" && string(idem) == string(idemIndex(a.Subject, idemKey))
	// A start with no answer recorded is finished again: one that failed,
	// or one a crash cut off (no trade number long after any call in flight
	// would have ended).
	stranded := tradeNo == "" && s.db.Now().Sub(sqldb.FromMicros(created)) > StrandedStart
	if (startFailed == 1 || stranded) && r.status == PendingPayment {
		p := &Payment{ID: id, Status: PaymentCreated, Channel: req.Channel}
		d, err := s.payment(ctx, a, r, p, req)
		if err != nil {
			return nil, false, err
		}
		if p.Kind != kind {
			return nil, false, minimall.Errorf(minimall.Conflict, op, "This order's payment was started another way; pay again the same way. 该订单已以另一种方式发起支付。")
		}
		d.RequestID = requestID
		if err := s.startPayment(ctx, p, d); err != nil {
			return nil, false, err
		}
		if _, err := s.db.ExecContext(ctx, `UPDATE payments SET start_failed = 0 WHERE id = ?`, p.ID); err != nil {
			return nil, false, sqldb.FormatError(op, err)
		}
		return p, sameKey, nil
	}
	if !sameKey {
		return nil, false, minimall.Errorf(minimall.Conflict, op, "This order already has a payment. 该订单已发起支付。")
	}
	p, err := s.paymentOf(ctx, a, r)
	return p, p != nil, err
}

// paymentOf returns the order's payment, or nil.
func (s *Service) paymentOf(ctx context.Context, a minimall.Actor, r *orderRow) (*Payment, error) {
	const op = "order.payment"
	p := &Payment{}
	var amount, channel, status, paidAt []byte
	err := s.db.QueryRowContext(ctx, `SELECT id, kind, trade_no, amount_sealed, channel_sealed, status_sealed, time_sealed FROM payments WHERE order_id = ?`, r.id).
		Scan(&p.ID, &p.Kind, &p.TradeNo, &amount, &channel, &status, &paidAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	items := []privacy.Sealed{{Field: privacy.PaymentAmount, Row: p.ID, Value: amount}, {Field: privacy.PaymentChannel, Row: p.ID, Value: channel},
		{Field: privacy.PaymentStatus, Row: p.ID, Value: status}}
	if paidAt != nil {
		items = append(items, privacy.Sealed{Field: privacy.PaymentTime, Row: p.ID, Value: paidAt})
	}
	opened := s.k.Guard().OpenAll(ctx, a, r.subject, privacy.ForOrder, items)
	for _, o := range opened {
		if o.Err != nil {
			return nil, o.Err
		}
	}
	p.AmountFen, _ = strconv.ParseInt(string(opened[0].Value), 10, 64)
	p.Channel, p.Status = string(opened[1].Value), string(opened[2].Value)
	if len(opened) > 3 {
		if t, err := time.Parse(time.RFC3339, string(opened[3].Value)); err == nil {
			p.PaidAt = &t
		}
	}
	return p, nil
}

// PaymentNotice is the institution's signed report of a payment.
type PaymentNotice struct {
	PaymentID string `json:"payment_id"`
	TradeNo   string `json:"trade_no"`
	Status    string `json:"status"` // paid
	AmountFen int64  `json:"amount_fen"`
	Channel   string `json:"channel"`
	PaidAt    string `json:"paid_at"` // RFC 3339
}

// Callback is a partner's signed callback as it arrived.
type Callback struct {
	Timestamp, Nonce, Signature, Path string
	Body                              []byte
}

// VerifyPaymentCallback checks a callback's signature with the payment
// institution's key, and that it was not received before.
func (s *Service) VerifyPaymentCallback(ctx context.Context, c Callback) error {
	return s.verifyCallback(ctx, s.cfg.PaymentKey, c)
}

// verifyCallback checks c's signature with key, then remembers its nonce:
// a signed callback sent again within the signature's window (a replay,
// or a partner's retry that did not sign anew) is refused as Conflict.
func (s *Service) verifyCallback(ctx context.Context, key []byte, c Callback) error {
	const op = "order.callback"
	if len(key) == 0 {
		return minimall.Errorf(minimall.Unavailable, op, "Callbacks are not configured. 未配置回调。")
	}
	if err := partner.VerifyRequest(key, c.Timestamp, c.Nonce, c.Signature, "POST", c.Path, c.Body, time.Now()); err != nil {
		return &minimall.Error{Code: minimall.Unauthorized, Op: op, Message: "Bad or missing partner signature. 合作方签名无效。", Err: err}
	}
	// Wall-clock time, as the signature's timestamp.
	now := time.Now()
	err := s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if last := s.noncesSwept.Load(); now.UnixMicro()-last > partner.MaxAge.Microseconds() && s.noncesSwept.CompareAndSwap(last, now.UnixMicro()) {
			if _, err := tx.ExecContext(ctx, `DELETE FROM partner_nonces WHERE seen_at < ?`, now.Add(-2*partner.MaxAge).UnixMicro()); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO partner_nonces (nonce, seen_at) VALUES (?, ?)`, c.Nonce, now.UnixMicro())
		return sqldb.FormatError(op, err)
	})
	if minimall.IsCode(err, minimall.Conflict) {
		return minimall.Errorf(minimall.Conflict, op, "This signed notice was received before: a replay is refused; sign a retry anew. 该通知已接收过，拒绝重放。")
	}
	return err
}

// PaymentNotified records a verified notice: the payment is paid and the
// order awaits shipping. A repeated notice changes nothing. Returns
// NotFound for an unknown payment, Invalid when the amount differs.
func (s *Service) PaymentNotified(ctx context.Context, n PaymentNotice) error {
	const op = "order.PaymentNotified"
	if n.Status != PaymentPaid {
		return invalid(op, "Unknown payment status. 未知的支付状态。")
	}
	if n.TradeNo == "" {
		return invalid(op, "The notice names no trade number. 通知缺少交易号。")
	}
	sys := minimall.SystemActor("payment-notice")
	// Checked, opened and sealed before the write, so the single writer
	// only writes; the write checks again that the order still awaits
	// payment (a repeated notice may have been recorded meanwhile).
	var orderID, subject, status string
	var amountSealed []byte
	err := s.db.QueryRowContext(ctx, `SELECT p.order_id, p.subject, p.amount_sealed, o.status FROM payments p JOIN orders o ON o.id = p.order_id
		WHERE p.id = ? AND p.trade_no IN ('', ?)`, n.PaymentID, n.TradeNo).Scan(&orderID, &subject, &amountSealed, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return minimall.Errorf(minimall.NotFound, op, "No such payment. 支付记录不存在。")
	}
	if err != nil {
		return sqldb.FormatError(op, err)
	}
	sub := minimall.SubjectID(subject)
	amount, err := s.k.Guard().OpenString(ctx, sys, sub, privacy.PaymentAmount, privacy.ForPayment, n.PaymentID, amountSealed)
	if err != nil {
		return err
	}
	if amount != strconv.FormatInt(n.AmountFen, 10) {
		return invalid(op, "The amount paid differs from the amount due. 支付金额与应付金额不符。")
	}
	if Status(status) != PendingPayment {
		return nil // already recorded
	}
	if n.Channel == "" {
		n.Channel = channelAlipay
	}
	plain := map[privacy.Field]string{privacy.PaymentStatus: PaymentPaid, privacy.PaymentTime: n.PaidAt}
	// The channel stays as sealed when the payment began (the only one
	// there is); a notice naming another changes it.
	if n.Channel != channelAlipay {
		plain[privacy.PaymentChannel] = n.Channel
	}
	v, err := s.k.Guard().SealRow(ctx, sub, n.PaymentID, plain)
	if err != nil {
		return err
	}
	// One group commit with other writes (sqldb.DB.Write).
	return s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE orders SET status = ?, updated_at = ? WHERE id = ? AND status = ?`,
			string(Paid), sqldb.Micros(tx.Now()), orderID, string(PendingPayment))
		if err != nil {
			return sqldb.FormatError(op, err)
		}
		if changed, _ := res.RowsAffected(); changed == 0 {
			return nil // a repeated notice was recorded since the order was read
		}
		if ch := v[privacy.PaymentChannel]; ch != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE payments SET channel_sealed = ? WHERE id = ?`, ch, n.PaymentID); err != nil {
				return sqldb.FormatError(op, err)
			}
		}
		// The notice fills in the trade number if the write behind Pay's
		// answer was lost.
		if _, err := tx.ExecContext(ctx, `UPDATE payments SET trade_no = ?, status_sealed = ?, time_sealed = ?, updated_at = ? WHERE id = ?`,
			n.TradeNo, v[privacy.PaymentStatus], v[privacy.PaymentTime], sqldb.Micros(tx.Now()), n.PaymentID); err != nil {
			return sqldb.FormatError(op, err)
		}
		return outbox.Emit(ctx, tx, TopicChanged, sub, map[string]string{"order": orderID, "status": string(Paid)})
	})
}

// Refund refunds a paid order that has not shipped, through the payment
// institution, and puts its stock back. Every try of one payment's refund
// carries the same idempotency key, so the institution refunds once and
// the sharing list shows one hand-over. Returns NotFound for an order not
// the caller's, Conflict for one not paid or already shipped, Unavailable
// (with a Retry-After; the order stays paid) when the institution cannot
// be reached or its answer is lost.
func (s *Service) Refund(ctx context.Context, a minimall.Actor, orderID, requestID string) (*Order, error) {
	const op = "order.Refund"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	r, err := loadOrder(ctx, s.db, orderID, a.Subject)
	if err != nil {
		return nil, err
	}
	if r.status != Paid {
		return nil, minimall.Errorf(minimall.Conflict, op, "Only a paid order that has not shipped is refunded here. 仅已付款未发货的订单可在此退款。")
	}
	var payID, tradeNo string
	if err := s.db.QueryRowContext(ctx, `SELECT id, trade_no FROM payments WHERE order_id = ?`, r.id).Scan(&payID, &tradeNo); err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	v, err := s.open(ctx, a, r, privacy.ForPayment, privacy.OrderNumber, privacy.OrderAmount)
	if err != nil {
		return nil, err
	}
	// One key per payment: a retry after a lost answer gets the
	// institution's first answer instead of "not paid", and the order
	// closes; the money goes back once.
	_, err = s.gw.Send(ctx, partner.Disclosure{
		Partner: privacy.PartnerPayment, Purpose: privacy.ForPayment, Subject: a.Subject, Operation: opPaymentRefund,
		Fields:    map[privacy.Field]string{privacy.OrderNumber: v[privacy.OrderNumber], privacy.PaymentAmount: v[privacy.OrderAmount]},
		Params:    map[string]any{"trade_no": tradeNo, "payment_id": payID},
		RequestID: requestID, IdempotencyKey: "refund:" + payID,
	})
	if minimall.IsCode(err, minimall.Unavailable) {
		return nil, &minimall.Error{Code: minimall.Unavailable, Op: op, Err: err, RetryAfter: partner.RetryAfter,
			Message: "The payment service is unavailable, so the refund is not confirmed and the order stays paid; ask again later (you are refunded once). " +
				"支付机构暂不可用，退款尚未确认，订单仍为已付款；请稍后再次申请（只退款一次）。"}
	}
	if err != nil {
		return nil, err
	}
	if err := s.closeOrder(ctx, a, r, Paid, Refunded, payID); err != nil {
		return nil, err
	}
	return s.FindByID(ctx, a, orderID)
}

// Cancel cancels an order awaiting payment and puts its stock back.
// Returns Conflict once a payment was started.
func (s *Service) Cancel(ctx context.Context, a minimall.Actor, orderID string) (*Order, error) {
	const op = "order.Cancel"
	if err := minimall.SignedIn(a, op); err != nil {
		return nil, err
	}
	r, err := loadOrder(ctx, s.db, orderID, a.Subject)
	if err != nil {
		return nil, err
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM payments WHERE order_id = ?`, r.id).Scan(&n); err != nil {
		return nil, sqldb.FormatError(op, err)
	}
	if r.status != PendingPayment || n > 0 {
		return nil, minimall.Errorf(minimall.Conflict, op, "Only an order awaiting payment, with no payment started, is cancelled. 仅未发起支付的待付款订单可取消。")
	}
	if err := s.closeOrder(ctx, a, r, PendingPayment, Cancelled, ""); err != nil {
		return nil, err
	}
	return s.FindByID(ctx, a, orderID)
}

// closeOrder moves r from one status to a closing one, releases its stock
// and, for a refund, marks the payment refunded; one transaction.
func (s *Service) closeOrder(ctx context.Context, a minimall.Actor, r *orderRow, from, to Status, payID string) error {
	items, err := s.k.Guard().OpenString(ctx, a, r.subject, privacy.OrderItems, privacy.ForOrder, r.id, r.sealed[privacy.OrderItems])
	if err != nil {
		return err
	}
	lines, err := parseLines(items)
	if err != nil {
		return err
	}
	wants := make([]catalog.Want, len(lines))
	for i, l := range lines {
		wants[i] = catalog.Want{Item: l.Item, Quantity: l.Quantity}
	}
	// The refunded payment's status is sealed before the write (sqldb: seal
	// outside the write), which closes the order only if it is still in
	// from (setStatus: Conflict if not).
	var refunded []byte
	stores := map[string][]byte{}
	if payID != "" {
		if refunded, err = s.k.Guard().Seal(ctx, r.subject, privacy.PaymentStatus, payID, []byte(PaymentRefunded)); err != nil {
			return err
		}
		stores["payments.status_sealed"] = refunded
	}
	// A cancelled or refunded order is a finished transaction too: its
	// record is kept three years from now under the retention key.
	kept, err := s.prepareRetention(ctx, r.id, r.subject, s.db.Now(), stores)
	if err != nil {
		return err
	}
	return s.db.Write(ctx, func(ctx context.Context, tx *sqldb.Tx) error {
		if err := setStatus(ctx, tx, r.id, from, to); err != nil {
			return err
		}
		if err := s.catalog.Release(ctx, tx, wants); err != nil {
			return err
		}
		if payID != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE payments SET status_sealed = ?, updated_at = ? WHERE id = ?`, refunded, sqldb.Micros(tx.Now()), payID); err != nil {
				return sqldb.FormatError("order.closeOrder", err)
			}
		}
		if err := kept.store(ctx, tx); err != nil { // retention.go
			return err
		}
		return outbox.Emit(ctx, tx, TopicChanged, r.subject, map[string]string{"order": r.id, "status": string(to)})
	})
}
