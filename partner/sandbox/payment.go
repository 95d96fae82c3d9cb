package sandbox

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"minimall"
	"minimall/privacy"
)

// trade is one payment the sandbox institution holds.
type trade struct {
	paymentID string
	notifyURL string
	amountFen int64
	channel   string
	status    string // created, paid, refunded
}

// tradeBook is the sandbox institution's trades, by trade number.
type tradeBook struct{ *book[trade] }

func paymentKind() kind {
	trades := tradeBook{newBook[trade]()}
	pay := []privacy.Purpose{privacy.ForPayment}
	order := []privacy.Field{privacy.OrderNumber, privacy.PaymentAmount}
	return kind{
		ops: map[string]operation{
			// Only the ref crosses: the payment institution knows its own
			// customers; minimall asks whether this one is verified.
			"payment/realname-status": {purposes: []privacy.Purpose{privacy.ForIdentityCheck, privacy.ForActivity}, handle: paymentStatus},
			"payment/create":          {purposes: pay, fields: order, handle: trades.create},
			"payment/pay-for-me": {purposes: pay, fields: append(order[:2:2], privacy.PayerPhone, privacy.PayerAlipayAccount),
				handle: trades.create},
			"payment/refund": {purposes: pay, fields: order, handle: trades.refund},
		},
		controls: map[string]func(*Sandbox) http.HandlerFunc{
			"POST /payment/realname-status/set": paymentSet,
			"POST /payment/pay":                 trades.pay,
		},
	}
}

// create opens a trade for an order number and amount; pay-for-me also
// names the payer, who would get the request in their wallet app.
func (b tradeBook) create(s *Sandbox, q *Request) (int, any) {
	amount, err := strconv.ParseInt(q.Fields[privacy.PaymentAmount], 10, 64)
	if q.Fields[privacy.OrderNumber] == "" || err != nil || amount <= 0 {
		return bad("order_missing")
	}
	if q.Operation == "payment/pay-for-me" && q.Fields[privacy.PayerPhone] == "" && q.Fields[privacy.PayerAlipayAccount] == "" {
		return bad("payer_missing")
	}
	paymentID, _ := q.Params["payment_id"].(string)
	notifyURL, _ := q.Params["notify_url"].(string)
	channel, _ := q.Params["channel"].(string)
	if paymentID == "" || notifyURL == "" {
		return bad("notify_missing")
	}
	no := "T" + time.Now().UTC().Format("20060102") + minimall.RandomToken(8)
	b.put(no, &trade{paymentID: paymentID, notifyURL: notifyURL, amountFen: amount, channel: channel, status: "created"})
	return http.StatusOK, map[string]string{"trade_no": no, "pay_url": s.url + "/payment/pay?trade_no=" + no}
}

// refund refunds a paid trade in full.
func (b tradeBook) refund(s *Sandbox, q *Request) (int, any) {
	no, _ := q.Params["trade_no"].(string)
	amount, _ := strconv.ParseInt(q.Fields[privacy.PaymentAmount], 10, 64)
	var why string
	found := b.update(no, func(t *trade) {
		switch {
		case t.status != "paid":
			why = "not_paid"
		case t.amountFen != amount:
			why = "amount_mismatch"
		default:
			t.status = "refunded"
		}
	})
	if !found {
		return http.StatusNotFound, errorBody("no_such_trade")
	}
	if why != "" {
		return http.StatusConflict, errorBody(why)
	}
	return http.StatusOK, map[string]string{"refund_no": "R" + no[1:], "status": "refunded"}
}

// pay is a TEST CONTROL, unsigned and not part of any real partner's
// interface: the payer confirms the trade in the wallet app ({"trade_no"},
// or ?trade_no=). The sandbox then reports the payment to minimall's
// notify URL, signed, before it answers {"paid", "notified": minimall's status}.
func (b tradeBook) pay(s *Sandbox) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			TradeNo string `json:"trade_no"`
		}
		in.TradeNo = r.URL.Query().Get("trade_no")
		if in.TradeNo == "" {
			if err := decodeControl(w, r, &in); err != nil || in.TradeNo == "" {
				s.reply(w, http.StatusBadRequest, errorBody("malformed"))
				return
			}
		}
		var t trade
		ok := b.update(in.TradeNo, func(tr *trade) {
			if tr.status == "created" {
				tr.status = "paid"
			}
			t = *tr
		})
		if !ok {
			s.reply(w, http.StatusNotFound, errorBody("no_such_trade"))
			return
		}
		if t.status != "paid" {
			s.reply(w, http.StatusConflict, errorBody("not_payable"))
			return
		}
		if t.channel == "" {
			t.channel = "alipay"
		}
		status, err := s.callBack(t.notifyURL, map[string]any{
			"payment_id": t.paymentID, "trade_no": in.TradeNo, "status": "paid", "amount_fen": t.amountFen,
			"channel": t.channel, "paid_at": time.Now().UTC().Format(time.RFC3339),
		})
		if err != nil {
			s.reply(w, http.StatusBadGateway, errorBody("notify_failed"))
			return
		}
		s.reply(w, http.StatusOK, map[string]any{"paid": true, "notified": status})
	}
}

// paymentStatus: a status set by the test control, else verified when the
// ref's first character is a letter from a to p (about half of refs).
func paymentStatus(s *Sandbox, q *Request) (int, any) {
	s.mu.Lock()
	v, set := s.verified[q.PartnerRef]
	s.mu.Unlock()
	if !set {
		c := q.PartnerRef[0]
		v = c >= 'a' && c <= 'p'
	}
	return http.StatusOK, map[string]bool{"verified": v}
}

// paymentSet is a TEST CONTROL, unsigned and not part of any real
// partner's interface: it sets the real-name status of a ref.
func paymentSet(s *Sandbox) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			PartnerRef string `json:"partner_ref"`
			Verified   bool   `json:"verified"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&in); err != nil || in.PartnerRef == "" {
			s.reply(w, http.StatusBadRequest, errorBody("malformed"))
			return
		}
		s.mu.Lock()
		s.verified[in.PartnerRef] = in.Verified
		s.mu.Unlock()
		s.reply(w, http.StatusOK, map[string]bool{"verified": in.Verified})
	}
}
